//! Stage 2, index: group versions into documents, attach them to sections and taxonomy terms,
//! give every version (and every missing translation) its URL, and check that no two outputs
//! collide. The resulting [`Site`] is read-only for the later stages.

pub mod urls;

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::PathBuf;

use crate::config::Config;
use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::load::{Loaded, Version, VersionKind, CONTENT_DIR};
use crate::paths::{check_segment, check_url_path, collision_key, slugify};
use rayon::prelude::*;

/// A document: the same text in one or more languages.
#[derive(Debug, Clone)]
pub struct Document {
    /// `translation_key`, or the content path of its versions.
    pub key: String,
    /// Index into [`Site::sections`].
    pub section: usize,
    /// Language → index into [`Site::versions`].
    pub versions: BTreeMap<String, usize>,
    /// The language the document was written in.
    pub original: String,
    /// Language → URL for every site language: the version's own URL where it exists, else the
    /// URL of the generated "not available in this language" page.
    pub urls: BTreeMap<String, String>,
    /// [`crate::translation::body_hash`] of the original's text, what a current translation
    /// records. Kept here so that a build can let go of the Markdown once it is rendered.
    pub original_hash: String,
}

impl Document {
    pub fn has(&self, lang: &str) -> bool {
        self.versions.contains_key(lang)
    }
}

/// A section: a folder with `_index.<lang>.md` (the home page is the section at `""`).
#[derive(Debug, Clone)]
pub struct Section {
    pub content_path: String,
    /// Language → index of its `_index` version.
    pub versions: BTreeMap<String, usize>,
    /// Documents, newest first (then by title), the same order in every language.
    pub documents: Vec<usize>,
    /// Direct subsections, by content path.
    pub subsections: Vec<usize>,
    /// The URL segments after the language (`[meetings]`; empty for home).
    pub segments: Vec<String>,
}

/// A taxonomy declared in `site.yaml`, with the documents of each term key.
#[derive(Debug, Clone)]
pub struct Taxonomy {
    pub name: String,
    /// Term key → documents, newest first.
    pub terms: BTreeMap<String, Vec<usize>>,
    /// Term key → the term as first written in front matter, when that differs from the key
    /// (`cities: [Mexico City]` has the key `mexico-city`): the name shown when no i18n file
    /// names the term.
    pub labels: BTreeMap<String, String>,
}

/// Everything known about the site after indexing.
#[derive(Debug)]
pub struct Site {
    pub config: Config,
    pub versions: Vec<Version>,
    /// URL of each version, same indices as `versions` (sections included).
    pub version_urls: Vec<String>,
    /// Index of the document of each page version (`None` for `_index` versions).
    pub version_documents: Vec<Option<usize>>,
    pub documents: Vec<Document>,
    pub sections: Vec<Section>,
    pub taxonomies: Vec<Taxonomy>,
    /// Non-Markdown files under `content/`, copied to the same path in the output.
    pub assets: Vec<String>,
    /// Content path (of any version, with or without translation key) → document.
    pub by_content_path: HashMap<String, usize>,
    /// Content paths whose files failed to load (links to them are not reported again).
    pub broken: BTreeSet<String>,
    /// Collision keys of output files already reported as colliding, so the output stage does
    /// not report them a second time.
    pub collisions: BTreeSet<String>,
    /// Built with drafts (`--drafts`): a preview for editors, so the editors' translation
    /// status page is rendered too; a production build never has it.
    pub drafts: bool,
}

impl Site {
    /// Documents sorted newest first, then by title in their original language.
    fn sort_documents(&self, docs: &mut [usize]) {
        docs.sort_by(|&a, &b| {
            let (va, vb) = (self.original_version(a), self.original_version(b));
            vb.front
                .date
                .cmp(&va.front.date)
                .then_with(|| va.front.weight.cmp(&vb.front.weight))
                .then_with(|| va.front.title.cmp(&vb.front.title))
                .then_with(|| self.documents[a].key.cmp(&self.documents[b].key))
        });
    }

    /// The version written in the document's original language.
    pub fn original_version(&self, doc: usize) -> &Version {
        let d = &self.documents[doc];
        &self.versions[d.versions[&d.original]]
    }

    /// The version a reader of `lang` sees: theirs where it exists, else the original.
    pub fn version_for(&self, doc: usize, lang: &str) -> usize {
        let d = &self.documents[doc];
        d.versions
            .get(lang)
            .copied()
            .unwrap_or(d.versions[&d.original])
    }

    pub fn section_by_path(&self, content_path: &str) -> Option<usize> {
        self.sections
            .iter()
            .position(|s| s.content_path == content_path)
    }

    /// A folder or taxonomy name as a URL segment in `lang`: its translation from
    /// `slugs:` in i18n/<lang>.yaml, else itself.
    pub fn segment(&self, lang: &str, name: &str) -> String {
        self.config
            .language(lang)
            .and_then(|l| l.slugs.get(name))
            .cloned()
            .unwrap_or_else(|| name.to_string())
    }

    fn translated(&self, lang: &str, segments: &[String]) -> Vec<String> {
        segments.iter().map(|s| self.segment(lang, s)).collect()
    }

    /// The section's URL in a language.
    pub fn section_url(&self, section: usize, lang: &str) -> String {
        urls::join(
            lang,
            &self.translated(lang, &self.sections[section].segments),
        )
    }

    pub fn taxonomy_url(&self, taxonomy: &str, lang: &str) -> String {
        urls::join(lang, &[self.segment(lang, taxonomy)])
    }

    pub fn term_url(&self, taxonomy: &str, term: &str, lang: &str) -> String {
        urls::join(lang, &[self.segment(lang, taxonomy), term.to_string()])
    }

    /// The URL of a page at `content_path` in `lang` with its last segment `slug`.
    fn page_url(&self, lang: &str, content_path: &str, slug: String) -> String {
        let mut segments = self.translated(lang, &urls::folder_segments(parent_path(content_path)));
        segments.push(slug);
        urls::join(lang, &segments)
    }

    /// Display name of a term in a language: i18n of that language, else the default
    /// language's, else the key itself.
    pub fn term_name(&self, taxonomy: &str, term: &str, lang: &str) -> String {
        let lookup = |code: &str| {
            self.config
                .language(code)
                .and_then(|l| l.terms.get(taxonomy))
                .and_then(|t| t.get(term))
                .cloned()
        };
        lookup(lang)
            .or_else(|| lookup(&self.config.default_language))
            .or_else(|| {
                self.taxonomies
                    .iter()
                    .find(|t| t.name == taxonomy)
                    .and_then(|t| t.labels.get(term).cloned())
            })
            .unwrap_or_else(|| term.to_string())
    }
}

/// Builds the [`Site`] from what `load` read.
pub fn index(config: Config, loaded: Loaded, problems: &mut Diagnostics) -> Site {
    let Loaded {
        mut versions,
        assets,
        broken,
        drafts,
    } = loaded;
    versions.sort_by(|a, b| a.file.cmp(&b.file));
    let mut site = Site {
        config,
        version_urls: vec![String::new(); versions.len()],
        version_documents: vec![None; versions.len()],
        versions,
        documents: Vec::new(),
        sections: Vec::new(),
        taxonomies: Vec::new(),
        assets,
        by_content_path: HashMap::new(),
        broken,
        collisions: BTreeSet::new(),
        drafts,
    };
    build_sections(&mut site, problems);
    build_documents(&mut site, problems);
    assign_urls(&mut site, problems);
    build_taxonomies(&mut site, problems);
    check_front_matter_references(&site, problems);
    site.collisions = check_collisions(&site, problems);
    site
}

fn build_sections(site: &mut Site, problems: &mut Diagnostics) {
    // Home always exists, with or without `_index` files.
    let mut by_path: BTreeMap<String, BTreeMap<String, usize>> = BTreeMap::new();
    by_path.insert(String::new(), BTreeMap::new());
    for (index, version) in site.versions.iter().enumerate() {
        if version.kind != VersionKind::Section {
            continue;
        }
        let langs = by_path.entry(version.content_path.clone()).or_default();
        if let Some(&other) = langs.get(&version.lang) {
            problems.push(duplicate_language(&site.versions[other], version));
        } else {
            langs.insert(version.lang.clone(), index);
        }
    }
    site.sections = by_path
        .into_iter()
        .map(|(content_path, versions)| Section {
            segments: urls::folder_segments(&content_path),
            content_path,
            versions,
            documents: Vec::new(),
            subsections: Vec::new(),
        })
        .collect();
    for i in 1..site.sections.len() {
        let parent = nearest_section(site, parent_path(&site.sections[i].content_path));
        site.sections[parent].subsections.push(i);
    }
    // Subsections in `weight` order (of any of their `_index` files), then by path.
    let weight = |site: &Site, section: usize| {
        site.sections[section]
            .versions
            .values()
            .find_map(|&v| site.versions[v].front.weight)
            .unwrap_or(i64::MAX)
    };
    for i in 0..site.sections.len() {
        let mut subsections = std::mem::take(&mut site.sections[i].subsections);
        subsections.sort_by_key(|&s| (weight(site, s), site.sections[s].content_path.clone()));
        site.sections[i].subsections = subsections;
    }
}

fn parent_path(path: &str) -> &str {
    path.rsplit_once('/').map_or("", |(parent, _)| parent)
}

/// The section that owns something at `folder`: the section at that folder or its closest ancestor.
fn nearest_section(site: &Site, mut folder: &str) -> usize {
    loop {
        if let Some(i) = site.section_by_path(folder) {
            return i;
        }
        if folder.is_empty() {
            return 0;
        }
        folder = parent_path(folder);
    }
}

fn duplicate_language(first: &Version, second: &Version) -> Diagnostic {
    use unicode_normalization::UnicodeNormalization;
    let (a, b) = (first.file.to_string_lossy(), second.file.to_string_lossy());
    if a != b && a.nfc().eq(b.nfc()) {
        return Diagnostic::error(format!(
            "two files have the same name written in two Unicode forms (accents as one character in one, as a letter plus a combining accent in the other): {} and {}",
            first.file.display(),
            second.file.display()
        ))
        .in_file(&second.file)
        .hint("one is usually a copy saved on macOS; delete it, or rename one of the two files");
    }
    Diagnostic::error(format!(
        "two versions in language `{}` of the same document: {} and {}",
        second.lang,
        first.file.display(),
        second.file.display()
    ))
    .in_file(&second.file)
    .at(1, 1)
    .hint("a document has one version per language: remove one, or give them different `translation_key`s")
}

fn build_documents(site: &mut Site, problems: &mut Diagnostics) {
    // Group by content path, then merge groups that share a translation key.
    let mut groups: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    for (index, version) in site.versions.iter().enumerate() {
        if version.kind == VersionKind::Page {
            groups
                .entry(version.content_path.clone())
                .or_default()
                .push(index);
        }
    }
    let mut merged: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    for (content_path, members) in groups {
        let keys: BTreeSet<&str> = members
            .iter()
            .filter_map(|&i| site.versions[i].front.translation_key.as_deref())
            .collect();
        if keys.len() > 1 {
            let v = &site.versions[members[0]];
            problems.push(
                Diagnostic::error(format!(
                    "the versions of `{content_path}` have different translation keys: {}",
                    keys.iter().copied().collect::<Vec<_>>().join(", ")
                ))
                .in_file(&v.file)
                .at(v.front.line_of("translation_key"), 1)
                .hint("versions of one document share their path or one `translation_key`"),
            );
        }
        let key = keys
            .into_iter()
            .next()
            .map_or(content_path, |k| format!("key:{k}"));
        merged.entry(key).or_default().extend(members);
    }
    for (key, members) in merged {
        let mut versions = BTreeMap::new();
        for index in members {
            let version = &site.versions[index];
            if let Some(&other) = versions.get(&version.lang) {
                problems.push(duplicate_language(&site.versions[other], version));
                continue;
            }
            versions.insert(version.lang.clone(), index);
        }
        let original = original_language(site, &versions, problems);
        let doc = site.documents.len();
        let original_version = &site.versions[versions[&original]];
        let section = nearest_section(site, parent_path(&original_version.content_path));
        for &index in versions.values() {
            site.version_documents[index] = Some(doc);
            site.by_content_path
                .insert(site.versions[index].content_path.clone(), doc);
        }
        site.documents.push(Document {
            key: key.strip_prefix("key:").unwrap_or(&key).to_string(),
            section,
            versions,
            original,
            urls: BTreeMap::new(),
            original_hash: String::new(),
        });
        site.sections[section].documents.push(doc);
    }
    let hashes: Vec<String> = (0..site.documents.len())
        .into_par_iter()
        .map(|doc| crate::translation::body_hash(&site.original_version(doc).body))
        .collect();
    for (document, hash) in site.documents.iter_mut().zip(hashes) {
        document.original_hash = hash;
    }
    for i in 0..site.sections.len() {
        let mut docs = std::mem::take(&mut site.sections[i].documents);
        site.sort_documents(&mut docs);
        site.sections[i].documents = docs;
    }
}

fn original_language(
    site: &Site,
    versions: &BTreeMap<String, usize>,
    problems: &mut Diagnostics,
) -> String {
    let mut declared: Option<(&str, &Version)> = None;
    for &index in versions.values() {
        let version = &site.versions[index];
        let Some(original) = version.front.original.as_deref() else {
            continue;
        };
        let bad = |message: String| {
            Diagnostic::error(message)
                .in_file(&version.file)
                .at(version.front.line_of("original"), 1)
        };
        if !versions.contains_key(original) {
            let langs: Vec<&str> = versions.keys().map(String::as_str).collect();
            problems.push(
                bad(format!(
                    "`original: {original}` but the document has no `{original}` version"
                ))
                .hint(format!(
                "`original` names the language the document was written in; its versions are: {}",
                langs.join(", ")
            )),
            );
            continue;
        }
        match declared {
            Some((first, _)) if first != original => problems.push(
                bad(format!(
                    "`original: {original}` disagrees with `original: {first}` in another version"
                ))
                .hint("give the same `original` in every version, or only in one"),
            ),
            _ => declared = Some((original, version)),
        }
    }
    if let Some((original, _)) = declared {
        return original.to_string();
    }
    if versions.contains_key(&site.config.default_language) {
        return site.config.default_language.clone();
    }
    site.config
        .languages
        .iter()
        .find(|l| versions.contains_key(&l.code))
        .map(|l| l.code.clone())
        .unwrap_or_else(|| versions.keys().next().cloned().unwrap_or_default())
}

fn assign_urls(site: &mut Site, problems: &mut Diagnostics) {
    let mut version_urls = Vec::with_capacity(site.versions.len());
    for (index, version) in site.versions.iter().enumerate() {
        let url = match version.kind {
            VersionKind::Section => {
                let segments = urls::folder_segments(&version.content_path);
                urls::join(&version.lang, &site.translated(&version.lang, &segments))
            }
            VersionKind::Page => {
                let slug = match urls::version_slug(
                    version.front.slug.as_deref(),
                    &version.content_path,
                ) {
                    Ok(slug) => slug,
                    Err(message) => {
                        problems.push(
                            Diagnostic::error(message)
                                .in_file(&version.file)
                                .at(version.front.line_of("slug"), 1)
                                .hint("a slug is one URL segment: letters, digits and hyphens, e.g. `slug: 2016-reykjavik`"),
                        );
                        format!("invalid-slug-{index}")
                    }
                };
                site.page_url(&version.lang, &version.content_path, slug)
            }
        };
        version_urls.push(url);
    }
    site.version_urls = version_urls;
    let languages = site.config.language_codes();
    let mut all_urls = Vec::with_capacity(site.documents.len());
    for doc in &site.documents {
        let original = doc.versions[&doc.original];
        // A missing translation's page sits where the translation would: the reader's
        // language, its translated section names, the original's slug.
        let original_slug = site.version_urls[original]
            .trim_end_matches('/')
            .rsplit('/')
            .next()
            .unwrap_or_default()
            .to_string();
        let content_path = &site.versions[original].content_path;
        let urls: BTreeMap<String, String> = languages
            .iter()
            .map(|lang| {
                let url = match doc.versions.get(lang) {
                    Some(&v) => site.version_urls[v].clone(),
                    None => site.page_url(lang, content_path, original_slug.clone()),
                };
                (lang.clone(), url)
            })
            .collect();
        all_urls.push(urls);
    }
    for (doc, urls) in site.documents.iter_mut().zip(all_urls) {
        doc.urls = urls;
    }
}

fn build_taxonomies(site: &mut Site, problems: &mut Diagnostics) {
    collect_terms(site, problems);
    // From here on, front matter holds term keys: `Mexico City` became `mexico-city`.
    for version in &mut site.versions {
        terms_to_keys(&mut version.front);
    }
}

/// Replaces the terms of `front` by their keys (`Mexico City` → `mexico-city`), dropping
/// invalid ones (reported by the index) and repeats.
pub fn terms_to_keys(front: &mut crate::load::frontmatter::FrontMatter) {
    for terms in front.taxonomies.values_mut() {
        let mut keys: Vec<String> = Vec::with_capacity(terms.len());
        for term in terms.iter() {
            let key = slugify(term);
            if !key.is_empty() && check_segment(&key).is_ok() && !keys.contains(&key) {
                keys.push(key);
            }
        }
        *terms = keys;
    }
}

fn collect_terms(site: &mut Site, problems: &mut Diagnostics) {
    let mut taxonomies: Vec<Taxonomy> = site
        .config
        .taxonomies
        .iter()
        .map(|name| Taxonomy {
            name: name.clone(),
            terms: BTreeMap::new(),
            labels: BTreeMap::new(),
        })
        .collect();
    for (doc_index, doc) in site.documents.iter().enumerate() {
        for &v in doc.versions.values() {
            let version = &site.versions[v];
            for taxonomy in &mut taxonomies {
                for term in version
                    .front
                    .taxonomies
                    .get(&taxonomy.name)
                    .into_iter()
                    .flatten()
                {
                    // A term is written as its key (`mexico-city`) or as a name whose slug is
                    // the key (`Mexico City`), as in Hugo and Zola.
                    let key = slugify(term);
                    if key.is_empty() || check_segment(&key).is_err() {
                        problems.push(
                            Diagnostic::error(format!("`{term}` is not a valid {} term key", taxonomy.name))
                                .in_file(&version.file)
                                .at(version.front.line_of(&taxonomy.name), 1)
                                .hint(format!(
                                    "term keys are lowercase slugs shared by all languages (e.g. `reykjavik`); the displayed name goes in i18n/<lang>.yaml under `terms: {{ {}: {{ reykjavik: … }} }}`",
                                    taxonomy.name
                                )),
                        );
                        continue;
                    }
                    if key != *term {
                        taxonomy
                            .labels
                            .entry(key.clone())
                            .or_insert_with(|| term.clone());
                    }
                    let docs = taxonomy.terms.entry(key).or_default();
                    if docs.last() != Some(&doc_index) {
                        docs.push(doc_index);
                    }
                }
            }
        }
    }
    for taxonomy in &mut taxonomies {
        for docs in taxonomy.terms.values_mut() {
            site.sort_documents(docs);
        }
    }
    site.taxonomies = taxonomies;
}

fn check_front_matter_references(site: &Site, problems: &mut Diagnostics) {
    let assets: BTreeSet<&str> = site.assets.iter().map(String::as_str).collect();
    for version in &site.versions {
        for alias in &version.front.aliases {
            if let Err(why) = check_url_path(alias) {
                problems.push(
                    Diagnostic::error(format!("alias `{alias}` cannot be used: {why}"))
                        .in_file(&version.file)
                        .at(version.front.line_of("aliases"), 1)
                        .hint("an alias is an old address of this page on this site, e.g. `/fr/reunions/reykjavik/`"),
                );
            }
        }
        for attachment in &version.front.attachments {
            let file = attachment.file();
            let ok = check_segment(file).is_ok() && {
                let full = if version.folder.is_empty() {
                    file.to_string()
                } else {
                    format!("{}/{file}", version.folder)
                };
                assets.contains(full.as_str())
            };
            if !ok {
                problems.push(
                    Diagnostic::error(format!("attachment `{file}` not found beside {}", version.file.display()))
                        .in_file(&version.file)
                        .at(version.front.line_of("attachments"), 1)
                        .hint("put the file in the same folder as the document (a bundle: folder/index.<lang>.md) and give its file name"),
                );
            }
        }
    }
}

/// Every output path must be unique, even on case-insensitive, normalising file systems.
fn check_collisions(site: &Site, problems: &mut Diagnostics) -> BTreeSet<String> {
    let mut seen: HashMap<String, (String, PathBuf)> = HashMap::new();
    let mut collided = BTreeSet::new();
    {
        let mut claim = |url: String, owner: PathBuf, what: &str| {
            let key = collision_key(&urls::output_file(&url));
            if let Some((other_url, other)) = seen.get(&key) {
                if other != &owner {
                    collided.insert(key);
                    problems.push(
                        Diagnostic::error(format!(
                            "{what} `{url}` collides with `{other_url}` from {}",
                            other.display()
                        ))
                        .in_file(&owner)
                        .hint("two outputs would be the same file (case and accents are compared loosely): change a `slug`, a file name or an alias"),
                    );
                }
            } else {
                seen.insert(key, (url, owner));
            }
        };
        for (index, version) in site.versions.iter().enumerate() {
            claim(
                site.version_urls[index].clone(),
                version.file.clone(),
                "the URL",
            );
            for alias in &version.front.aliases {
                if check_url_path(alias).is_ok() {
                    let url = if alias.ends_with('/')
                        || alias.rsplit('/').next().is_some_and(|s| s.contains('.'))
                    {
                        alias.clone()
                    } else {
                        format!("{alias}/")
                    };
                    claim(url, version.file.clone(), "the alias");
                }
            }
        }
        for doc in &site.documents {
            let original = &site.versions[doc.versions[&doc.original]];
            for (lang, url) in &doc.urls {
                if !doc.has(lang) {
                    claim(url.clone(), original.file.clone(), "the not-available page");
                }
            }
        }
        for asset in &site.assets {
            claim(
                format!("/{asset}"),
                PathBuf::from(CONTENT_DIR).join(asset),
                "the file",
            );
        }
        for (index, section) in site.sections.iter().enumerate() {
            for lang in &site.config.languages {
                if !section.versions.contains_key(&lang.code) {
                    let owner = PathBuf::from(CONTENT_DIR).join(&section.content_path);
                    claim(
                        site.section_url(index, &lang.code),
                        owner,
                        "the section page",
                    );
                }
            }
        }
        for taxonomy in &site.taxonomies {
            for lang in &site.config.languages {
                claim(
                    site.taxonomy_url(&taxonomy.name, &lang.code),
                    PathBuf::from(crate::config::SITE_FILE),
                    "the taxonomy page",
                );
            }
        }
    }
    collided
}

/// hreflang sets: who is whose translation. The same function feeds the page `<head>` and
/// the sitemap, so the two always agree and every set is reciprocal.
impl Site {
    /// Every real version of a document, plus `x-default` → its original.
    pub fn document_alternates(&self, doc: usize) -> Vec<(String, String)> {
        let document = &self.documents[doc];
        let mut set: Vec<(String, String)> = self
            .config
            .languages
            .iter()
            .filter_map(|l| {
                document
                    .versions
                    .get(&l.code)
                    .map(|&v| (l.code.clone(), self.version_urls[v].clone()))
            })
            .collect();
        set.push((
            "x-default".to_string(),
            self.version_urls[document.versions[&document.original]].clone(),
        ));
        set
    }

    /// A page that exists in every language (lists, terms): all of them, `x-default` → the
    /// default language (or `x_default` when given, e.g. `/` for home pages).
    pub fn every_language_alternates(
        &self,
        url_for: impl Fn(&str) -> String,
        x_default: Option<String>,
    ) -> Vec<(String, String)> {
        let mut set: Vec<(String, String)> = self
            .config
            .languages
            .iter()
            .map(|l| (l.code.clone(), url_for(&l.code)))
            .collect();
        set.push((
            "x-default".to_string(),
            x_default.unwrap_or_else(|| url_for(&self.config.default_language)),
        ));
        set
    }

    /// The absolute URL of a site path (percent-encoded, base URL's path included).
    pub fn permalink(&self, url: &str) -> String {
        let base = &self.config.base_url;
        let mut permalink = String::with_capacity(base.len() + url.len() + 16);
        permalink.push_str(base);
        crate::paths::encode_path_into(url, &mut permalink);
        permalink
    }

    /// The URL to use in `href`s: the base URL's path, then the site path.
    ///
    /// Built without `format!`, as [`Site::permalink`]: every page asks for dozens (its
    /// switcher, alternates, lists, citations), and the formatting machinery costs several
    /// times the copy.
    pub fn href(&self, url: &str) -> String {
        let base = self.config.base_path();
        let mut href = String::with_capacity(base.len() + url.len());
        href.push_str(base);
        href.push_str(url);
        href
    }
}

/// Warnings for taxonomy terms used by documents but not named in some language's i18n file:
/// the page still builds (the default language's name, else the key, is shown).
pub fn missing_term_names(site: &Site) -> Vec<Diagnostic> {
    let mut problems = Vec::new();
    for language in &site.config.languages {
        for taxonomy in &site.taxonomies {
            let named = language.terms.get(&taxonomy.name);
            let missing: Vec<&str> = taxonomy
                .terms
                .keys()
                .filter(|term| !named.is_some_and(|names| names.contains_key(*term)))
                // A term written as a name (`Mexico City`) is shown as written.
                .filter(|term| !taxonomy.labels.contains_key(*term))
                .map(String::as_str)
                .collect();
            if missing.is_empty() {
                continue;
            }
            problems.push(
                Diagnostic::warning(format!(
                    "{} {} of `{}` {} no name in `{}`: {}",
                    missing.len(),
                    if missing.len() == 1 { "term" } else { "terms" },
                    taxonomy.name,
                    if missing.len() == 1 { "has" } else { "have" },
                    language.code,
                    missing.join(", ")
                ))
                .in_file(&language.file)
                .hint(format!(
                    "add them under `terms: {{ {}: {{ {}: … }} }}`; until then the default language's name (or the key) is shown",
                    taxonomy.name, missing[0]
                )),
            );
        }
    }
    problems
}
