//! The built site as the server sees it: files in memory, looked up by a request path that is
//! decoded once and checked segment by segment. Nothing here touches the disk, so no request
//! can reach a file outside the site, whatever its encoding.

use std::collections::BTreeMap;
use std::sync::Arc;

use crate::output::Plan;

/// The served files: site path (no leading `/`) → contents.
#[derive(Debug, Default, Clone)]
pub struct SiteFiles {
    files: BTreeMap<String, Arc<Vec<u8>>>,
}

/// What a request path leads to.
#[derive(Debug, PartialEq, Eq)]
pub enum Lookup {
    /// A file of the site, by its path.
    File(String),
    /// A folder requested without its trailing slash: redirect there.
    Redirect(String),
    NotFound,
    /// A path that can never be a site file (`..`, NUL, bad encoding): refused.
    BadRequest,
}

impl SiteFiles {
    /// The files of a build plan; copied files are read now, so later edits to `content/` do
    /// not change what is served until the next build. The files the plan has in place are the
    /// previous build's, taken (not copied) from `served`.
    pub fn from_plan(plan: Plan, served: &SiteFiles) -> std::io::Result<SiteFiles> {
        let mut files: BTreeMap<String, Arc<Vec<u8>>> = plan
            .files
            .into_iter()
            .map(|(path, bytes)| (path, Arc::new(bytes)))
            .collect();
        for path in plan.written {
            let bytes = served.files.get(&path).ok_or_else(|| {
                std::io::Error::new(
                    std::io::ErrorKind::NotFound,
                    format!("{path}, kept from the previous build, is no longer served"),
                )
            })?;
            files.insert(path, Arc::clone(bytes));
        }
        for (path, source) in plan.copies {
            let bytes = std::fs::read(source)?;
            files.insert(path, Arc::new(bytes));
        }
        Ok(SiteFiles { files })
    }

    /// A copy with some files replaced (a page-level rebuild); returns it and the paths whose
    /// contents really changed. Unchanged files share their bytes with `self`.
    pub fn with_replaced(&self, updates: Vec<(String, Vec<u8>)>) -> (SiteFiles, Vec<String>) {
        let mut files = self.files.clone();
        let mut changed = Vec::new();
        for (path, bytes) in updates {
            if files.get(&path).map(|b| b.as_slice()) != Some(bytes.as_slice()) {
                changed.push(path.clone());
                files.insert(path, Arc::new(bytes));
            }
        }
        changed.sort();
        (SiteFiles { files }, changed)
    }

    /// Adds (or replaces by) the files of `other` whose path `take` accepts, sharing their bytes.
    pub fn adopt(&mut self, other: &SiteFiles, take: impl Fn(&str) -> bool) {
        for (path, bytes) in other.files.iter().filter(|(path, _)| take(path)) {
            self.files.insert(path.clone(), Arc::clone(bytes));
        }
    }

    /// A copy without the files whose path `drop` accepts.
    pub fn without(&self, drop: impl Fn(&str) -> bool) -> SiteFiles {
        SiteFiles {
            files: self
                .files
                .iter()
                .filter(|(path, _)| !drop(path))
                .map(|(path, bytes)| (path.clone(), Arc::clone(bytes)))
                .collect(),
        }
    }

    pub fn contains(&self, path: &str) -> bool {
        self.files.contains_key(path)
    }

    pub fn get(&self, path: &str) -> Option<Arc<Vec<u8>>> {
        self.files.get(path).cloned()
    }

    pub fn len(&self) -> usize {
        self.files.len()
    }

    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }

    /// Paths whose contents differ between `self` and `newer` (added, removed or changed).
    pub fn changed_paths(&self, newer: &SiteFiles) -> Vec<String> {
        let mut changed: Vec<String> = newer
            .files
            .iter()
            .filter(|(path, bytes)| self.files.get(*path) != Some(*bytes))
            .map(|(path, _)| path.clone())
            .collect();
        changed.extend(
            self.files
                .keys()
                .filter(|p| !newer.files.contains_key(*p))
                .cloned(),
        );
        changed.sort();
        changed
    }

    /// Resolves a raw request path (`/fr/r%C3%A9union/`) to a file of the site.
    pub fn lookup(&self, raw_path: &str) -> Lookup {
        let Some(decoded) = percent_decode(raw_path) else {
            return Lookup::BadRequest;
        };
        if !decoded.starts_with('/') || decoded.contains(['\0', '\\']) {
            return Lookup::BadRequest;
        }
        let segments: Vec<&str> = decoded.split('/').collect();
        if segments.iter().any(|s| *s == ".." || *s == ".") {
            return Lookup::BadRequest;
        }
        let path = decoded.trim_start_matches('/');
        if path.is_empty() || path.ends_with('/') {
            let index = format!("{path}index.html");
            return if self.files.contains_key(&index) {
                Lookup::File(index)
            } else {
                Lookup::NotFound
            };
        }
        if self.files.contains_key(path) {
            return Lookup::File(path.to_string());
        }
        if self.files.contains_key(&format!("{path}/index.html")) {
            return Lookup::Redirect(format!(
                "{}/",
                raw_path.split('?').next().unwrap_or(raw_path)
            ));
        }
        Lookup::NotFound
    }
}

/// Decodes `%XX` escapes once; `None` for a malformed escape or a result that is not UTF-8.
/// A double-encoded `%252e` becomes the literal text `%2e`, which names no file.
pub fn percent_decode(path: &str) -> Option<String> {
    let bytes = path.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = path.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// The content type of a site file, by extension.
pub fn content_type(path: &str) -> &'static str {
    let extension = path
        .rsplit_once('.')
        .map_or("", |(_, e)| e)
        .to_ascii_lowercase();
    match extension.as_str() {
        "html" | "htm" => "text/html; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "json" => "application/json",
        "xml" => "application/xml; charset=utf-8",
        "txt" => "text/plain; charset=utf-8",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "avif" => "image/avif",
        "ico" => "image/x-icon",
        "pdf" => "application/pdf",
        "woff2" => "font/woff2",
        "woff" => "font/woff",
        "doc" => "application/msword",
        "docx" => "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "zip" => "application/zip",
        "bib" => "application/x-bibtex; charset=utf-8",
        "ris" => "application/x-research-info-systems; charset=utf-8",
        _ => "application/octet-stream",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn site() -> SiteFiles {
        let mut plan = Plan::default();
        let mut owners = BTreeMap::new();
        for path in [
            "index.html",
            "fr/index.html",
            "fr/réunion/index.html",
            "syntax.css",
        ] {
            plan.add(path.into(), path.as_bytes().to_vec(), &mut owners, "t")
                .unwrap();
        }
        SiteFiles::from_plan(plan, &SiteFiles::default()).unwrap()
    }

    #[test]
    fn finds_pages_and_folders() {
        let s = site();
        assert_eq!(s.lookup("/"), Lookup::File("index.html".into()));
        assert_eq!(s.lookup("/fr/"), Lookup::File("fr/index.html".into()));
        assert_eq!(s.lookup("/fr"), Lookup::Redirect("/fr/".into()));
        assert_eq!(
            s.lookup("/fr/r%C3%A9union/"),
            Lookup::File("fr/réunion/index.html".into())
        );
        assert_eq!(s.lookup("/syntax.css"), Lookup::File("syntax.css".into()));
        assert_eq!(s.lookup("/nope"), Lookup::NotFound);
    }

    #[test]
    fn refuses_traversal_in_every_encoding() {
        let s = site();
        for path in [
            "/../etc/passwd",
            "/fr/../../etc/passwd",
            "/%2e%2e/etc/passwd",
            "/..%2fetc%2fpasswd",
            "/%2E%2E%2F%2E%2E%2Fetc",
            "/fr/%5c..%5c",
            "/%00",
            "/%zz",
            "/%c0%ae%c0%ae/",
        ] {
            assert_eq!(s.lookup(path), Lookup::BadRequest, "{path}");
        }
        // Double encoding decodes once, to a literal name that is no file.
        assert_eq!(
            s.lookup("/%252e%252e/%252e%252e/etc/passwd"),
            Lookup::NotFound
        );
    }

    #[test]
    fn reports_changed_paths() {
        let old = site();
        let mut plan = Plan::default();
        let mut owners = BTreeMap::new();
        plan.add(
            "index.html".into(),
            b"index.html".to_vec(),
            &mut owners,
            "t",
        )
        .unwrap();
        plan.add(
            "fr/index.html".into(),
            b"changed".to_vec(),
            &mut owners,
            "t",
        )
        .unwrap();
        let new = SiteFiles::from_plan(plan, &SiteFiles::default()).unwrap();
        assert_eq!(
            old.changed_paths(&new),
            vec!["fr/index.html", "fr/réunion/index.html", "syntax.css"]
        );
    }
}
