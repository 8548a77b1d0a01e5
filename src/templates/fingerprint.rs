//! Fingerprints of what each page is made from, so that `serve` can tell which pages an edit
//! changed without rendering them (see [`Reuse`]).
//!
//! A page is a pure function of its template, its context, and what every page shares: the
//! templates, the UI strings, the URL table that `url()` reads, the attachment sizes, the site
//! and menu values put in every context, and `site.yaml`. The shared part is hashed once per
//! build (the build's fingerprint); the context of each page is hashed as it is built, value by
//! value, by its structure (see [`super::hashing`]), which serde walks in a fixed order. When the fingerprint and
//! a page's hash are those of the previous build, the page that build made is the page this
//! one would make.

use std::collections::hash_map::DefaultHasher;
use std::collections::HashMap;
use std::hash::{Hash, Hasher};

use serde::Serialize;

/// What `serve`'s previous build made, for pages whose inputs have not changed since.
#[derive(Clone, Copy)]
pub struct Reuse<'r> {
    /// Output path → the hash of its page's template and context in the previous build.
    pub hashes: &'r HashMap<String, u64>,
    /// Whether the previous build's page of an output path is still served.
    pub served: &'r (dyn Fn(&str) -> bool + Sync),
}

/// The hasher of page contexts: fast on the many short writes a context makes, with a fixed
/// seed so that a hash means the same from one build to the next.
type PageHasher = foldhash::quality::FoldHasher<'static>;

fn page_hasher() -> PageHasher {
    use std::hash::BuildHasher;
    foldhash::quality::FixedState::with_seed(0x1cc_c0de).build_hasher()
}

/// What a [`PageContext`] is made for.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Rendering: Tera's context only.
    Render,
    /// Rendering, and the hash for the next build's reuse.
    RenderAndHash,
    /// Only the hash, to tell whether the previous build's page can be kept: the values are
    /// not made into Tera's, which costs as much as hashing them.
    HashOnly,
}

/// A template context that also hashes what is put in it, when asked to.
pub struct PageContext {
    context: tera::Context,
    hasher: Option<PageHasher>,
    /// Whether values go into `context` (not in [`Mode::HashOnly`]).
    filling: bool,
    /// Files made from the context's values, to be written beside the page (see
    /// [`PageContext::attach`]).
    beside: Vec<(String, Vec<u8>)>,
}

impl PageContext {
    /// A context; when hashing, [`PageContext::finish`] gives its hash.
    pub fn new(mode: Mode) -> PageContext {
        PageContext {
            context: tera::Context::new(),
            hasher: (mode != Mode::Render).then(page_hasher),
            filling: mode != Mode::HashOnly,
            beside: Vec::new(),
        }
    }

    /// Whether values go into the context (every mode but [`Mode::HashOnly`]).
    pub fn filling(&self) -> bool {
        self.filling
    }

    /// Adds a file to write beside the page (output path, contents), made of values already in
    /// the context: those values are hashed with the page, so the file changes only when the
    /// page's hash does.
    pub fn attach(&mut self, path: String, contents: Vec<u8>) {
        self.beside.push((path, contents));
    }

    /// The files attached to the context (see [`PageContext::attach`]).
    pub fn take_beside(&mut self) -> Vec<(String, Vec<u8>)> {
        std::mem::take(&mut self.beside)
    }

    pub fn insert<T: Serialize + ?Sized>(&mut self, key: &'static str, value: &T) {
        if let Some(hasher) = &mut self.hasher {
            key.hash(hasher);
            hash_value(hasher, value);
        }
        if self.filling {
            self.context.insert(key, value);
        }
    }

    /// Inserts a value shared by many pages and hashed into the build's fingerprint instead
    /// (see [`Fingerprint`]), so it is not hashed again for every page.
    pub fn insert_shared(&mut self, key: &'static str, value: &tera::Value) {
        if let Some(hasher) = &mut self.hasher {
            key.hash(hasher);
        }
        if self.filling {
            self.context.insert_value(key, value.clone());
        }
    }

    pub fn get(&self, key: &str) -> Option<&tera::Value> {
        self.context.get(key)
    }

    /// The context for Tera, and the hash of `template` with the context (when hashing).
    pub fn finish(self, template: &str) -> (tera::Context, Option<u64>) {
        let hash = self.hasher.map(|mut hasher| {
            template.hash(&mut hasher);
            hasher.finish()
        });
        (self.context, hash)
    }
}

/// The hash of one value by itself, as a context's hasher would feed it: for values hashed
/// once and then put in many contexts by their hash.
pub fn hash_alone<T: Serialize + ?Sized>(value: &T) -> u64 {
    let mut hasher = page_hasher();
    hash_value(&mut hasher, value);
    hasher.finish()
}

/// The build's fingerprint: everything pages share (see the module's documentation).
#[derive(Default)]
pub struct Fingerprint {
    hasher: DefaultHasher,
}

impl Fingerprint {
    pub fn add<T: Hash + ?Sized>(&mut self, part: &T) -> &mut Self {
        part.hash(&mut self.hasher);
        self
    }

    pub fn add_json<T: Serialize + ?Sized>(&mut self, part: &T) -> &mut Self {
        hash_value(&mut self.hasher, part);
        self
    }

    pub fn finish(&self) -> u64 {
        self.hasher.finish()
    }
}

/// Feeds `value` to `hasher` by its structure (see [`super::hashing`]).
fn hash_value<T: Serialize + ?Sized>(hasher: &mut impl Hasher, value: &T) {
    // A value that cannot be serialized hashes as what was fed of it, plus a marker: at worst
    // a page is rendered again when it need not be.
    if !super::hashing::hash_serialized(hasher, value) {
        hasher.write_u8(0xff);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hash_of(build: impl Fn(&mut PageContext), template: &str) -> u64 {
        let mut context = PageContext::new(Mode::RenderAndHash);
        build(&mut context);
        context.finish(template).1.expect("hashing")
    }

    #[test]
    fn a_context_hash_changes_with_any_value_key_or_template() {
        let base = |c: &mut PageContext| {
            c.insert("lang", "fr");
            c.insert("titles", &vec!["Lancement", "Réunion"]);
        };
        let same = hash_of(base, "page.html");
        assert_eq!(same, hash_of(base, "page.html"));
        assert_ne!(same, hash_of(base, "list.html"));
        let other_value = |c: &mut PageContext| {
            c.insert("lang", "fr");
            c.insert("titles", &vec!["Lancement", "Réunions"]);
        };
        assert_ne!(same, hash_of(other_value, "page.html"));
        let other_key = |c: &mut PageContext| {
            c.insert("lang", "fr");
            c.insert("title", &vec!["Lancement", "Réunion"]);
        };
        assert_ne!(same, hash_of(other_key, "page.html"));
        // Values moved from one key to the next do not collide.
        let split = |c: &mut PageContext| {
            c.insert("a", "bc");
            c.insert("d", "");
        };
        let moved = |c: &mut PageContext| {
            c.insert("a", "b");
            c.insert("d", "c");
        };
        assert_ne!(hash_of(split, "p"), hash_of(moved, "p"));
    }

    #[test]
    fn without_hashing_the_context_is_the_same_and_has_no_hash() {
        let mut context = PageContext::new(Mode::Render);
        context.insert("lang", "fr");
        context.insert_shared("site", &tera::Value::from("ICC"));
        assert_eq!(context.get("lang").and_then(|l| l.as_str()), Some("fr"));
        let (context, hash) = context.finish("page.html");
        assert_eq!(hash, None);
        assert_eq!(context.get("site").and_then(|s| s.as_str()), Some("ICC"));
    }

    #[test]
    fn hashing_alone_gives_the_hash_rendering_would_and_fills_nothing() {
        let build = |mode: Mode| {
            let mut context = PageContext::new(mode);
            context.insert("lang", "fr");
            context.insert_shared("site", &tera::Value::from("ICC"));
            context.finish("page.html")
        };
        let (filled, hash) = build(Mode::RenderAndHash);
        let (empty, hash_only) = build(Mode::HashOnly);
        assert!(hash.is_some());
        assert_eq!(hash, hash_only);
        assert!(filled.get("site").is_some());
        assert!(empty.get("lang").is_none() && empty.get("site").is_none());
    }
}
