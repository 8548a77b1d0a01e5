//! The built site as the server sees it: files in memory, looked up by a request path that is
//! decoded once and checked segment by segment. Nothing here touches the disk, so no request
//! can reach a file outside the site, whatever its encoding.

use std::cmp::Ordering;
use std::collections::BTreeMap;
use std::sync::Arc;

use crate::output::Plan;

/// The served files: site path (no leading `/`) → contents.
///
/// A page-level rebuild replaces a page or two of a site that has 188,000 files at 10,000
/// documents, and each swap makes a new `SiteFiles` while requests go on reading the old one.
/// Copying the whole map for that took 23 ms of the 67 ms such a rebuild spent: so the files as
/// of the last full build (or the last fold) are shared between copies (`base`), and the files
/// changed since are kept beside them (`changes`), folded into a new base once they are many.
/// Until then the base still holds the bytes of the files changed or removed since: at most
/// [`FOLD_AT`] files' worth.
#[derive(Debug, Default, Clone)]
pub struct SiteFiles {
    base: Arc<BTreeMap<String, Arc<Vec<u8>>>>,
    /// Files changed since `base`: their new contents, or `None` for a file removed. Looked at
    /// before `base`.
    changes: BTreeMap<String, Option<Arc<Vec<u8>>>>,
    /// How many files there are, `changes` applied.
    len: usize,
}

/// Past this many changes, [`SiteFiles`] folds them into a new base (a copy of the map, once),
/// so that a copy of the changes (one per page-level rebuild) stays small.
const FOLD_AT: usize = 2048;

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
            let bytes = served.find(&path).ok_or_else(|| {
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
        Ok(SiteFiles {
            len: files.len(),
            base: Arc::new(files),
            changes: BTreeMap::new(),
        })
    }

    /// A copy with some files replaced (a page-level rebuild); returns it and the paths whose
    /// contents really changed. Unchanged files share their bytes with `self`.
    pub fn with_replaced(&self, updates: Vec<(String, Vec<u8>)>) -> (SiteFiles, Vec<String>) {
        let mut files = self.clone();
        let mut changed = Vec::new();
        for (path, bytes) in updates {
            if files.find(&path).map(|b| b.as_slice()) != Some(bytes.as_slice()) {
                changed.push(path.clone());
                files.set(path, Some(Arc::new(bytes)));
            }
        }
        files.fold_if_many();
        changed.sort();
        (files, changed)
    }

    /// Adds (or replaces by) the files of `other` whose path `take` accepts, sharing their bytes.
    pub fn adopt(&mut self, other: &SiteFiles, take: impl Fn(&str) -> bool) {
        for (path, bytes) in other.iter().filter(|(path, _)| take(path)) {
            self.set(path.to_string(), Some(Arc::clone(bytes)));
        }
        self.fold_if_many();
    }

    /// A copy without the files whose path `drop` accepts.
    pub fn without(&self, drop: impl Fn(&str) -> bool) -> SiteFiles {
        let mut files = self.clone();
        let dropped: Vec<String> = self
            .iter()
            .filter(|(path, _)| drop(path))
            .map(|(path, _)| path.to_string())
            .collect();
        for path in dropped {
            files.set(path, None);
        }
        files.fold_if_many();
        files
    }

    pub fn contains(&self, path: &str) -> bool {
        self.find(path).is_some()
    }

    pub fn get(&self, path: &str) -> Option<Arc<Vec<u8>>> {
        self.find(path).cloned()
    }

    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Paths whose contents differ between `self` and `newer` (added, removed or changed).
    pub fn changed_paths(&self, newer: &SiteFiles) -> Vec<String> {
        let mut changed: Vec<String> = newer
            .iter()
            .filter(|(path, bytes)| self.find(path) != Some(*bytes))
            .map(|(path, _)| path.to_string())
            .collect();
        changed.extend(
            self.iter()
                .filter(|(path, _)| !newer.contains(path))
                .map(|(path, _)| path.to_string()),
        );
        changed.sort();
        changed
    }

    /// The contents of `path`, `changes` first.
    fn find(&self, path: &str) -> Option<&Arc<Vec<u8>>> {
        match self.changes.get(path) {
            Some(change) => change.as_ref(),
            None => self.base.get(path),
        }
    }

    /// Gives `path` new contents, or removes it (`None`).
    fn set(&mut self, path: String, bytes: Option<Arc<Vec<u8>>>) {
        let was = self.contains(&path);
        match (was, bytes.is_some()) {
            (false, true) => self.len += 1,
            (true, false) => self.len -= 1,
            _ => {}
        }
        if bytes.is_none() && !self.base.contains_key(&path) {
            // Nothing to hide in the base: forgetting the change removes the file.
            self.changes.remove(&path);
        } else {
            self.changes.insert(path, bytes);
        }
    }

    /// Folds the changes into the base once they are many: copies the base unless no other
    /// `SiteFiles` shares it.
    fn fold_if_many(&mut self) {
        if self.changes.len() <= FOLD_AT {
            return;
        }
        let base = Arc::make_mut(&mut self.base);
        for (path, bytes) in std::mem::take(&mut self.changes) {
            match bytes {
                Some(bytes) => base.insert(path, bytes),
                None => base.remove(&path),
            };
        }
    }

    /// Every file, in the order of their paths: the base's and the changes' merged.
    fn iter(&self) -> impl Iterator<Item = (&str, &Arc<Vec<u8>>)> {
        let mut base = self.base.iter().peekable();
        let mut changes = self.changes.iter().peekable();
        std::iter::from_fn(move || loop {
            let order = match (base.peek(), changes.peek()) {
                (None, None) => return None,
                (Some(_), None) => Ordering::Less,
                (None, Some(_)) => Ordering::Greater,
                (Some((in_base, _)), Some((changed, _))) => in_base.cmp(changed),
            };
            if order == Ordering::Less {
                return base.next().map(|(path, bytes)| (path.as_str(), bytes));
            }
            if order == Ordering::Equal {
                // The change replaces (or removes) the base's file.
                base.next();
            }
            if let (path, Some(bytes)) = changes.next()? {
                return Some((path.as_str(), bytes));
            }
        })
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
            return if self.contains(&index) {
                Lookup::File(index)
            } else {
                Lookup::NotFound
            };
        }
        if self.contains(path) {
            return Lookup::File(path.to_string());
        }
        if self.contains(&format!("{path}/index.html")) {
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

    /// The files as a plain map, for comparison.
    fn flat(files: &SiteFiles) -> BTreeMap<String, Vec<u8>> {
        files
            .iter()
            .map(|(path, bytes)| (path.to_string(), bytes.to_vec()))
            .collect()
    }

    #[test]
    fn copies_with_changes_read_as_the_whole_map_would() {
        // Random replacements, additions and removals, across many folds of the changes into
        // the base, against a plain map; each step keeps the previous copy alive, as requests
        // do, and checks it did not change.
        let mut random = crate::test_random::Xorshift(0x517e_f11e);
        let path = |n: usize| format!("p{n:05}/index.html");
        let mut plan = Plan::default();
        let mut owners = BTreeMap::new();
        let mut model = BTreeMap::new();
        for n in (0..6000).step_by(2) {
            plan.add(path(n), vec![1], &mut owners, "t").unwrap();
            model.insert(path(n), vec![1]);
        }
        let mut files = SiteFiles::from_plan(plan, &SiteFiles::default()).unwrap();
        let mut folds = 0;
        for round in 0..60u8 {
            let before = files.clone();
            let before_model = model.clone();
            let next = match round % 3 {
                0 | 1 => {
                    let updates: Vec<(String, Vec<u8>)> = (0..random.below(900))
                        .map(|_| (path(random.below(6000)), vec![round, 2]))
                        .collect();
                    let mut expected: Vec<String> = updates
                        .iter()
                        .filter(|(p, b)| model.get(p) != Some(b))
                        .map(|(p, _)| p.clone())
                        .collect();
                    expected.sort();
                    expected.dedup();
                    for (p, b) in &updates {
                        model.insert(p.clone(), b.clone());
                    }
                    let (next, changed) = files.with_replaced(updates);
                    assert_eq!(changed, expected);
                    next
                }
                _ => {
                    let modulus = 3 + random.below(20);
                    let gone = |p: &str| p[1..6].parse::<usize>().unwrap() % modulus == 0;
                    model.retain(|p, _| !gone(p));
                    files.without(gone)
                }
            };
            assert_eq!(flat(&next), model, "round {round}");
            assert_eq!(next.len(), model.len());
            for n in 0..6000 {
                let bytes = next.get(&path(n)).map(|b| b.to_vec());
                assert_eq!(bytes.as_ref(), model.get(&path(n)), "{}", path(n));
                assert_eq!(next.contains(&path(n)), model.contains_key(&path(n)));
            }
            if next.changes.is_empty() && !Arc::ptr_eq(&next.base, &before.base) {
                folds += 1;
            }
            let mut expected: Vec<String> = model
                .iter()
                .filter(|(p, b)| before_model.get(*p) != Some(*b))
                .map(|(p, _)| p.clone())
                .chain(
                    before_model
                        .keys()
                        .filter(|p| !model.contains_key(*p))
                        .cloned(),
                )
                .collect();
            expected.sort();
            assert_eq!(before.changed_paths(&next), expected);
            assert_eq!(flat(&before), before_model);
            files = next;
        }
        // The changes were folded into a new base several times, the old copy still reading
        // the base it shared.
        assert!(folds >= 3, "{folds} folds");
        let mut adopted = site();
        adopted.adopt(&files, |p| p.starts_with("p0001"));
        let mut expected = flat(&site());
        expected.extend(model.into_iter().filter(|(p, _)| p.starts_with("p0001")));
        assert_eq!(flat(&adopted), expected);
        assert_eq!(adopted.len(), expected.len());
    }

    #[test]
    fn a_removed_file_can_come_back_and_a_fold_in_place_keeps_every_file() {
        let mut files = site();
        let (files2, changed) = files.with_replaced(vec![("new.html".into(), b"n".to_vec())]);
        assert_eq!(changed, ["new.html"]);
        let files3 = files2.without(|p| p == "syntax.css" || p == "new.html");
        assert!(!files3.contains("syntax.css") && !files3.contains("new.html"));
        assert_eq!(files3.len(), 3);
        // "new.html" was only a change: removing it forgets the change.
        assert_eq!(files3.changes.len(), 1);
        let (files4, changed) = files3.with_replaced(vec![("syntax.css".into(), b"c".to_vec())]);
        assert_eq!(changed, ["syntax.css"]);
        assert_eq!(files4.get("syntax.css").as_deref(), Some(&b"c".to_vec()));
        assert_eq!(files4.lookup("/new.html"), Lookup::NotFound);
        assert_eq!(files4.len(), 4);
        // Folded with no other copy sharing the base: in place, the same files.
        files = files4;
        files.fold_if_many();
        let before = flat(&files);
        let changes = (0..=FOLD_AT)
            .map(|n| (format!("f{n}.html"), vec![1]))
            .collect();
        let (mut folded, _) = files.with_replaced(changes);
        assert!(folded.changes.is_empty());
        drop(files);
        folded.fold_if_many();
        assert_eq!(folded.len(), before.len() + FOLD_AT + 1);
        assert!(before
            .iter()
            .all(|(p, b)| folded.get(p).as_deref() == Some(b)));
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
