//! The data each template receives, as plain serializable structs. The README documents every
//! field; templates see exactly these names.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::markdown::TocEntry;

#[derive(Debug, Clone, Serialize)]
pub struct SiteCtx {
    pub title: String,
    pub description: String,
    pub base_url: String,
    pub default_language: String,
    pub languages: Vec<LanguageCtx>,
    pub taxonomies: Vec<String>,
    pub extra: serde_json::Value,
}

#[derive(Debug, Clone, Serialize)]
pub struct LanguageCtx {
    pub code: String,
    pub name: String,
    pub dir: &'static str,
    /// Home page URL in that language.
    pub url: String,
}

/// `<link rel="alternate" hreflang href>`: one per real version, plus `x-default`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Alternate {
    pub hreflang: String,
    /// Absolute URL.
    pub href: String,
}

/// One entry of the language switcher; there is one for every site language.
#[derive(Debug, Clone, Serialize)]
pub struct SwitchEntry {
    pub lang: String,
    pub name: String,
    pub dir: &'static str,
    pub url: String,
    /// False when the target is the "not available in this language" page.
    pub available: bool,
    pub current: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct TermRef {
    pub key: String,
    pub name: String,
    pub url: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct AttachmentCtx {
    pub file: String,
    pub title: String,
    pub url: String,
    /// Absolute URL, for metadata (`citation_pdf_url`).
    pub permalink: String,
    pub size: u64,
    pub media_type: &'static str,
    /// The file's language (the version's unless the front matter says otherwise).
    pub lang: String,
    pub language_name: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct PageCtx {
    pub title: String,
    pub date: Option<String>,
    pub date_long: Option<String>,
    pub end_date: Option<String>,
    pub end_date_long: Option<String>,
    pub place: Option<String>,
    pub summary: Option<String>,
    pub content: String,
    pub toc: Vec<TocEntry>,
    pub url: String,
    pub permalink: String,
    pub lang: String,
    pub original: String,
    pub is_original: bool,
    /// Languages the document exists in, in site order.
    pub languages: Vec<String>,
    pub taxonomies: BTreeMap<String, Vec<TermRef>>,
    pub attachments: Vec<AttachmentCtx>,
    pub section_title: String,
    pub section_url: String,
    pub extra: serde_json::Value,
    /// Citation metadata: `citation_*` and Open Graph tags, JSON-LD, BibTeX, RIS.
    pub citation: super::citation::CitationCtx,
}

/// The documents of a list page. Templates see a list of [`ListItem`]s either way.
#[derive(Debug, Clone)]
pub enum ListItems {
    /// Made for this page: the empty lists of a taxonomy page's terms, and any list made and
    /// hashed at once, whose hash must not depend on how Tera stores a value (its maps iterate
    /// in a random order). List pages are made either for rendering or for their hash.
    Made(Vec<ListItem>),
    /// Made into Tera values once per document and language and shared by every list they
    /// are on (a document is on its section's pages and on each of its terms' pages): cloning
    /// a value shares its map.
    Shared(Vec<tera::Value>),
    /// The hash of each item, for a context that is only hashed ([`super::Mode::HashOnly`]):
    /// a list page's hash then costs a look-up per item, not the item made again (the items
    /// were most of the time a `serve` rebuild spent hashing the site's pages).
    Hashed(Vec<u64>),
}

impl Default for ListItems {
    fn default() -> Self {
        ListItems::Made(Vec::new())
    }
}

impl Serialize for ListItems {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            ListItems::Made(items) => items.serialize(serializer),
            ListItems::Shared(values) => values.serialize(serializer),
            ListItems::Hashed(hashes) => hashes.serialize(serializer),
        }
    }
}

/// A document in a list, shown in the reader's language where it exists.
#[derive(Debug, Clone, Serialize)]
pub struct ListItem {
    pub title: String,
    pub url: String,
    pub lang: String,
    /// `lang`'s writing direction (`ltr` or `rtl`), for a card shown in another language.
    pub dir: &'static str,
    pub date: Option<String>,
    pub date_long: Option<String>,
    pub place: Option<String>,
    pub summary: Option<String>,
    pub languages: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Paginator {
    pub current: usize,
    pub total: usize,
    pub previous: Option<String>,
    pub next: Option<String>,
    pub first: String,
    pub pages: PageLinks,
}

/// The links to every page of a list, as a paginator gives them.
#[derive(Debug, Clone)]
pub enum PageLinks {
    /// Made for this page: a list made and hashed at once (see [`ListItems::Made`]).
    Made(Vec<String>),
    /// One Tera array shared by every page of the list: a theme that links to every page from
    /// each one (the ICC theme does) would otherwise have the same links made, and made into
    /// Tera's strings, once per page, a cost that grows with the square of the list's length.
    Shared(tera::Value),
    /// Not made: the context is only hashed, and the paginator's `first` and `total`, hashed
    /// with it, say what the links are.
    Implied,
}

impl Serialize for PageLinks {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            PageLinks::Made(links) => links.serialize(serializer),
            PageLinks::Shared(links) => links.serialize(serializer),
            PageLinks::Implied => serializer.serialize_unit(),
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct LinkCtx {
    pub title: String,
    pub url: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct SectionCtx {
    pub title: String,
    pub content: String,
    pub url: String,
    pub items: ListItems,
    pub subsections: Vec<LinkCtx>,
    pub paginator: Paginator,
}

#[derive(Debug, Clone, Serialize)]
pub struct TermCtx {
    pub key: String,
    pub name: String,
    pub url: String,
    pub count: usize,
    pub items: ListItems,
    pub paginator: Option<Paginator>,
}

#[derive(Debug, Clone, Serialize)]
pub struct TaxonomyCtx {
    pub name: String,
    pub title: String,
    pub url: String,
    pub terms: Vec<TermCtx>,
}

#[derive(Debug, Clone, Serialize)]
pub struct VersionLink {
    pub lang: String,
    /// `lang`'s writing direction (`ltr` or `rtl`).
    pub dir: &'static str,
    pub language_name: String,
    pub title: String,
    pub url: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct MissingDocumentCtx {
    pub title: String,
    pub original: String,
    pub versions: Vec<VersionLink>,
}

/// `status.html`: the editors' translation status page.
#[derive(Debug, Clone, Serialize)]
pub struct StatusCtx {
    /// The columns, in site order.
    pub languages: Vec<LanguageCtx>,
    pub documents: Vec<StatusDocument>,
    pub totals: Vec<StatusTotals>,
}

/// One row of the status table: a document in every language.
#[derive(Debug, Clone, Serialize)]
pub struct StatusDocument {
    pub key: String,
    /// The original version's title, in the original language (`lang`, `dir`).
    pub title: String,
    pub lang: String,
    pub dir: &'static str,
    pub cells: Vec<StatusCell>,
}

#[derive(Debug, Clone, Serialize)]
pub struct StatusCell {
    pub lang: String,
    /// `original`, `current`, `outdated` or `missing`.
    pub state: &'static str,
    /// The state in the page's language.
    pub label: String,
    /// The version's URL, when it exists.
    pub url: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct StatusTotals {
    pub language: LanguageCtx,
    pub original: usize,
    pub current: usize,
    pub outdated: usize,
    pub missing: usize,
}
