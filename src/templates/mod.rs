//! Stage 4, templates: every page of the site rendered with Tera, in parallel.
//!
//! [`jobs`] lists every page to produce (each version, each "not available" page, each list
//! page of each section and term in each language, the root chooser, 404, aliases, and in
//! builds with drafts the editors' translation status page);
//! [`render`] renders them with rayon. Output order is the job order, never thread order.

pub mod bodies;
pub mod citation;
pub mod context;
pub mod engine;
mod escape;
pub mod fingerprint;
pub mod graph;
mod hashing;
pub mod metrics;
pub mod partials;
mod status;

use std::collections::BTreeMap;
use std::sync::{Mutex, OnceLock};

use fingerprint::{Mode, PageContext, Reuse};

use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::i18n::I18n;
use crate::index::{urls, Site};
use crate::load::{Date, VersionKind};
use crate::markdown::RenderedBody;
pub use bodies::Bodies;
use context::*;
pub use engine::Engine;

/// Pages rendered ahead of the one being handed over (see [`Renderer::render_all`]): enough
/// that the cores never wait for the hand-over's slower moments (a large page to write, the
/// search index's queue full), few enough to be a few megabytes.
pub const PAGES_AHEAD: usize = 512;

/// A rendered file, relative to the output folder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutputFile {
    /// `/`-separated, e.g. `fr/meetings/2016-reykjavik/index.html`.
    pub path: String,
    pub contents: Vec<u8>,
    /// The hash of the page's template and context, when the renderer hashes them (see
    /// [`fingerprint`]).
    pub context_hash: Option<u64>,
    /// Whether the page is the previous build's, its inputs being unchanged (see [`Reuse`]):
    /// `contents` is then empty, the previous bytes staying where they are.
    pub reused: bool,
    /// Files made with the page, to be written beside it: a document version's "cite this"
    /// downloads (`cite.bib`, `cite.ris`), whose text the page's context holds already, so
    /// they are made once, on the rendering threads, instead of again after the pages. Their
    /// contents are empty when the page is `reused`: the previous build's files stay too.
    pub beside: Vec<(String, Vec<u8>)>,
}

/// One page to render.
#[derive(Debug, Clone)]
pub enum Job {
    Version(usize),
    NotAvailable {
        doc: usize,
        lang: String,
    },
    Section {
        section: usize,
        lang: String,
        page: usize,
    },
    Taxonomy {
        taxonomy: usize,
        lang: String,
    },
    Term {
        taxonomy: usize,
        term: String,
        lang: String,
        page: usize,
    },
    Root,
    NotFound,
    Alias {
        version: usize,
        alias: String,
    },
    /// The editors' translation status page, only in builds with drafts (`templates/status.rs`).
    Status,
}

impl Job {
    /// Whether the page shows a list of documents (sections, the home page, terms).
    pub fn lists_documents(&self) -> bool {
        matches!(self, Job::Section { .. } | Job::Term { .. })
    }

    /// The language of the page, `None` for the pages of no language (root, 404, status).
    pub fn language<'a>(&'a self, site: &'a Site) -> Option<&'a str> {
        match self {
            Job::Version(v) | Job::Alias { version: v, .. } => Some(&site.versions[*v].lang),
            Job::NotAvailable { lang, .. }
            | Job::Section { lang, .. }
            | Job::Taxonomy { lang, .. }
            | Job::Term { lang, .. } => Some(lang),
            Job::Root | Job::NotFound | Job::Status => None,
        }
    }
}

/// Every page of the site, in a fixed order.
pub fn jobs(site: &Site) -> Vec<Job> {
    let mut jobs = Vec::new();
    let langs = site.config.language_codes();
    for (index, version) in site.versions.iter().enumerate() {
        if version.kind == VersionKind::Page && site.version_documents[index].is_some() {
            jobs.push(Job::Version(index));
        }
        for alias in &version.front.aliases {
            if crate::paths::check_url_path(alias).is_ok() {
                jobs.push(Job::Alias {
                    version: index,
                    alias: alias.clone(),
                });
            }
        }
    }
    for (doc, document) in site.documents.iter().enumerate() {
        for lang in &langs {
            if !document.has(lang) {
                jobs.push(Job::NotAvailable {
                    doc,
                    lang: lang.clone(),
                });
            }
        }
    }
    for (section_index, section) in site.sections.iter().enumerate() {
        let pages = if section_index == 0 {
            1
        } else {
            page_count(section.documents.len(), site.config.paginate)
        };
        for lang in &langs {
            for page in 1..=pages {
                jobs.push(Job::Section {
                    section: section_index,
                    lang: lang.clone(),
                    page,
                });
            }
        }
    }
    for (t, taxonomy) in site.taxonomies.iter().enumerate() {
        for lang in &langs {
            jobs.push(Job::Taxonomy {
                taxonomy: t,
                lang: lang.clone(),
            });
            for (term, docs) in &taxonomy.terms {
                for page in 1..=page_count(docs.len(), site.config.paginate) {
                    jobs.push(Job::Term {
                        taxonomy: t,
                        term: term.clone(),
                        lang: lang.clone(),
                        page,
                    });
                }
            }
        }
    }
    jobs.push(Job::Root);
    jobs.push(Job::NotFound);
    if site.drafts {
        jobs.push(Job::Status);
    }
    jobs
}

fn page_count(items: usize, per_page: usize) -> usize {
    items.div_ceil(per_page).max(1)
}

/// The site path a job renders to.
pub fn job_url(site: &Site, job: &Job) -> String {
    match job {
        Job::Version(v) => site.version_urls[*v].clone(),
        Job::NotAvailable { doc, lang } => site.documents[*doc].urls[lang].clone(),
        Job::Section {
            section,
            lang,
            page,
        } => urls::paginated(&site.section_url(*section, lang), *page),
        Job::Taxonomy { taxonomy, lang } => {
            site.taxonomy_url(&site.taxonomies[*taxonomy].name, lang)
        }
        Job::Term {
            taxonomy,
            term,
            lang,
            page,
        } => urls::paginated(
            &site.term_url(&site.taxonomies[*taxonomy].name, term, lang),
            *page,
        ),
        Job::Root => "/".to_string(),
        Job::NotFound => "/404.html".to_string(),
        Job::Status => status::URL.to_string(),
        Job::Alias { alias, .. } => {
            if alias.ends_with('/') || alias.rsplit('/').next().is_some_and(|s| s.contains('.')) {
                alias.clone()
            } else {
                format!("{alias}/")
            }
        }
    }
}

/// Everything the renderer reads.
pub struct Renderer<'a> {
    pub site: &'a Site,
    pub bodies: Bodies<'a>,
    pub rendered: &'a [RenderedBody],
    pub engine: &'a Engine,
    pub i18n: &'a I18n,
    /// Sizes of the files under content/, for attachments.
    pub asset_sizes: &'a BTreeMap<String, u64>,
    site_ctx: BTreeMap<String, tera::Value>,
    /// Per language: the home page's sections and the taxonomies, for menus.
    menus: BTreeMap<String, (tera::Value, tera::Value)>,
    /// The hash of `site_ctx` and `menus`, part of the build's fingerprint.
    shared_hash: u64,
    /// Whether contexts are hashed (see [`fingerprint`]).
    hashing: bool,
    /// The previous build's pages, for pages whose hash is unchanged.
    reuse: Option<Reuse<'a>>,
    /// Shared by the rendering threads, so an element repeated across pages is minified once.
    minifier: crate::output::minify::Minifier,
    /// Each document's list item in each language (`doc * languages + language`), as a Tera
    /// value made the first time a list shows it (see [`ListItems::Shared`]).
    list_items: Vec<OnceLock<tera::Value>>,
    /// Each document's list item in each language, hashed (same indices as `list_items`), for
    /// list pages whose context is only hashed (see [`ListItems::Hashed`]); empty unless
    /// contexts are hashed.
    item_hashes: Vec<OnceLock<u64>>,
    /// The links to every page of each paginated list (by its first page's URL and its number
    /// of pages), made the first time one of its pages is rendered (see [`PageLinks::Shared`]).
    page_links: Mutex<foldhash::HashMap<(String, usize), tera::Value>>,
    /// The rendering threads' time per template, for `--timings`.
    metrics: metrics::Metrics,
}

thread_local! {
    /// What Tera writes for a page, kept from page to page: its capacity grows to the largest
    /// page once, instead of each page's output growing (and being copied) from the template's
    /// size.
    static TERA_OUTPUT: std::cell::RefCell<Vec<u8>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// Renders `template` into this thread's [`TERA_OUTPUT`] and hands the text to `then`.
///
/// Tera's own `render` checks its output is UTF-8 with `String::from_utf8`; `simdutf8` does the
/// same check about four times as fast on text outside ASCII (1.2 % of a build's CPU before).
fn render_into_buffer<T>(
    tera: &tera::Tera,
    template: &str,
    context: &tera::Context,
    then: impl FnOnce(&str) -> T,
) -> tera::TeraResult<T> {
    let with = |buffer: &mut Vec<u8>| -> tera::TeraResult<T> {
        buffer.clear();
        tera.render_to(template, context, &mut *buffer)?;
        Ok(match simdutf8::basic::from_utf8(buffer) {
            Ok(html) => then(html),
            // Tera writes only strings: not reached, but never a panic.
            Err(_) => then(&String::from_utf8_lossy(buffer)),
        })
    };
    TERA_OUTPUT.with(|buffer| match buffer.try_borrow_mut() {
        Ok(mut buffer) => with(&mut buffer),
        // A page rendered while another is on the same thread (not done today): a buffer of
        // its own.
        Err(_) => with(&mut Vec::new()),
    })
}

impl<'a> Renderer<'a> {
    pub fn new(
        site: &'a Site,
        bodies: Bodies<'a>,
        rendered: &'a [RenderedBody],
        engine: &'a Engine,
        i18n: &'a I18n,
        asset_sizes: &'a BTreeMap<String, u64>,
    ) -> Self {
        // A partial kept from an earlier build may show values that have changed since.
        engine.partials.clear();
        let mut site_ctx = BTreeMap::new();
        let mut shared = fingerprint::Fingerprint::default();
        for language in &site.config.languages {
            let ctx = SiteCtx {
                title: site.config.title(&language.code).to_string(),
                description: site.config.description(&language.code).to_string(),
                base_url: site.config.base_url.clone(),
                default_language: site.config.default_language.clone(),
                languages: site
                    .config
                    .languages
                    .iter()
                    .map(|l| LanguageCtx {
                        code: l.code.clone(),
                        name: l.name.clone(),
                        dir: l.dir.as_str(),
                        url: site.href(&urls::join(&l.code, &[])),
                    })
                    .collect(),
                taxonomies: site.config.taxonomies.clone(),
                extra: serde_json::to_value(&site.config.extra).unwrap_or_default(),
            };
            shared.add_json(&ctx);
            site_ctx.insert(language.code.clone(), tera::Value::from_serializable(&ctx));
        }
        let mut renderer = Renderer {
            site,
            bodies,
            rendered,
            engine,
            i18n,
            asset_sizes,
            site_ctx,
            menus: BTreeMap::new(),
            shared_hash: 0,
            hashing: false,
            reuse: None,
            minifier: Default::default(),
            list_items: (0..site.documents.len() * site.config.languages.len())
                .map(|_| OnceLock::new())
                .collect(),
            item_hashes: Vec::new(),
            page_links: Mutex::default(),
            metrics: Default::default(),
        };
        for language in &site.config.languages {
            let lang = &language.code;
            let sections: Vec<LinkCtx> = site.sections[0]
                .subsections
                .iter()
                .map(|&s| LinkCtx {
                    title: renderer.section_title(s, lang),
                    url: site.href(&site.section_url(s, lang)),
                })
                .collect();
            let taxonomies: Vec<TaxonomyCtx> = site
                .taxonomies
                .iter()
                .map(|t| TaxonomyCtx {
                    name: t.name.clone(),
                    title: renderer.taxonomy_title(&t.name, lang),
                    url: site.href(&site.taxonomy_url(&t.name, lang)),
                    terms: Vec::new(),
                })
                .collect();
            shared.add_json(&sections).add_json(&taxonomies);
            let menu = (
                tera::Value::from_serializable(&sections),
                tera::Value::from_serializable(&taxonomies),
            );
            renderer.menus.insert(lang.clone(), menu);
        }
        renderer.shared_hash = shared.finish();
        renderer
    }

    /// Lets go of the values made for the lists ([`Renderer::list_items`], the paginations'
    /// links), once every page is rendered. At 10,000 documents they are 80,000 Tera maps, whose
    /// freeing took 0.17 s: the build calls this while the search index finishes its last
    /// language on the other core, rather than when the renderer goes, on the build's last
    /// stretch with one core busy.
    pub fn release_lists(&mut self) {
        // The partials hold the cards they were given.
        self.engine.partials.clear();
        drop(std::mem::take(&mut self.list_items));
        if let Ok(links) = self.page_links.get_mut() {
            drop(std::mem::take(links));
        }
    }

    /// Hashes every page's template and context (see [`fingerprint`]), and takes the previous
    /// build's page instead of rendering when its hash is the same (with `reuse`: the caller
    /// has checked that the build's fingerprint is).
    pub fn hashing_contexts(mut self, reuse: Option<Reuse<'a>>) -> Self {
        self.hashing = true;
        self.reuse = reuse;
        self.item_hashes = (0..self.list_items.len())
            .map(|_| OnceLock::new())
            .collect();
        self
    }

    /// The rendering threads' time per template so far, the costliest first.
    pub fn template_work(&self) -> Vec<(String, metrics::TemplateWork)> {
        self.metrics.report()
    }

    /// The hash of the values every page of a language shares (site, menus).
    pub fn shared_hash(&self) -> u64 {
        self.shared_hash
    }

    /// Renders every job on all the cores, each thread taking the next job when it is done with
    /// one, and hands the pages to `in_order` in job order, never thread order, on a thread of
    /// its own (to write, record and index them) while the next jobs render. At most
    /// [`PAGES_AHEAD`] pages are rendered ahead of the one being handed over, so only a few
    /// megabytes of pages are in memory at a time.
    pub fn render_all(
        &self,
        jobs: &[Job],
        progress: &dyn crate::build::Progress,
        problems: &mut Diagnostics,
        in_order: &mut (dyn FnMut(&Job, OutputFile) + Send),
    ) {
        let mut failures = Vec::new();
        crate::ordered::map_in_order(
            jobs,
            PAGES_AHEAD,
            |job| {
                let result = self.render(job);
                progress.advance(1);
                result
            },
            |job, result| match result {
                Ok(file) => in_order(job, file),
                Err(d) => failures.push(d),
            },
        );
        self.report(failures, problems);
    }

    /// Reports template failures; the same error on many pages is reported once, with a count.
    fn report(&self, failures: Vec<Diagnostic>, problems: &mut Diagnostics) {
        let mut errors: Vec<(Diagnostic, usize)> = Vec::new();
        for d in failures {
            let base = |d: &Diagnostic| {
                let m = &d.message;
                m[..m.rfind(" (while rendering ").unwrap_or(m.len())].to_string()
            };
            let same = errors.iter_mut().find(|(e, _)| {
                (&e.file, e.line, e.column) == (&d.file, d.line, d.column) && base(e) == base(&d)
            });
            match same {
                Some((_, count)) => *count += 1,
                None => errors.push((d, 0)),
            }
        }
        for (mut d, others) in errors {
            if others > 0 && d.message.ends_with(')') {
                d.message.pop();
                let pages = if others == 1 { "page" } else { "pages" };
                d.message.push_str(&format!(" and {others} other {pages})"));
            }
            problems.push(d);
        }
    }

    /// Renders one page.
    pub fn render(&self, job: &Job) -> Result<OutputFile, Diagnostic> {
        let mut clock = metrics::PageClock::start();
        let url = job_url(self.site, job);
        let template = self.template_of(job);
        let path = urls::output_file(&url);
        // The context is hashed first, without being made into Tera's values, in a rebuild
        // that may keep pages (most are kept, and only those rendered need the values), and for
        // a list page whenever contexts are hashed: its items are shared with the other lists
        // showing them (and their cards rendered once, by `include_cached`) only in a context
        // made for rendering alone (see `ListItems`). Made and hashed together, `serve`'s first
        // build and every rebuild after a template edit rendered each card again on every list
        // page: at 10,000 documents, 4 s of CPU.
        let hash_first = self.reuse.is_some() || (self.hashing && job.lists_documents());
        let (context, context_hash, beside) = if hash_first {
            let (_, hash) = self.context_of(job, Mode::HashOnly).finish(template);
            if let Some(reuse) = &self.reuse {
                if hash.is_some()
                    && reuse.hashes.get(&path) == hash.as_ref()
                    && (reuse.served)(&path)
                {
                    return Ok(OutputFile {
                        path,
                        contents: Vec::new(),
                        context_hash: hash,
                        reused: true,
                        beside: self
                            .beside_paths(job)
                            .into_iter()
                            .map(|path| (path, Vec::new()))
                            .collect(),
                    });
                }
            }
            let mut context = self.context_of(job, Mode::Render);
            let beside = context.take_beside();
            (context.finish(template).0, hash, beside)
        } else {
            let mode = match self.hashing {
                true => Mode::RenderAndHash,
                false => Mode::Render,
            };
            let mut context = self.context_of(job, mode);
            let beside = context.take_beside();
            let (context, hash) = context.finish(template);
            (context, hash, beside)
        };
        clock.context_done();
        // Typeset and minified here, on the rendering thread, in one pass over the page, so
        // the full-size page is dropped at once instead of every page being held twice.
        let rendered = render_into_buffer(&self.engine.tera, template, &context, |html| {
            clock.tera_done();
            let lang = context
                .get("lang")
                .and_then(|l| l.as_str())
                .unwrap_or_default();
            if path.ends_with(".html") {
                self.minifier.typeset_and_minify(html, lang)
            } else {
                crate::markdown::typography::apply_html(html, lang).into_bytes()
            }
        });
        let contents = rendered.map_err(|e| {
            let mut d = engine::template_diagnostic(&e, &self.engine.files, template);
            if d.message.contains("recursion depth for components") {
                if let Some(chain) = graph::component_loop(template, &self.engine.sources) {
                    d.message = format!("components call each other without end: {chain}");
                    d.hint = Some(
                        "give the recursion a condition that stops it (`{% if depth < 5 %}`); Tera stops after 20 levels".to_string(),
                    );
                }
            }
            d.message = format!("{} (while rendering {url})", d.message);
            d
        })?;
        self.metrics.record(template, clock);
        Ok(OutputFile {
            path,
            contents,
            context_hash,
            reused: false,
            beside,
        })
    }

    /// Where the files [`PageContext::attach`] adds for `job` go: a document version's "cite
    /// this" downloads, in its folder.
    fn beside_paths(&self, job: &Job) -> Vec<String> {
        match job {
            Job::Version(v) if self.site.version_documents[*v].is_some() => {
                let folder = self.site.version_urls[*v].trim_start_matches('/');
                vec![format!("{folder}cite.bib"), format!("{folder}cite.ris")]
            }
            _ => Vec::new(),
        }
    }

    /// The template a job is rendered with: a version's own, if its front matter names one.
    fn template_of(&self, job: &Job) -> &'a str {
        match job {
            Job::Version(v) => self.site.versions[*v]
                .front
                .template
                .as_deref()
                .unwrap_or("page.html"),
            Job::NotAvailable { .. } => "not_available.html",
            Job::Section { section: 0, .. } => "index.html",
            Job::Section { .. } => "section.html",
            Job::Taxonomy { .. } => "taxonomy.html",
            Job::Term { .. } => "term.html",
            Job::Root => "root.html",
            Job::NotFound => "404.html",
            Job::Alias { .. } => "alias.html",
            Job::Status => "status.html",
        }
    }

    fn context_of(&self, job: &Job, mode: Mode) -> PageContext {
        match job {
            Job::Version(v) => self.version_context(*v, mode),
            Job::NotAvailable { doc, lang } => self.not_available_context(*doc, lang, mode),
            Job::Section {
                section,
                lang,
                page,
            } => self.section_context(*section, lang, *page, mode),
            Job::Taxonomy { taxonomy, lang } => self.taxonomy_context(*taxonomy, lang, mode),
            Job::Term {
                taxonomy,
                term,
                lang,
                page,
            } => self.term_context(*taxonomy, term, lang, *page, mode),
            Job::Root => self.root_context(mode),
            Job::NotFound => self.not_found_context(mode),
            Job::Alias { version, .. } => self.alias_context(*version, mode),
            Job::Status => self.status_context(mode),
        }
    }

    fn base(
        &self,
        lang: &str,
        alternates: Vec<(String, String)>,
        switcher: Vec<SwitchEntry>,
        canonical: Option<String>,
        mode: Mode,
    ) -> PageContext {
        let language = self
            .site
            .config
            .language(lang)
            .unwrap_or_else(|| self.site.config.default_lang());
        let mut context = PageContext::new(mode);
        context.insert("lang", &language.code);
        context.insert("dir", language.dir.as_str());
        context.insert(
            "language",
            &LanguageCtx {
                code: language.code.clone(),
                name: language.name.clone(),
                dir: language.dir.as_str(),
                url: self.site.href(&urls::join(&language.code, &[])),
            },
        );
        if let Some(site) = self.site_ctx.get(&language.code) {
            context.insert_shared("site", site);
        }
        if let Some((sections, taxonomies)) = self.menus.get(&language.code) {
            context.insert_shared("sections", sections);
            context.insert_shared("taxonomies", taxonomies);
        }
        let alternates: Vec<Alternate> = alternates
            .into_iter()
            .map(|(hreflang, url)| Alternate {
                hreflang,
                href: self.site.permalink(&url),
            })
            .collect();
        context.insert("noindex", &alternates.is_empty());
        context.insert("alternates", &alternates);
        context.insert("switcher", &switcher);
        context.insert("canonical", &canonical.map(|url| self.site.permalink(&url)));
        context.insert(
            "feed_url",
            &self.site.href(&format!("/{}/atom.xml", language.code)),
        );
        context
    }

    fn switcher(
        &self,
        current: &str,
        url_for: impl Fn(&str) -> (String, bool),
    ) -> Vec<SwitchEntry> {
        self.site
            .config
            .languages
            .iter()
            .map(|l| {
                let (url, available) = url_for(&l.code);
                SwitchEntry {
                    lang: l.code.clone(),
                    name: l.name.clone(),
                    dir: l.dir.as_str(),
                    url: self.site.href(&url),
                    available,
                    current: l.code == current,
                }
            })
            .collect()
    }

    fn document_switcher(&self, doc: usize, current: &str) -> Vec<SwitchEntry> {
        let document = &self.site.documents[doc];
        self.switcher(current, |lang| {
            (document.urls[lang].clone(), document.has(lang))
        })
    }

    fn format_date(&self, lang: &str, date: Option<Date>) -> (Option<String>, Option<String>) {
        match date {
            None => (None, None),
            Some(d) => {
                let long = self
                    .i18n
                    .cldr
                    .long_date(self.i18n.locale(lang), d.year, d.month, d.day)
                    .unwrap_or_else(|_| d.iso());
                (Some(d.iso()), Some(long))
            }
        }
    }

    fn version_context(&self, v: usize, mode: Mode) -> PageContext {
        let site = self.site;
        let version = &site.versions[v];
        let doc = site.version_documents[v].unwrap_or_default();
        let document = &site.documents[doc];
        let lang = &version.lang;
        let mut context = self.base(
            lang,
            site.document_alternates(doc),
            self.document_switcher(doc, lang),
            Some(site.version_urls[v].clone()),
            mode,
        );
        let (date, date_long) = self.format_date(lang, version.front.date);
        let (end_date, end_date_long) = self.format_date(lang, version.front.end_date);
        let taxonomies = version
            .front
            .taxonomies
            .iter()
            .map(|(taxonomy, terms)| {
                let refs = terms
                    .iter()
                    .map(|term| TermRef {
                        key: term.clone(),
                        name: site.term_name(taxonomy, term, lang),
                        url: site.href(&site.term_url(taxonomy, term, lang)),
                    })
                    .collect();
                (taxonomy.clone(), refs)
            })
            .collect();
        let attachments = version
            .front
            .attachments
            .iter()
            .map(|a| {
                let path = if version.folder.is_empty() {
                    a.file().to_string()
                } else {
                    format!("{}/{}", version.folder, a.file())
                };
                let file_lang = a.lang().unwrap_or(lang).to_string();
                let language_name = site
                    .config
                    .language(&file_lang)
                    .map_or_else(|| file_lang.clone(), |l| l.name.clone());
                AttachmentCtx {
                    file: a.file().to_string(),
                    title: a.title().unwrap_or(a.file()).to_string(),
                    url: site.href(&format!("/{path}")),
                    permalink: site.permalink(&format!("/{path}")),
                    size: self.asset_sizes.get(&path).copied().unwrap_or(0),
                    media_type: crate::serve::files::content_type(&path)
                        .split(';')
                        .next()
                        .unwrap_or_default(),
                    lang: file_lang,
                    language_name,
                }
            })
            .collect();
        let section = document.section;
        let citation = citation::Citation::of_version(site, self.i18n, v);
        let when = match (&date_long, &end_date_long) {
            (Some(start), Some(end)) if start != end => Some(format!("{start} – {end}")),
            (Some(start), _) => Some(start.clone()),
            _ => None,
        };
        let page_url = &site.version_urls[v];
        let citation = citation::CitationCtx {
            meta: citation.highwire(),
            open_graph: citation.open_graph(),
            json_ld: citation::script_safe_json(&citation.json_ld()),
            text: citation.text(when.as_deref()),
            bibtex: citation.bibtex(),
            ris: citation.ris(),
            bibtex_url: site.href(&format!("{page_url}cite.bib")),
            ris_url: site.href(&format!("{page_url}cite.ris")),
        };
        let mut page = PageCtx {
            title: version.front.title.clone(),
            date,
            date_long,
            end_date,
            end_date_long,
            place: version.front.place.clone(),
            summary: version.front.summary.clone(),
            content: self.bodies.text(v),
            toc: self.rendered[v].toc.clone(),
            url: site.href(&site.version_urls[v]),
            permalink: site.permalink(&site.version_urls[v]),
            lang: lang.clone(),
            original: document.original.clone(),
            is_original: *lang == document.original,
            languages: self.languages_of(doc),
            taxonomies,
            attachments,
            section_title: self.section_title(section, lang),
            section_url: site.href(&site.section_url(section, lang)),
            extra: serde_json::to_value(&version.front.extra).unwrap_or_default(),
            citation,
        };
        context.insert("page", &page);
        if context.filling() {
            let mut paths = self.beside_paths(&Job::Version(v)).into_iter();
            if let (Some(bib), Some(ris)) = (paths.next(), paths.next()) {
                let citation = &mut page.citation;
                context.attach(bib, std::mem::take(&mut citation.bibtex).into_bytes());
                context.attach(ris, std::mem::take(&mut citation.ris).into_bytes());
            }
        }
        context
    }

    fn languages_of(&self, doc: usize) -> Vec<String> {
        let document = &self.site.documents[doc];
        self.site
            .config
            .languages
            .iter()
            .filter(|l| document.has(&l.code))
            .map(|l| l.code.clone())
            .collect()
    }

    fn not_available_context(&self, doc: usize, lang: &str, mode: Mode) -> PageContext {
        let site = self.site;
        let document = &site.documents[doc];
        let mut context = self.base(
            lang,
            Vec::new(),
            self.document_switcher(doc, lang),
            None,
            mode,
        );
        let versions = site
            .config
            .languages
            .iter()
            .filter_map(|l| {
                document.versions.get(&l.code).map(|&v| VersionLink {
                    lang: l.code.clone(),
                    dir: l.dir.as_str(),
                    language_name: l.name.clone(),
                    title: site.versions[v].front.title.clone(),
                    url: site.href(&site.version_urls[v]),
                })
            })
            .collect();
        context.insert(
            "document",
            &MissingDocumentCtx {
                title: site.original_version(doc).front.title.clone(),
                original: document.original.clone(),
                versions,
            },
        );
        context
    }

    fn section_title(&self, section: usize, lang: &str) -> String {
        let site = self.site;
        let s = &site.sections[section];
        let version = s
            .versions
            .get(lang)
            .or_else(|| s.versions.get(&site.config.default_language))
            .or_else(|| s.versions.values().next());
        match version {
            Some(&v) => site.versions[v].front.title.clone(),
            None if section == 0 => site.config.title(lang).to_string(),
            None => s
                .content_path
                .rsplit('/')
                .next()
                .unwrap_or_default()
                .to_string(),
        }
    }

    fn list_item(&self, doc: usize, lang: &str) -> ListItem {
        let site = self.site;
        let v = site.version_for(doc, lang);
        let version = &site.versions[v];
        let (date, date_long) = self.format_date(lang, version.front.date);
        ListItem {
            title: version.front.title.clone(),
            url: site.href(&site.version_urls[v]),
            lang: version.lang.clone(),
            // A version's language is one of the site's (the index checks it).
            dir: site
                .config
                .language(&version.lang)
                .map_or("ltr", |l| l.dir.as_str()),
            date,
            date_long,
            place: version.front.place.clone(),
            summary: version.front.summary.clone(),
            languages: self.languages_of(doc),
        }
    }

    /// A list page's items and paginator: for rendering, the items taken from (or made into)
    /// [`Renderer::list_items`]; for a context only hashed, the items' hashes. A list page's
    /// context is never made and hashed at once (see [`Renderer::render`]).
    fn paginate(
        &self,
        docs: &[usize],
        lang: &str,
        base: &str,
        page: usize,
        mode: Mode,
    ) -> (ListItems, Paginator) {
        let per_page = self.site.config.paginate;
        let total = page_count(docs.len(), per_page);
        let on_page = docs.iter().skip((page - 1) * per_page).take(per_page);
        let language = self
            .site
            .config
            .languages
            .iter()
            .position(|l| l.code == lang);
        let items = match (mode, language) {
            (Mode::Render, Some(language)) => {
                let languages = self.site.config.languages.len();
                ListItems::Shared(
                    on_page
                        .map(|&d| {
                            let made = || tera::Value::from_serializable(&self.list_item(d, lang));
                            // Made afresh once the lists were let go (see `release_lists`).
                            match self.list_items.get(d * languages + language) {
                                Some(shared) => shared.get_or_init(made).clone(),
                                None => made(),
                            }
                        })
                        .collect(),
                )
            }
            (Mode::HashOnly, Some(language)) => {
                let languages = self.site.config.languages.len();
                ListItems::Hashed(
                    on_page
                        .map(|&d| {
                            let hash = || fingerprint::hash_alone(&self.list_item(d, lang));
                            match self.item_hashes.get(d * languages + language) {
                                Some(kept) => *kept.get_or_init(hash),
                                None => hash(),
                            }
                        })
                        .collect(),
                )
            }
            _ => ListItems::Made(on_page.map(|&d| self.list_item(d, lang)).collect()),
        };
        let href = |n: usize| self.site.href(&urls::paginated(base, n));
        let first = href(1);
        let pages = match (mode, &items) {
            (Mode::Render, ListItems::Shared(_)) => {
                let mut links = self
                    .page_links
                    .lock()
                    .unwrap_or_else(|poisoned| poisoned.into_inner());
                let shared = links
                    .entry((first.clone(), total))
                    .or_insert_with(|| {
                        tera::Value::from_serializable(&(1..=total).map(href).collect::<Vec<_>>())
                    })
                    .clone();
                PageLinks::Shared(shared)
            }
            // Each link is a function of the list's first page and its number (`href`), and
            // the paginator's `first` and `total` are hashed with the page.
            (Mode::HashOnly, _) => PageLinks::Implied,
            _ => PageLinks::Made((1..=total).map(href).collect()),
        };
        let paginator = Paginator {
            current: page,
            total,
            previous: (page > 1).then(|| href(page - 1)),
            next: (page < total).then(|| href(page + 1)),
            first,
            pages,
        };
        (items, paginator)
    }

    fn section_context(&self, section: usize, lang: &str, page: usize, mode: Mode) -> PageContext {
        let site = self.site;
        let base_url = site.section_url(section, lang);
        let this_page = |l: &str| urls::paginated(&site.section_url(section, l), page);
        let x_default = (section == 0).then(|| "/".to_string());
        let mut context = self.base(
            lang,
            site.every_language_alternates(this_page, x_default),
            self.switcher(lang, |l| (this_page(l), true)),
            Some(this_page(lang)),
            mode,
        );
        let s = &site.sections[section];
        let content = s
            .versions
            .get(lang)
            .map(|&v| self.bodies.text(v))
            .unwrap_or_default();
        let (items, paginator) = if section == 0 {
            let mut all: Vec<usize> = (0..site.documents.len()).collect();
            all.sort_by(|&a, &b| {
                let (va, vb) = (site.original_version(a), site.original_version(b));
                vb.front
                    .date
                    .cmp(&va.front.date)
                    .then_with(|| va.front.title.cmp(&vb.front.title))
            });
            all.truncate(site.config.paginate);
            self.paginate(&all, lang, &base_url, 1, mode)
        } else {
            self.paginate(&s.documents, lang, &base_url, page, mode)
        };
        let subsections = s
            .subsections
            .iter()
            .map(|&sub| LinkCtx {
                title: self.section_title(sub, lang),
                url: site.href(&site.section_url(sub, lang)),
            })
            .collect();
        context.insert(
            "section",
            &SectionCtx {
                title: self.section_title(section, lang),
                content,
                url: site.href(&base_url),
                items,
                subsections,
                paginator,
            },
        );
        context
    }

    fn taxonomy_title(&self, name: &str, lang: &str) -> String {
        self.i18n
            .translate(lang, name, None, &[])
            .unwrap_or_else(|_| name.to_string())
    }

    fn taxonomy_context(&self, t: usize, lang: &str, mode: Mode) -> PageContext {
        let site = self.site;
        let taxonomy = &site.taxonomies[t];
        let url_for = |l: &str| site.taxonomy_url(&taxonomy.name, l);
        let mut context = self.base(
            lang,
            site.every_language_alternates(url_for, None),
            self.switcher(lang, |l| (url_for(l), true)),
            Some(url_for(lang)),
            mode,
        );
        let mut terms: Vec<TermCtx> = taxonomy
            .terms
            .iter()
            .map(|(key, docs)| TermCtx {
                key: key.clone(),
                name: site.term_name(&taxonomy.name, key, lang),
                url: site.href(&site.term_url(&taxonomy.name, key, lang)),
                count: docs.len(),
                items: ListItems::default(),
                paginator: None,
            })
            .collect();
        terms.sort_by(|a, b| {
            a.name
                .to_lowercase()
                .cmp(&b.name.to_lowercase())
                .then_with(|| a.key.cmp(&b.key))
        });
        context.insert(
            "taxonomy",
            &TaxonomyCtx {
                name: taxonomy.name.clone(),
                title: self.taxonomy_title(&taxonomy.name, lang),
                url: site.href(&url_for(lang)),
                terms,
            },
        );
        context
    }

    fn term_context(
        &self,
        t: usize,
        term: &str,
        lang: &str,
        page: usize,
        mode: Mode,
    ) -> PageContext {
        let site = self.site;
        let taxonomy = &site.taxonomies[t];
        let docs = &taxonomy.terms[term];
        let this_page = |l: &str| urls::paginated(&site.term_url(&taxonomy.name, term, l), page);
        let mut context = self.base(
            lang,
            site.every_language_alternates(this_page, None),
            self.switcher(lang, |l| (this_page(l), true)),
            Some(this_page(lang)),
            mode,
        );
        let base = site.term_url(&taxonomy.name, term, lang);
        let (items, paginator) = self.paginate(docs, lang, &base, page, mode);
        context.insert(
            "taxonomy",
            &TaxonomyCtx {
                name: taxonomy.name.clone(),
                title: self.taxonomy_title(&taxonomy.name, lang),
                url: site.href(&site.taxonomy_url(&taxonomy.name, lang)),
                terms: Vec::new(),
            },
        );
        context.insert(
            "term",
            &TermCtx {
                key: term.to_string(),
                name: site.term_name(&taxonomy.name, term, lang),
                url: site.href(&base),
                count: docs.len(),
                items,
                paginator: Some(paginator),
            },
        );
        context
    }

    fn root_context(&self, mode: Mode) -> PageContext {
        let site = self.site;
        let home = |l: &str| urls::join(l, &[]);
        let lang = site.config.default_language.clone();
        self.base(
            &lang,
            site.every_language_alternates(home, Some("/".to_string())),
            self.switcher(&lang, |l| (home(l), true)),
            Some("/".to_string()),
            mode,
        )
    }

    fn not_found_context(&self, mode: Mode) -> PageContext {
        let lang = self.site.config.default_language.clone();
        let home = |l: &str| urls::join(l, &[]);
        self.base(
            &lang,
            Vec::new(),
            self.switcher(&lang, |l| (home(l), true)),
            None,
            mode,
        )
    }

    fn alias_context(&self, v: usize, mode: Mode) -> PageContext {
        let site = self.site;
        let version = &site.versions[v];
        let mut context = self.base(&version.lang, Vec::new(), Vec::new(), None, mode);
        context.insert("target", &site.href(&site.version_urls[v]));
        context.insert("target_permalink", &site.permalink(&site.version_urls[v]));
        context
    }
}
