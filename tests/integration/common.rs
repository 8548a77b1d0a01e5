//! Helpers shared by the integration tests.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Output;

use assert_cmd::Command;
use tempfile::TempDir;

/// A fixture copied into a temporary folder, so tests can change it freely.
pub struct Fixture {
    pub dir: TempDir,
}

impl Fixture {
    pub fn new(name: &str) -> Fixture {
        let source = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures")
            .join(name);
        let dir = tempfile::tempdir().expect("temporary folder");
        copy_tree(&source, dir.path());
        Fixture { dir }
    }

    pub fn root(&self) -> &Path {
        self.dir.path()
    }

    pub fn path(&self, rel: &str) -> PathBuf {
        self.dir.path().join(rel)
    }

    pub fn write(&self, rel: &str, text: &str) {
        let path = self.path(rel);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, text).unwrap();
    }

    /// Runs `intercite <args> --root <fixture>`.
    pub fn run(&self, args: &[&str]) -> Run {
        let mut command = Command::cargo_bin("intercite").unwrap();
        command
            .args(args)
            .arg("--root")
            .arg(self.root())
            .env("NO_COLOR", "1")
            .current_dir(self.root());
        Run::from(command.output().unwrap())
    }

    /// Builds into `<fixture>/public` and returns the run.
    pub fn build(&self) -> Run {
        self.run(&["build"])
    }

    pub fn public(&self) -> PathBuf {
        self.path("public")
    }

    pub fn read_output(&self, rel: &str) -> String {
        fs::read_to_string(self.public().join(rel))
            .unwrap_or_else(|e| panic!("cannot read public/{rel}: {e}"))
    }
}

pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl From<Output> for Run {
    fn from(output: Output) -> Run {
        Run {
            code: output.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        }
    }
}

impl Run {
    pub fn assert_success(&self) -> &Run {
        assert_eq!(self.code, 0, "expected success, stderr:\n{}", self.stderr);
        self
    }
}

pub fn copy_tree(from: &Path, to: &Path) {
    for entry in walkdir::WalkDir::new(from) {
        let entry = entry.unwrap();
        let target = to.join(entry.path().strip_prefix(from).unwrap());
        if entry.file_type().is_dir() {
            fs::create_dir_all(&target).unwrap();
        } else {
            fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// Every file under `dir`, relative path → bytes.
pub fn snapshot(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            (
                e.path()
                    .strip_prefix(dir)
                    .unwrap()
                    .to_string_lossy()
                    .into_owned(),
                fs::read(e.path()).unwrap(),
            )
        })
        .collect()
}

/// The HTML pages of a built site, relative path → text.
pub fn html_pages(public: &Path) -> BTreeMap<String, String> {
    snapshot(public)
        .into_iter()
        .filter(|(path, _)| path.ends_with(".html"))
        .map(|(path, bytes)| (path, String::from_utf8(bytes).unwrap()))
        .collect()
}

/// The start tags named `name` in `html`, each as its attributes (minified HTML may leave
/// values unquoted, so this is a small tokenizer rather than a search for `attr="`).
pub fn tags(html: &str, name: &str) -> Vec<BTreeMap<String, String>> {
    let mut found = Vec::new();
    let open = format!("<{name}");
    let mut rest = html;
    while let Some(start) = rest.find(&open) {
        let after = &rest[start + open.len()..];
        if !after.starts_with([' ', '>', '/', '\n']) {
            rest = after;
            continue;
        }
        let (attrs, remaining) = parse_attributes(after);
        found.push(attrs);
        rest = remaining;
    }
    found
}

fn parse_attributes(mut s: &str) -> (BTreeMap<String, String>, &str) {
    let mut attrs = BTreeMap::new();
    loop {
        s = s.trim_start_matches([' ', '\n', '\t', '/']);
        if s.is_empty() {
            return (attrs, s);
        }
        if let Some(rest) = s.strip_prefix('>') {
            return (attrs, rest);
        }
        let name_end = s.find(['=', ' ', '>', '/']).unwrap_or(s.len());
        let name = s[..name_end].to_ascii_lowercase();
        s = &s[name_end..];
        let value = if let Some(after_eq) = s.strip_prefix('=') {
            if let Some(quoted) = after_eq.strip_prefix('"') {
                let end = quoted.find('"').unwrap();
                s = &quoted[end + 1..];
                quoted[..end].to_string()
            } else if let Some(quoted) = after_eq.strip_prefix('\'') {
                let end = quoted.find('\'').unwrap();
                s = &quoted[end + 1..];
                quoted[..end].to_string()
            } else {
                let end = after_eq.find([' ', '>']).unwrap_or(after_eq.len());
                s = &after_eq[end..];
                after_eq[..end].to_string()
            }
        } else {
            String::new()
        };
        attrs.insert(name, decode_entities(&value));
    }
}

fn decode_entities(value: &str) -> String {
    value
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

/// The hreflang alternates of a page: (hreflang, href).
pub fn alternates(html: &str) -> BTreeSet<(String, String)> {
    tags(html, "link")
        .into_iter()
        .filter(|a| a.get("rel").is_some_and(|r| r == "alternate") && a.contains_key("hreflang"))
        .map(|a| (a["hreflang"].clone(), a["href"].clone()))
        .collect()
}

/// The output file of an absolute or root-relative URL of the site at `base_url`.
pub fn file_for_url(url: &str, base_url: &str, base_path: &str) -> String {
    let path = url
        .strip_prefix(base_url)
        .or_else(|| url.strip_prefix(base_path))
        .unwrap_or(url);
    let path = percent_decode(path.split('#').next().unwrap());
    let path = path.trim_start_matches('/');
    if path.is_empty() || path.ends_with('/') {
        format!("{path}index.html")
    } else {
        path.to_string()
    }
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            if let Ok(b) = u8::from_str_radix(&s[i + 1..i + 3], 16) {
                out.push(b);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8(out).unwrap()
}

/// Checks that every page's hreflang set contains the page itself and x-default, and that every
/// page it names carries exactly the same set in the named language. Returns how many pages had
/// a set.
pub fn assert_reciprocal_hreflang(
    pages: &BTreeMap<String, String>,
    base_url: &str,
    base_path: &str,
) -> usize {
    let mut checked = 0;
    for (path, html) in pages {
        let set = alternates(html);
        if set.is_empty() {
            continue;
        }
        checked += 1;
        assert!(
            set.iter().any(|(l, _)| l == "x-default"),
            "{path} has no x-default"
        );
        let own = set
            .iter()
            .filter(|(l, _)| l != "x-default")
            .any(|(_, href)| file_for_url(href, base_url, base_path) == *path);
        assert!(
            own || path == "index.html",
            "{path} is not in its own hreflang set {set:?}"
        );
        for (hreflang, href) in &set {
            let target = file_for_url(href, base_url, base_path);
            let other = pages
                .get(&target)
                .unwrap_or_else(|| panic!("{path}: alternate {hreflang} → {href} does not exist"));
            assert_eq!(
                &alternates(other),
                &set,
                "{path} and {target} disagree on their hreflang set"
            );
            if hreflang != "x-default" {
                assert_eq!(
                    tags(other, "html")[0]["lang"],
                    *hreflang,
                    "{target} is not in {hreflang}"
                );
            }
        }
    }
    checked
}

/// On every page that has a language switcher (the first `<nav>`: documents, "not available"
/// pages, lists, terms, 404), checks that it offers every language (the current one as a
/// `<span>`) and that each link leads to a page in that language. Returns how many pages.
pub fn assert_switchers_complete(
    pages: &BTreeMap<String, String>,
    languages: &[&str],
    base_url: &str,
    base_path: &str,
) -> usize {
    let mut checked = 0;
    for (path, html) in pages {
        if !html.contains("<nav") {
            continue;
        }
        checked += 1;
        let nav = &html[html.find("<nav").unwrap()..html.find("</nav>").unwrap()];
        let mut offered = BTreeSet::new();
        for a in tags(nav, "a") {
            let target = file_for_url(&a["href"], base_url, base_path);
            let target_html = pages
                .get(&target)
                .unwrap_or_else(|| panic!("{path}: switcher target {target} missing"));
            assert_eq!(
                tags(target_html, "html")[0]["lang"],
                a["hreflang"],
                "{path} → {target}"
            );
            offered.insert(a["hreflang"].clone());
        }
        for span in tags(nav, "span") {
            offered.insert(span["lang"].clone());
        }
        assert_eq!(
            offered,
            languages
                .iter()
                .map(|l| l.to_string())
                .collect::<BTreeSet<String>>(),
            "{path}"
        );
    }
    checked
}

/// Runs the Nu Html Checker (npm package vnu-jar, with Java) on `path`, a file or a folder, and
/// fails on any error. Without the checker the test says so, and fails only under CI.
pub fn assert_valid_html(path: &Path) {
    let jar = Path::new(env!("CARGO_MANIFEST_DIR")).join("node_modules/vnu-jar/build/dist/vnu.jar");
    let java = std::process::Command::new("java").arg("-version").output();
    if !jar.is_file() || java.is_err() {
        assert!(
            std::env::var_os("CI").is_none(),
            "the Nu Html Checker is missing: run scripts/setup"
        );
        eprintln!("skipped: the Nu Html Checker is not installed (run scripts/setup)");
        return;
    }
    let output = std::process::Command::new("java")
        .arg("-jar")
        .arg(&jar)
        .args(["--skip-non-html", "--errors-only", "--format", "gnu"])
        .arg(path)
        .output()
        .unwrap();
    let report = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success() && report.trim().is_empty(),
        "the Nu Html Checker found errors in {}:\n{report}",
        path.display()
    );
}

/// Builds this repository's ICC site into `out` (with `base_url` instead of site.yaml's when
/// given) and asserts the build succeeded.
pub fn build_icc_site(out: &Path, base_url: Option<&str>) {
    let mut command = Command::cargo_bin("intercite").unwrap();
    command
        .arg("build")
        .arg("-o")
        .arg(out)
        .arg("--root")
        .arg(env!("CARGO_MANIFEST_DIR"))
        .env("NO_COLOR", "1");
    if let Some(base_url) = base_url {
        command.args(["-u", base_url]);
    }
    Run::from(command.output().unwrap()).assert_success();
}

/// The ICC site built into a fresh temporary folder: (the folder, its `public/`).
pub fn built_icc_site() -> (TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("public");
    build_icc_site(&out, None);
    (dir, out)
}
