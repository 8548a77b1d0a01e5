//! Stage 5, output: the only code that writes files.
//!
//! A build is written into a fresh sibling folder and swapped in only when every file was
//! written, so a failed build leaves the previous site untouched. The output folder must not be,
//! contain or sit inside the sources, a home folder or `/`, and only a folder carrying
//! intercite's marker file is ever replaced or removed.

pub mod feeds;
pub mod minify;
pub mod search;

use std::collections::BTreeMap;
use std::fs;
use std::io;
use std::path::{Component, Path, PathBuf};

use rayon::prelude::*;

use crate::diagnostics::Diagnostic;

/// Present in every folder intercite wrote; without it, intercite refuses to touch a folder.
pub const MARKER: &str = ".intercite-output";

/// What goes into the output folder.
#[derive(Debug, Default)]
pub struct Plan {
    /// Relative path → bytes to write.
    pub files: BTreeMap<String, Vec<u8>>,
    /// Relative path → source file to copy.
    pub copies: BTreeMap<String, PathBuf>,
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
        self.files.len() + self.copies.len()
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
    fs::create_dir_all(parent).map_err(|e| fail(&format!("creating {}", parent.display()), &e))?;
    remove_own_folder(&fresh).map_err(|e| fail("removing a stale temporary folder", &e))?;
    let result = write_into(&fresh, plan);
    if let Err(e) = result {
        let _ = remove_own_folder(&fresh);
        return Err(fail("writing the new site beside it", &e));
    }
    let had_previous = out.exists();
    if had_previous {
        if let Err(e) = fs::rename(out, &old) {
            let _ = remove_own_folder(&fresh);
            return Err(fail("moving the previous output aside", &e));
        }
    }
    if let Err(e) = fs::rename(&fresh, out) {
        if had_previous {
            let _ = fs::rename(&old, out);
        }
        let _ = remove_own_folder(&fresh);
        return Err(fail("moving the new output in place", &e));
    }
    if had_previous {
        remove_own_folder(&old).map_err(|e| fail("removing the previous output", &e))?;
    }
    Ok(())
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
        fs::remove_dir_all(path)
    } else {
        Err(io::Error::other(format!(
            "{} was not created by intercite; not removing it",
            path.display()
        )))
    }
}

fn write_into(dir: &Path, plan: &Plan) -> io::Result<()> {
    fs::create_dir(dir)?;
    fs::write(
        dir.join(MARKER),
        b"This folder was written by intercite and is replaced by each build.\n",
    )?;
    let mut folders: Vec<PathBuf> = plan
        .files
        .keys()
        .chain(plan.copies.keys())
        .filter_map(|p| Path::new(p).parent().map(Path::to_path_buf))
        .collect();
    folders.sort();
    folders.dedup();
    // Errors name the file, relative to the output folder.
    let named =
        |path: &Path, e: io::Error| io::Error::new(e.kind(), format!("{}: {e}", path.display()));
    for folder in folders {
        fs::create_dir_all(dir.join(&folder)).map_err(|e| named(&folder, e))?;
    }
    plan.files.par_iter().try_for_each(|(path, contents)| {
        fs::write(dir.join(path), contents).map_err(|e| named(Path::new(path), e))
    })?;
    plan.copies.par_iter().try_for_each(|(path, source)| {
        fs::copy(source, dir.join(path))
            .map(|_| ())
            .map_err(|e| named(Path::new(path), e))
    })?;
    Ok(())
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
