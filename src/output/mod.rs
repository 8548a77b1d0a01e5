//! Stage 5, output: the only code that writes files.
//!
//! A build is written into a fresh sibling folder and swapped in only when every file was
//! written, so a failed build leaves the previous site untouched. The output folder must not be,
//! contain or sit inside the sources, a home folder or `/`, and only a folder carrying
//! intercite's marker file is ever replaced or removed.

pub mod feeds;
pub mod minify;
pub mod search;
mod spread;

use std::collections::{BTreeMap, HashSet};
use std::fs;
use std::io;
use std::path::{Component, Path, PathBuf};
use std::sync::Mutex;

use rayon::prelude::*;

use crate::diagnostics::Diagnostic;

/// Present in every folder intercite wrote; without it, intercite refuses to touch a folder.
pub const MARKER: &str = ".intercite-output";

/// Levels of folders placed by [`spread`]: languages and the sections in them.
const SPREAD_LEVELS: usize = 2;

/// What goes into the output folder.
#[derive(Debug, Default)]
pub struct Plan {
    /// Relative path → bytes to write.
    pub files: BTreeMap<String, Vec<u8>>,
    /// Relative path → source file to copy.
    pub copies: BTreeMap<String, PathBuf>,
    /// Relative paths of files already in place: written while they were rendered (see
    /// [`Staging`]), or, in `serve`, pages its previous build made that are still the same
    /// (see [`crate::build::Previous`]), served already.
    pub written: std::collections::BTreeSet<String>,
}

impl Plan {
    /// Adds a file to write; a path already planned is a collision (returns who had it).
    pub fn add(
        &mut self,
        path: String,
        contents: Vec<u8>,
        owners: &mut BTreeMap<String, String>,
        owner: &str,
    ) -> Result<(), String> {
        claim(owners, &path, owner)?;
        self.files.insert(path, contents);
        Ok(())
    }

    /// Records a file already in place; a path already planned is a collision, as in
    /// [`Plan::add`].
    pub fn add_written(
        &mut self,
        path: String,
        owners: &mut BTreeMap<String, String>,
        owner: &str,
    ) -> Result<(), String> {
        claim(owners, &path, owner)?;
        self.written.insert(path);
        Ok(())
    }

    /// Every output path, written or to write, in no particular order.
    pub fn paths(&self) -> impl Iterator<Item = &String> {
        self.files
            .keys()
            .chain(self.written.iter())
            .chain(self.copies.keys())
    }

    pub fn copy(
        &mut self,
        path: String,
        source: PathBuf,
        owners: &mut BTreeMap<String, String>,
        owner: &str,
    ) -> Result<(), String> {
        claim(owners, &path, owner)?;
        self.copies.insert(path, source);
        Ok(())
    }

    pub fn len(&self) -> usize {
        self.files.len() + self.written.len() + self.copies.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

fn claim(owners: &mut BTreeMap<String, String>, path: &str, owner: &str) -> Result<(), String> {
    let key = crate::paths::collision_key(path);
    match owners.get(&key) {
        Some(previous) => Err(previous.clone()),
        None => {
            owners.insert(key, owner.to_string());
            Ok(())
        }
    }
}

/// Makes `path` absolute and free of `.`/`..` (lexically), then resolves symlinks in the
/// longest part of it that exists, so two spellings of one folder compare equal.
fn absolute(path: &Path) -> io::Result<PathBuf> {
    let joined = if path.is_absolute() {
        path.to_path_buf()
    } else {
        std::env::current_dir()?.join(path)
    };
    let mut lexical = PathBuf::new();
    for component in joined.components() {
        match component {
            Component::ParentDir => {
                lexical.pop();
            }
            Component::CurDir => {}
            other => lexical.push(other),
        }
    }
    let mut existing = lexical.clone();
    let mut rest = Vec::new();
    while !existing.exists() {
        match existing.file_name() {
            Some(name) => rest.push(name.to_os_string()),
            None => break,
        }
        existing.pop();
    }
    let mut result = fs::canonicalize(&existing)?;
    for name in rest.into_iter().rev() {
        result.push(name);
    }
    Ok(result)
}

/// Checks that `output` is a safe place to write the site of `root`; returns its absolute path.
pub fn check_output_dir(root: &Path, output: &Path) -> Result<PathBuf, Diagnostic> {
    let shown = output.display().to_string();
    let refuse = |why: &str| {
        Diagnostic::error(format!("refusing to use `{shown}` as the output folder: {why}"))
            .hint("choose a folder of its own, e.g. `-o public` (the default), inside the site but outside content/, themes/ and i18n/")
    };
    let root =
        absolute(root).map_err(|e| refuse(&format!("the site folder cannot be resolved: {e}")))?;
    let out = absolute(output).map_err(|e| refuse(&format!("it cannot be resolved: {e}")))?;
    if out.parent().is_none() {
        return Err(refuse("it is the file system root"));
    }
    if let Some(home) = std::env::var_os("HOME").filter(|h| !h.is_empty()) {
        if absolute(Path::new(&home)).is_ok_and(|home| home == out) {
            return Err(refuse("it is your home folder"));
        }
    }
    if out == root {
        return Err(refuse("it is the site's own folder"));
    }
    if root.starts_with(&out) {
        return Err(refuse("it contains the site's sources"));
    }
    for source in [
        crate::load::CONTENT_DIR,
        "themes",
        crate::config::I18N_DIR,
        crate::config::SITE_FILE,
        "static",
        "templates",
    ] {
        let source_path = root.join(source);
        if out.starts_with(&source_path) {
            return Err(refuse(&format!(
                "it is inside `{source}`, which holds sources"
            )));
        }
    }
    if out.exists() {
        if !out.is_dir() {
            return Err(refuse("it is a file, not a folder"));
        }
        if !out.join(MARKER).is_file()
            && fs::read_dir(&out).map_or(true, |mut d| d.next().is_some())
        {
            return Err(refuse("it is not empty and intercite did not create it (no .intercite-output marker), so it will not replace it"));
        }
    }
    Ok(out)
}

/// Writes the plan into a fresh folder beside `out`, then swaps it in place of `out`.
/// `out` must have passed [`check_output_dir`].
pub fn write(out: &Path, plan: &Plan) -> Result<(), Diagnostic> {
    let staging = Staging::begin(out)?;
    staging.write_plan(plan)?;
    staging.commit()
}

/// A build being written: a fresh folder beside the output folder, which becomes the output
/// folder on [`Staging::commit`] and is removed if the staging is dropped uncommitted. Pages
/// are written into it while they are rendered, so a large site is never held in memory whole,
/// and the previous output stays in place, untouched, until everything was written.
pub struct Staging {
    out: PathBuf,
    fresh: PathBuf,
    old: PathBuf,
    /// Folders created so far, relative to `fresh`, so each is made with one system call.
    folders: Mutex<HashSet<PathBuf>>,
    /// Places the language and section folders where the file system allocates quickly.
    spreader: spread::Spreader,
    committed: bool,
}

impl Staging {
    /// Creates the fresh folder beside `out` (which must have passed [`check_output_dir`]).
    pub fn begin(out: &Path) -> Result<Staging, Diagnostic> {
        let parent = out
            .parent()
            .ok_or_else(|| Diagnostic::error("the output folder has no parent folder"))?;
        let name = out
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let pid = std::process::id();
        let fresh = parent.join(format!(".{name}.intercite-tmp-{pid}"));
        let old = parent.join(format!(".{name}.intercite-old-{pid}"));
        let fail = |what: &str, e: &io::Error| write_error(out, what, e);
        if out.is_dir()
            && fs::metadata(out)
                .map(|m| m.permissions().readonly())
                .unwrap_or(false)
        {
            return Err(Diagnostic::error(format!(
                "the output folder {} is read-only",
                out.display()
            ))
            .in_file(out)
            .hint(format!(
                "make it writable (`chmod u+w {}`) or build elsewhere with --output; it was left as it was",
                out.display()
            )));
        }
        fs::create_dir_all(parent)
            .map_err(|e| fail(&format!("creating {}", parent.display()), &e))?;
        remove_own_folder(&fresh).map_err(|e| fail("removing a stale temporary folder", &e))?;
        let created = fs::create_dir(&fresh).and_then(|()| {
            fs::write(
                fresh.join(MARKER),
                b"This folder was written by intercite and is replaced by each build.\n",
            )
        });
        let staging = Staging {
            out: out.to_path_buf(),
            spreader: spread::Spreader::new(&fresh),
            fresh,
            old,
            folders: Mutex::new(HashSet::new()),
            committed: false,
        };
        created.map_err(|e| staging.error(&e))?;
        Ok(staging)
    }

    /// Writes one file, `path` being relative to the output folder and `/`-separated. Safe to
    /// call from many threads at once.
    pub fn put(&self, path: &str, contents: &[u8]) -> io::Result<()> {
        self.make_parent(path)?;
        fs::write(self.fresh.join(path), contents).map_err(|e| named(path, e))
    }

    /// Copies `source` to `path` (relative to the output folder).
    pub fn copy(&self, path: &str, source: &Path) -> io::Result<()> {
        self.make_parent(path)?;
        fs::copy(source, self.fresh.join(path))
            .map(|_| ())
            .map_err(|e| named(path, e))
    }

    fn make_parent(&self, path: &str) -> io::Result<()> {
        let Some(parent) = Path::new(path)
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
        else {
            return Ok(());
        };
        let known = self
            .folders
            .lock()
            .map(|folders| folders.contains(parent))
            .unwrap_or(false);
        if !known {
            self.make_spread_folders(parent)?;
            // Usually only the last folder is new (a page's own): one mkdir, no stat first.
            let folder = self.fresh.join(parent);
            fs::create_dir(&folder)
                .or_else(|e| match e.kind() {
                    io::ErrorKind::AlreadyExists => Ok(()),
                    _ => fs::create_dir_all(&folder),
                })
                .map_err(|e| named(&parent.to_string_lossy(), e))?;
            if let Ok(mut folders) = self.folders.lock() {
                folders.insert(parent.to_path_buf());
            }
        }
        Ok(())
    }

    /// Creates the folders of the first [`SPREAD_LEVELS`] levels that `folder` lies in (a
    /// language, a section), if they are not there yet, each spread away from the previous
    /// output's inodes (see [`spread`]): a section of a large site fills a block group by itself.
    fn make_spread_folders(&self, folder: &Path) -> io::Result<()> {
        let Ok(mut folders) = self.folders.lock() else {
            return Ok(());
        };
        let mut made = PathBuf::new();
        for (level, component) in folder.components().take(SPREAD_LEVELS).enumerate() {
            let Component::Normal(name) = component else {
                return Ok(());
            };
            let parent = self.fresh.join(&made);
            made.push(name);
            if folders.contains(&made) {
                continue;
            }
            // Only the levels above the last are marked, so a section's own folders (one per
            // page) stay together instead of being spread in turn.
            let spread_inside = level + 1 < SPREAD_LEVELS;
            self.spreader
                .create(&parent, name, spread_inside)
                .map_err(|e| named(&made.to_string_lossy(), e))?;
            folders.insert(made.clone());
        }
        Ok(())
    }

    /// Writes every file of `plan`, in parallel.
    pub fn write_plan(&self, plan: &Plan) -> Result<(), Diagnostic> {
        plan.files
            .par_iter()
            .try_for_each(|(path, contents)| self.put(path, contents))
            .and_then(|()| {
                plan.copies
                    .par_iter()
                    .try_for_each(|(path, source)| self.copy(path, source))
            })
            .map_err(|e| self.error(&e))
    }

    /// A failed write into the fresh folder, as a diagnostic naming the file.
    pub fn error(&self, e: &io::Error) -> Diagnostic {
        write_error(&self.out, "writing the new site beside it", e)
    }

    /// Puts the fresh folder in place of the output folder, then removes the previous output.
    pub fn commit(mut self) -> Result<(), Diagnostic> {
        let out = self.out.clone();
        let fail = |what: &str, e: &io::Error| write_error(&out, what, e);
        self.spreader
            .discard_avoided()
            .map_err(|e| fail("removing the folders tried for speed", &e))?;
        let had_previous = out.exists();
        if had_previous {
            fs::rename(&out, &self.old)
                .map_err(|e| fail("moving the previous output aside", &e))?;
        }
        if let Err(e) = fs::rename(&self.fresh, &out) {
            if had_previous {
                let _ = fs::rename(&self.old, &out);
            }
            return Err(fail("moving the new output in place", &e));
        }
        self.committed = true;
        if had_previous {
            remove_own_folder(&self.old).map_err(|e| fail("removing the previous output", &e))?;
        }
        Ok(())
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        if !self.committed {
            let _ = remove_own_folder(&self.fresh);
        }
    }
}

/// An error naming the file it happened to, relative to the output folder.
fn named(path: &str, e: io::Error) -> io::Error {
    io::Error::new(e.kind(), format!("{path}: {e}"))
}

/// A failed write as a diagnostic on the output folder, with a hint fitting the cause.
fn write_error(out: &Path, what: &str, e: &io::Error) -> Diagnostic {
    let (problem, hint) = match e.kind() {
        io::ErrorKind::StorageFull | io::ErrorKind::QuotaExceeded => {
            ("the disk is full", "free some space and build again")
        }
        io::ErrorKind::PermissionDenied | io::ErrorKind::ReadOnlyFilesystem => (
            "permission denied",
            "the output folder and the folder holding it must be writable",
        ),
        _ => (
            "",
            "check that the output folder's parent is writable and the disk is not full",
        ),
    };
    let message = if problem.is_empty() {
        format!("cannot write the site into {}: {what}: {e}", out.display())
    } else {
        format!(
            "cannot write the site into {}: {problem} ({what}: {e})",
            out.display()
        )
    };
    Diagnostic::error(message)
        .in_file(out)
        .hint(format!("{hint}; the previous output was left as it was"))
}

/// Removes a folder only if intercite created it (it holds the marker) or it is empty.
fn remove_own_folder(path: &Path) -> io::Result<()> {
    if !path.exists() {
        return Ok(());
    }
    if path.join(MARKER).is_file() || fs::read_dir(path)?.next().is_none() {
        // The top-level folders (one per language) are removed in parallel; the marker goes
        // last, so an interrupted removal leaves a folder intercite still recognises as its own.
        let entries = fs::read_dir(path)?
            .map(|entry| entry.map(|e| e.path()))
            .collect::<io::Result<Vec<PathBuf>>>()?;
        entries
            .par_iter()
            .filter(|entry| entry.file_name() != Some(std::ffi::OsStr::new(MARKER)))
            .try_for_each(|entry| {
                if fs::symlink_metadata(entry)?.is_dir() {
                    fs::remove_dir_all(entry)
                } else {
                    fs::remove_file(entry)
                }
            })?;
        fs::remove_dir_all(path)
    } else {
        Err(io::Error::other(format!(
            "{} was not created by intercite; not removing it",
            path.display()
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_sources_and_roots() {
        let site = tempfile::tempdir().unwrap();
        let root = site.path();
        fs::create_dir_all(root.join("content")).unwrap();
        assert!(check_output_dir(root, root).is_err());
        assert!(check_output_dir(root, &root.join("content")).is_err());
        assert!(check_output_dir(root, &root.join("content/x")).is_err());
        assert!(check_output_dir(root, root.parent().unwrap()).is_err());
        assert!(check_output_dir(root, Path::new("/")).is_err());
        assert!(check_output_dir(root, &root.join("public")).is_ok());
        assert!(check_output_dir(root, &root.join("a/../public")).is_ok());
        assert!(check_output_dir(root, &root.join("public/../content")).is_err());
    }

    #[test]
    fn refuses_a_foreign_folder_and_replaces_its_own() {
        let site = tempfile::tempdir().unwrap();
        let out = site.path().join("public");
        fs::create_dir_all(&out).unwrap();
        fs::write(out.join("precious.txt"), "keep").unwrap();
        assert!(check_output_dir(site.path(), &out).is_err());
        fs::remove_file(out.join("precious.txt")).unwrap();
        let out = check_output_dir(site.path(), &out).unwrap();
        let mut plan = Plan::default();
        let mut owners = BTreeMap::new();
        plan.add("a/index.html".into(), b"one".to_vec(), &mut owners, "x")
            .unwrap();
        write(&out, &plan).unwrap();
        assert_eq!(fs::read(out.join("a/index.html")).unwrap(), b"one");
        let mut plan = Plan::default();
        plan.add("b.html".into(), b"two".to_vec(), &mut BTreeMap::new(), "x")
            .unwrap();
        write(&check_output_dir(site.path(), &out).unwrap(), &plan).unwrap();
        assert!(!out.join("a/index.html").exists());
        assert!(out.join(MARKER).exists());
        let leftovers: Vec<_> = fs::read_dir(site.path()).unwrap().collect();
        assert_eq!(leftovers.len(), 1, "temporary folders are cleaned up");
    }

    #[test]
    fn staging_replaces_the_output_only_on_commit() {
        let site = tempfile::tempdir().unwrap();
        let out = site.path().join("public");
        let mut plan = Plan::default();
        plan.add(
            "old.html".into(),
            b"old".to_vec(),
            &mut BTreeMap::new(),
            "x",
        )
        .unwrap();
        write(&out, &plan).unwrap();

        // Dropped without a commit: the previous output stays, the fresh folder goes.
        let staging = Staging::begin(&out).unwrap();
        staging.put("fr/a/index.html", b"new").unwrap();
        drop(staging);
        assert_eq!(fs::read(out.join("old.html")).unwrap(), b"old");
        let names: Vec<_> = fs::read_dir(site.path()).unwrap().collect();
        assert_eq!(names.len(), 1, "the fresh folder is removed");

        // Pages written from many threads, then the rest of the plan, then the swap.
        let staging = Staging::begin(&out).unwrap();
        (0..200).into_par_iter().for_each(|i| {
            staging
                .put(
                    &format!("fr/d{}/p{i}/index.html", i % 7),
                    i.to_string().as_bytes(),
                )
                .unwrap();
        });
        let source = site.path().join("logo.svg");
        fs::write(&source, "<svg/>").unwrap();
        let mut rest = Plan::default();
        rest.add(
            "sitemap.xml".into(),
            b"<urlset/>".to_vec(),
            &mut BTreeMap::new(),
            "x",
        )
        .unwrap();
        rest.copy("img/logo.svg".into(), source, &mut BTreeMap::new(), "x")
            .unwrap();
        staging.write_plan(&rest).unwrap();
        assert!(
            out.join("old.html").exists(),
            "nothing changes before the commit"
        );
        staging.commit().unwrap();
        assert!(!out.join("old.html").exists());
        assert_eq!(fs::read(out.join("fr/d3/p10/index.html")).unwrap(), b"10");
        assert_eq!(fs::read(out.join("img/logo.svg")).unwrap(), b"<svg/>");
        assert!(out.join("sitemap.xml").exists() && out.join(MARKER).exists());
        let mut names: Vec<String> = fs::read_dir(&out)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        assert_eq!(
            names,
            [MARKER, "fr", "img", "sitemap.xml"],
            "nothing tried for speed is left"
        );
        let names: Vec<_> = fs::read_dir(site.path()).unwrap().collect();
        assert_eq!(names.len(), 2, "public/ and logo.svg, no leftovers");
    }

    #[test]
    fn collisions_are_detected_loosely() {
        let mut plan = Plan::default();
        let mut owners = BTreeMap::new();
        plan.add("fr/Été/index.html".into(), vec![], &mut owners, "first")
            .unwrap();
        assert_eq!(
            plan.add(
                "fr/e\u{301}te\u{301}/index.html".into(),
                vec![],
                &mut owners,
                "second"
            ),
            Err("first".to_string())
        );
    }
}
