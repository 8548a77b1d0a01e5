//! Heading ids and the table of contents.
//!
//! Ids are Unicode-aware slugs of the heading text (a Japanese heading keeps its characters),
//! made unique within the page by a numeric suffix, so every heading can be linked to.

use std::collections::HashSet;

use serde::Serialize;

use crate::paths::slugify;

/// One heading in the table of contents, with the headings nested under it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TocEntry {
    pub level: u8,
    pub id: String,
    pub title: String,
    pub children: Vec<TocEntry>,
}

/// Hands out unique ids within one page.
#[derive(Debug, Default)]
pub struct IdAllocator {
    used: HashSet<String>,
    /// Per base id, the suffix to try next, so a page with thousands of identical headings
    /// does not search from `-1` each time.
    next_suffix: std::collections::HashMap<String, usize>,
}

impl IdAllocator {
    /// Reserves `id` exactly (an id the author gave with `{#id}`); false if it was taken.
    pub fn reserve(&mut self, id: &str) -> bool {
        self.used.insert(id.to_string())
    }

    /// A unique id from heading text: `introduction`, then `introduction-1`, `introduction-2`…
    pub fn allocate(&mut self, text: &str) -> String {
        let mut base = slugify(text);
        if base.is_empty() {
            base = "section".to_string();
        }
        if self.used.insert(base.clone()) {
            return base;
        }
        let next = self.next_suffix.entry(base.clone()).or_insert(1);
        loop {
            let candidate = format!("{base}-{next}");
            *next += 1;
            if self.used.insert(candidate.clone()) {
                return candidate;
            }
        }
    }

    pub fn contains(&self, id: &str) -> bool {
        self.used.contains(id)
    }

    pub fn into_ids(self) -> HashSet<String> {
        self.used
    }
}

/// Nests a flat list of headings by level (an h3 after an h2 goes inside it).
pub fn nest(flat: Vec<TocEntry>) -> Vec<TocEntry> {
    let mut roots: Vec<TocEntry> = Vec::new();
    for entry in flat {
        insert(&mut roots, entry);
    }
    roots
}

fn insert(siblings: &mut Vec<TocEntry>, entry: TocEntry) {
    match siblings.last_mut() {
        Some(last) if last.level < entry.level => insert(&mut last.children, entry),
        _ => siblings.push(entry),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_unique_and_unicode() {
        let mut ids = IdAllocator::default();
        assert_eq!(ids.allocate("Ordre du jour"), "ordre-du-jour");
        assert_eq!(ids.allocate("Ordre du jour"), "ordre-du-jour-1");
        assert_eq!(ids.allocate("会議の概要"), "会議の概要");
        assert_eq!(ids.allocate("!!!"), "section");
        assert!(!ids.reserve("ordre-du-jour"));
    }

    #[test]
    fn nests_by_level() {
        let e = |level, id: &str| TocEntry {
            level,
            id: id.into(),
            title: id.into(),
            children: vec![],
        };
        let toc = nest(vec![e(2, "a"), e(3, "b"), e(3, "c"), e(2, "d"), e(4, "e")]);
        assert_eq!(toc.len(), 2);
        assert_eq!(toc[0].children.len(), 2);
        assert_eq!(toc[1].children[0].id, "e");
    }
}
