//! The build, in order: load → index → markdown → templates → output. `check` is the same pass
//! without the final write.

use std::collections::hash_map::DefaultHasher;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

use rayon::prelude::*;

use crate::config::Config;
use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::i18n::I18n;
use crate::index::{self, Site};
use crate::load::{self, CONTENT_DIR};
use crate::markdown::{self, RenderContext, RenderedBody};
use crate::output::{self, feeds, Plan};
use crate::templates::{self, engine, Bodies, Renderer};
use crate::timings::Timings;

/// What to build and where.
#[derive(Debug, Clone)]
pub struct Options {
    pub root: PathBuf,
    /// Relative paths are taken from the site root; `None` means `public`.
    pub output_dir: Option<PathBuf>,
    pub base_url: Option<String>,
    pub drafts: bool,
    /// False for `check`: everything is done but nothing is written.
    pub write: bool,
}

/// What a successful build did.
#[derive(Debug)]
pub struct Report {
    /// HTML pages per language code, in site order.
    pub pages_per_language: Vec<(String, usize)>,
    pub files: usize,
    pub elapsed: Duration,
    pub output_dir: Option<PathBuf>,
    /// Problems that did not stop the build.
    pub warnings: Vec<Diagnostic>,
    /// Time per stage, writing included.
    pub timings: Timings,
}

/// Progress of the long stages, for a bar on a terminal. The library never prints: the CLI
/// implements this; [`Silent`] ignores it.
pub trait Progress: Sync {
    /// A stage of `total` steps begins.
    fn stage(&self, _name: &'static str, _total: usize) {}
    /// `n` more steps of the current stage are done.
    fn advance(&self, _n: usize) {}
    /// The build is over (successfully or not).
    fn finish(&self) {}
}

/// No progress reporting.
pub struct Silent;

impl Progress for Silent {}

/// What `serve` keeps between rebuilds to do less again: the content files loaded (a file
/// unchanged since is not read again, see [`load::FileCache`]) and pass one's Markdown results
/// (a version whose text, folder, bundle files and base path did not change is not parsed
/// again).
#[derive(Default)]
pub struct RebuildCache {
    files: load::FileCache,
    entries: Mutex<HashMap<PathBuf, (u64, RenderedBody)>>,
}

/// What a `serve` build keeps so that an edit to a document's text re-renders that page alone
/// (see [`rerender_pages`]).
pub struct Retained {
    site: Site,
    rendered: Vec<RenderedBody>,
    bodies: Vec<String>,
    engine: engine::Engine,
    i18n: Arc<I18n>,
    asset_sizes: BTreeMap<String, u64>,
    drafts: bool,
    pages: PageHashes,
    /// How many pages the site has.
    pages_total: usize,
    /// Each language's pages in its search index (see [`search_pages`]), listed the first time
    /// they are asked for: listing them goes through all the site's pages (17 ms at 10,000
    /// documents), and a page-level rebuild, which asks for them each time, changes no page's
    /// path, language or kind ([`rerender_pages`] gives up on any other change: relaxing that
    /// check means listing these again).
    search_pages: OnceLock<BTreeMap<String, Arc<[String]>>>,
}

impl Retained {
    /// All the next build needs to reuse this one's pages; the rest (the site's model, its
    /// text) is freed before that build holds its own.
    pub fn into_page_hashes(self) -> PageHashes {
        self.pages
    }

    /// A renderer over the kept site, for `serve`'s page-only rebuilds: the same inputs the
    /// build rendered with, the bodies as they were last resolved.
    fn renderer(&self) -> Renderer<'_> {
        Renderer::new(
            &self.site,
            Bodies::Kept(&self.bodies),
            &self.rendered,
            &self.engine,
            &self.i18n,
            &self.asset_sizes,
        )
    }
}

/// A build's fingerprint and each page's hash (see [`templates::fingerprint`]).
pub struct PageHashes {
    fingerprint: u64,
    /// Output path → hash.
    hashes: HashMap<String, u64>,
    /// The site's language codes, which the search index served with these pages covers.
    languages: Vec<String>,
}

/// What `serve`'s previous build made: when an edit leaves the build's fingerprint as it was
/// (templates, UI strings, URLs, `site.yaml`…), a page whose template and context hash the same
/// is taken from it instead of rendered (see [`templates::fingerprint`]).
/// Such a page is in the plan as already in place (`Plan::written`): the caller keeps the bytes
/// it serves.
pub struct Previous<'p> {
    pages: &'p PageHashes,
    /// Whether an output path is served now.
    served: &'p (dyn Fn(&str) -> bool + Sync),
    /// Called as soon as the build knows it can keep none of these pages (the fingerprint
    /// changed): it renders everything, so search refreshes under way are out of date.
    renders_all: &'p dyn Fn(),
}

impl<'p> Previous<'p> {
    pub fn new(
        pages: &'p PageHashes,
        served: &'p (dyn Fn(&str) -> bool + Sync),
        renders_all: &'p dyn Fn(),
    ) -> Previous<'p> {
        Previous {
            pages,
            served,
            renders_all,
        }
    }
}

/// A site rendered in memory, ready to be written or served.
pub struct Built {
    /// Kept when a rebuild cache was given (by `serve`).
    pub retained: Option<Retained>,
    pub plan: Plan,
    /// HTML pages per language code, in site order.
    pub pages_per_language: Vec<(String, usize)>,
    /// Problems that did not stop the build.
    pub warnings: Vec<Diagnostic>,
    pub timings: Timings,
    /// Pages rendered, and pages taken from the previous build instead (see [`Previous`]).
    pub pages_rendered: usize,
    pub pages_reused: usize,
    /// `None` when the plan holds the search index. In a rebuild after a previous build (see
    /// [`Previous`]), the index is not made: the previous one stays, and these languages'
    /// indexes must be made again (see [`search_pages`]), their pages having changed. A rebuild
    /// that renders everything (a template edit) so serves its pages without waiting for
    /// Pagefind, a third of a build's work; it makes the index itself only when the languages
    /// changed or no index is served.
    pub stale_search: Option<Vec<String>>,
}

/// Builds (or checks) the site; on failure, every problem found, errors and warnings sorted.
pub fn run(options: &Options, progress: &dyn Progress) -> Result<Report, Vec<Diagnostic>> {
    let started = Instant::now();
    let output_dir = if options.write {
        let requested = options
            .output_dir
            .clone()
            .unwrap_or_else(|| PathBuf::from("public"));
        let requested = if requested.is_absolute() {
            requested
        } else {
            options.root.join(requested)
        };
        Some(output::check_output_dir(&options.root, &requested).map_err(|d| vec![d])?)
    } else {
        None
    };
    let built = build_pipeline(options, progress, None, output_dir.as_deref());
    progress.finish();
    let (mut built, staging) = built?;
    if let Some(staging) = staging {
        staging.write_plan(&built.plan).map_err(|d| vec![d])?;
        staging.commit().map_err(|d| vec![d])?;
        built.timings.lap("write");
    }
    Ok(Report {
        pages_per_language: built.pages_per_language,
        files: built.plan.len(),
        elapsed: started.elapsed(),
        output_dir,
        warnings: built.warnings,
        timings: built.timings,
    })
}

/// The whole pipeline up to, not including, writing: the site as files in memory.
pub fn build_in_memory(
    options: &Options,
    progress: &dyn Progress,
    cache: Option<&RebuildCache>,
    previous: Option<&Previous>,
) -> Result<Built, Vec<Diagnostic>> {
    let serving = cache.map(|cache| (cache, previous));
    build_pipeline(options, progress, serving, None).map(|(built, _)| built)
}

/// What `serve` keeps between builds: the rebuild cache, and the previous build's pages.
type Serving<'s> = Option<(&'s RebuildCache, Option<&'s Previous<'s>>)>;

/// The whole pipeline. With an output folder (checked by [`output::check_output_dir`]), pages
/// are written into a [`output::Staging`] as they are rendered and only the rest of the files
/// stay in the plan; the caller writes those and commits. Without one, every file is in the plan.
fn build_pipeline(
    options: &Options,
    progress: &dyn Progress,
    serving: Serving<'_>,
    output_dir: Option<&Path>,
) -> Result<(Built, Option<output::Staging>), Vec<Diagnostic>> {
    let cache = serving.map(|(cache, _)| cache);
    let mut problems = Diagnostics::new();
    let mut timings = Timings::default();
    let config = Config::load(&options.root, options.base_url.as_deref())
        .map_err(Diagnostics::into_sorted)?;
    timings.lap("config");
    let files = cache.map(|cache| &cache.files);
    let loaded = load::load_cached(&config, options.drafts, &mut problems, files);
    timings.lap("load");
    let mut site = index::index(config, loaded, &mut problems);
    timings.lap("index");
    let i18n = match I18n::new(&site.config) {
        Ok(i18n) => Arc::new(i18n),
        Err(d) => {
            problems.push(d);
            return Err(problems.into_sorted());
        }
    };
    problems.extend(I18n::missing_keys(&site.config));
    problems.extend(index::missing_term_names(&site));
    timings.lap("i18n");
    let PassOne {
        rendered,
        bodies,
        fingerprints,
    } = render_markdown(&mut site, cache, progress, &mut problems);
    timings.lap("markdown");
    // Pages are streamed to disk only when nothing is wrong so far: a build that fails anyway
    // need not write anything.
    let staging = match output_dir {
        Some(out) if !problems.has_errors() => match output::Staging::begin(out) {
            Ok(staging) => Some(staging),
            Err(d) => {
                problems.push(d);
                return Err(problems.into_sorted());
            }
        },
        _ => None,
    };
    // A build's pages render their texts again (see `templates::Bodies`); `serve` keeps them.
    let texts = Texts {
        rendered: &rendered,
        bodies: match cache {
            Some(_) => Bodies::Kept(&bodies),
            None => Bodies::FromSources(templates::bodies::Sources::new(
                &site,
                &rendered,
                fingerprints,
            )),
        },
    };
    let rendering = render_site(
        &site,
        texts,
        Arc::clone(&i18n),
        (staging.as_ref(), serving),
        progress,
        &mut problems,
        &mut timings,
    );
    let plan = rendering.plan;
    if problems.has_errors() {
        return Err(problems.into_sorted());
    }
    let pages_per_language = site
        .config
        .languages
        .iter()
        .map(|l| {
            let prefix = format!("{}/", l.code);
            let pages = plan
                .paths()
                .filter(|p| p.starts_with(&prefix) && p.ends_with(".html"))
                .count();
            (l.code.clone(), pages)
        })
        .collect();
    let retained = match (cache, rendering.kept) {
        (Some(_), Some(kept)) => Some(Retained {
            site,
            rendered,
            bodies,
            engine: kept.engine,
            i18n,
            asset_sizes: kept.asset_sizes,
            drafts: options.drafts,
            pages: kept.pages,
            pages_total: rendering.pages_rendered + rendering.pages_reused,
            search_pages: OnceLock::new(),
        }),
        _ => None,
    };
    let built = Built {
        retained,
        plan,
        pages_per_language,
        warnings: problems.into_sorted(),
        timings,
        pages_rendered: rendering.pages_rendered,
        pages_reused: rendering.pages_reused,
        stale_search: rendering.stale_search,
    };
    Ok((built, staging))
}

/// Stage 3: pass one over every version in parallel (or from the cache), then link resolution.
///
/// A build only scans each version (see `templates::Bodies`): its pages render the text again
/// from the file. So the build lets each version's Markdown go once scanned, and holds no
/// HTML; it keeps the fingerprint of each text, to tell a file saved during the build. `serve`
/// keeps the sources and the HTML with links resolved, to tell what an edit changed and render
/// pages again.
fn render_markdown(
    site: &mut Site,
    cache: Option<&RebuildCache>,
    progress: &dyn Progress,
    problems: &mut Diagnostics,
) -> PassOne {
    let assets: BTreeSet<&str> = site.assets.iter().map(String::as_str).collect();
    let ctx = RenderContext {
        assets: &assets,
        base_path: site.config.base_path(),
    };
    progress.stage("Markdown", site.versions.len());
    let assets_key = {
        let mut hasher = DefaultHasher::new();
        site.assets.hash(&mut hasher);
        site.config.base_path().hash(&mut hasher);
        hasher.finish()
    };
    let (rendered, fingerprints): (Vec<RenderedBody>, Vec<u64>) = site
        .versions
        .par_iter_mut()
        .map(|v| {
            let body = match cache {
                None => {
                    let body = markdown::render_text(v, &v.body, &ctx, markdown::Output::Scan);
                    let fingerprint = templates::bodies::fingerprint(&v.body, v.body_line);
                    v.body = String::new();
                    (body, fingerprint)
                }
                Some(cache) => {
                    let mut hasher = DefaultHasher::new();
                    (assets_key, &v.body, &v.folder, v.body_line).hash(&mut hasher);
                    let key = hasher.finish();
                    let cached = cache.entries.lock().ok().and_then(|entries| {
                        entries
                            .get(&v.file)
                            .filter(|(k, _)| *k == key)
                            .map(|(_, body)| body.clone())
                    });
                    let body = cached.unwrap_or_else(|| {
                        let body = markdown::render(v, &ctx);
                        if let Ok(mut entries) = cache.entries.lock() {
                            entries.insert(v.file.clone(), (key, body.clone()));
                        }
                        body
                    });
                    (body, 0)
                }
            };
            progress.advance(1);
            body
        })
        .unzip();
    for (version, body) in site.versions.iter().zip(&rendered) {
        if let Some((line, column)) = body.too_deep {
            problems.push(
                Diagnostic::error(format!(
                    "the text nests more than {} levels deep here (blockquotes, lists, emphasis, links and HTML elements together)",
                    markdown::nesting::MARKDOWN_LIMIT
                ))
                .in_file(&version.file)
                .at(line, column)
                .hint("flatten the structure: no document needs that many levels, and browsers cannot display them"),
            );
        }
    }
    // A build resolves the links only for their problems (its pages resolve them again);
    // `serve` keeps the HTML with links resolved.
    let resolved: Vec<(String, Vec<Diagnostic>)> = (0..rendered.len())
        .into_par_iter()
        .map(|i| {
            let html = match cache {
                Some(_) => rendered[i].html.clone(),
                None => String::new(),
            };
            markdown::resolve_links(site, i, html, &rendered[i], &rendered)
        })
        .collect();
    let mut bodies = Vec::new();
    for (html, diagnostics) in resolved {
        if cache.is_some() {
            bodies.push(html);
        }
        problems.extend(diagnostics);
    }
    PassOne {
        rendered,
        bodies,
        fingerprints,
    }
}

/// What stage 3 made.
struct PassOne {
    /// Pass one's results, one per version.
    rendered: Vec<RenderedBody>,
    /// `serve`'s: each version's HTML with links resolved. Empty in a build.
    bodies: Vec<String>,
    /// A build's: each version's Markdown as scanned (see `templates::bodies::fingerprint`);
    /// `serve`, which keeps the Markdown, leaves them 0.
    fingerprints: Vec<u64>,
}

/// The Markdown of every version: pass one's results, and where the pages get the HTML.
struct Texts<'a> {
    rendered: &'a [RenderedBody],
    bodies: Bodies<'a>,
}

/// Stages 4 and 5 up to writing: render pages (written at once into `staging` when given),
/// the search index, feeds and sitemap; list the files to copy.
fn render_site(
    site: &Site,
    Texts { rendered, bodies }: Texts<'_>,
    i18n: Arc<I18n>,
    (staging, serving): (Option<&output::Staging>, Serving<'_>),
    progress: &dyn Progress,
    problems: &mut Diagnostics,
    timings: &mut Timings,
) -> Rendering {
    let url_table = Arc::new(url_table(site));
    let mut plan = Plan::default();
    let Some(engine) = engine::load(
        &site.config,
        Arc::clone(&i18n),
        Arc::clone(&url_table),
        problems,
    ) else {
        return Rendering {
            plan,
            ..Rendering::default()
        };
    };
    let asset_sizes: BTreeMap<String, u64> = site
        .assets
        .iter()
        .map(|a| {
            (
                a.clone(),
                std::fs::metadata(site.config.root.join(CONTENT_DIR).join(a))
                    .map_or(0, |m| m.len()),
            )
        })
        .collect();
    let mut renderer = Renderer::new(site, bodies, rendered, &engine, &i18n, &asset_sizes);
    // `serve` fingerprints the build and hashes each page, so that its next build can take the
    // pages an edit did not change from this one; it does so now if this build's fingerprint
    // is the previous one's.
    let fingerprint = serving.map(|_| {
        let mut fingerprint = templates::fingerprint::Fingerprint::default();
        fingerprint
            .add(&engine.sources)
            .add(url_table.as_ref())
            .add(&asset_sizes)
            .add(&renderer.shared_hash())
            .add(&std::fs::read(site.config.root.join(crate::config::SITE_FILE)).ok());
        i18n.fingerprint(&mut fingerprint);
        fingerprint.finish()
    });
    let reuse = match (serving, fingerprint) {
        (Some((_, Some(previous))), Some(fingerprint))
            if previous.pages.fingerprint == fingerprint =>
        {
            Some(templates::fingerprint::Reuse {
                hashes: &previous.pages.hashes,
                served: previous.served,
            })
        }
        (Some((_, Some(previous))), _) => {
            (previous.renders_all)();
            None
        }
        _ => None,
    };
    if serving.is_some() {
        renderer = renderer.hashing_contexts(reuse);
    }
    let mut page_hashes = HashMap::new();
    let (mut pages_rendered, mut pages_reused) = (0, 0);
    // After a previous build the search index is made again in the background, not here (see
    // `Built::stale_search`).
    let language_codes: Vec<String> = site
        .config
        .languages
        .iter()
        .map(|l| l.code.clone())
        .collect();
    let defers_search = match serving {
        Some((_, Some(previous))) => {
            reuse.is_some()
                || (previous.pages.languages == language_codes
                    && (previous.served)(output::search::ENTRY_FILE))
        }
        _ => false,
    };
    let mut stale_search: Option<BTreeSet<String>> = defers_search.then(BTreeSet::new);
    let mut jobs = templates::jobs(site);
    output::search::order_for_indexing(&mut jobs, |job| {
        let lang = job.language(site)?;
        site.config.languages.iter().position(|l| l.code == lang)
    });
    progress.stage("Pages", jobs.len());
    timings.lap("templates");
    let mut owners = BTreeMap::new();
    // The index's languages are those of the pages' `<html lang>`, the site's in the ICC
    // theme: Pagefind's client files are made for all of them at once.
    crate::search::expect_languages(site.config.languages.iter().map(|l| l.code.clone()));
    let mut indexer = output::search::Indexer::new();
    // The first failed write; later pages are not attempted.
    let mut write_failure: Option<std::io::Error> = None;
    let mut collisions = Vec::new();
    let mut record = |job: &templates::Job, file: templates::OutputFile| {
        if file.reused {
            pages_reused += 1;
        } else {
            pages_rendered += 1;
        }
        if let Some(hash) = file.context_hash {
            page_hashes.insert(file.path.clone(), hash);
        }
        // Pages are written here, on the one thread that hands them over in order, rather than
        // by the rendering threads as each is made: two threads creating folders in the same
        // section take turns on the section folder's lock, and on ext4 without a journal, just
        // after the previous output was deleted, the kernel's wait for the lock was a tenth of
        // the build's CPU (it spins while the other thread's inode allocation walks the freed
        // inodes). One writer leaves both cores to rendering and the kernel's work.
        if let (Some(staging), None) = (staging, &write_failure) {
            if let Err(e) = staging.put(&file.path, &file.contents) {
                write_failure = Some(e);
            }
        }
        match &mut stale_search {
            None => indexer.offer(job, &file.path, &file.contents),
            Some(stale) => {
                if !file.reused && output::search::is_indexed(job) {
                    if let Some(lang) = job.language(site) {
                        stale.insert(lang.to_string());
                    }
                }
            }
        }
        let in_place = staging.is_some() || file.reused;
        let claimed = match in_place {
            true => plan.add_written(file.path.clone(), &mut owners, "a rendered page"),
            false => plan.add(
                file.path.clone(),
                file.contents,
                &mut owners,
                "a rendered page",
            ),
        };
        if let Err(previous) = claimed {
            collisions.push((file.path, "a rendered page", previous));
        }
        // "Cite this" downloads beside each document version, written with its page.
        for (path, contents) in file.beside {
            if let (Some(staging), None) = (staging, &write_failure) {
                if let Err(e) = staging.put(&path, &contents) {
                    write_failure = Some(e);
                }
            }
            let claimed = match in_place {
                true => plan.add_written(path.clone(), &mut owners, "a citation file"),
                false => plan.add(path.clone(), contents, &mut owners, "a citation file"),
            };
            if let Err(previous) = claimed {
                collisions.push((path, "a citation file", previous));
            }
        }
    };
    renderer.render_all(&jobs, progress, problems, &mut record);
    timings.templates = renderer.template_work();
    // What only the pages needed goes before the feeds and the sitemap are made, so that they
    // take its memory instead of adding to the peak: the lists' values, the partials, and (in a
    // build written to disk, which ends with the process) each rendering thread's memos of
    // lines, which `serve` keeps for its next rebuild.
    renderer.release_lists();
    if staging.is_some() {
        rayon::broadcast(|_| {
            output::minify::forget_lines();
            markdown::typography::forget_lines();
        });
    }
    timings.lap("pages"); // rendering, typography, minification and writing

    // The search index's thread is now finishing its last language alone: the feeds are made
    // meanwhile, on both cores.
    let feed_files: Vec<(String, Vec<u8>)> = site
        .config
        .languages
        .par_iter()
        .map(|language| {
            let feed = feeds::atom(site, &language.code, &renderer.bodies);
            (format!("{}/atom.xml", language.code), feed.into_bytes())
        })
        .collect();
    if let Some(e) = write_failure {
        if let Some(staging) = staging {
            problems.push(staging.error(&e));
        }
    }
    timings.lap("feeds");
    // What does not wait for the search index is done while its thread finishes the last
    // language: reporting the pages' and citations' collisions, and the sitemap (the other
    // core would otherwise wait).
    let is_known = |path: &str| {
        // A page collision the index reported already also collides its folder's files.
        let page = match path.rsplit_once('/') {
            Some((folder, _)) => format!("{folder}/index.html"),
            None => "index.html".to_string(),
        };
        [path, page.as_str()]
            .iter()
            .any(|p| site.collisions.contains(&crate::paths::collision_key(p)))
    };
    for (path, owner, previous) in collisions {
        if !is_known(&path) {
            problems.push(collision(&path, owner, &previous));
        }
    }
    let sitemap = feeds::sitemap(site).into_bytes();
    let robots = feeds::robots(site).into_bytes();
    timings.lap("plan");
    // The files of the languages indexed already are written while the last index finishes:
    // its thread works alone by then, and the other core would wait.
    let mut written_early = Vec::new();
    let search = if stale_search.is_some() {
        indexer.cancel();
        Vec::new()
    } else {
        let early = match staging {
            Some(_) => indexer.take_language_files(),
            None => Vec::new(),
        };
        let mut early_failure = None;
        let finished = rayon::in_place_scope(|scope| {
            if let Some(staging) = staging {
                let (early, failure) = (&early, &mut early_failure);
                scope.spawn(move |_| {
                    *failure = early
                        .par_iter()
                        .try_for_each(|(path, contents)| staging.put(path, contents))
                        .err();
                });
            }
            indexer.finish()
        });
        if let (Some(e), Some(staging)) = (early_failure, staging) {
            problems.push(staging.error(&e));
        }
        written_early = early.into_iter().map(|(path, _)| path).collect();
        finished.unwrap_or_else(|problem| {
            problems.push(problem);
            Vec::new()
        })
    };
    for path in written_early {
        let owner = "the search index";
        if let Err(previous) = plan.add_written(path.clone(), &mut owners, owner) {
            if !is_known(&path) {
                problems.push(collision(&path, owner, &previous));
            }
        }
    }
    let mut add = |plan: &mut Plan, path: String, contents: Vec<u8>, owner: &str| {
        if let Err(previous) = plan.add(path.clone(), contents, &mut owners, owner) {
            if !is_known(&path) {
                problems.push(collision(&path, owner, &previous));
            }
        }
    };
    search
        .into_iter()
        .for_each(|(p, c)| add(&mut plan, p, c, "the search index"));
    for (path, contents) in feed_files {
        add(&mut plan, path, contents, "the Atom feed");
    }
    add(&mut plan, "sitemap.xml".into(), sitemap, "the sitemap");
    add(&mut plan, "robots.txt".into(), robots, "robots.txt");
    add(
        &mut plan,
        "syntax.css".into(),
        markdown::highlight::stylesheet().into_bytes(),
        "the highlighting stylesheet",
    );
    let mut owners_copy = std::mem::take(&mut owners);
    for asset in &site.assets {
        let source = site.config.root.join(CONTENT_DIR).join(asset);
        let owner = format!("content/{asset}");
        if let Err(previous) = plan.copy(asset.clone(), source, &mut owners_copy, &owner) {
            problems.push(collision(asset, &owner, &previous));
        }
    }
    if let Some(theme) = &site.config.theme {
        let static_dir = site.config.root.join("themes").join(theme).join("static");
        for (rel, source) in static_files(&static_dir) {
            let owner = format!("themes/{theme}/static/{rel}");
            if let Err(previous) = plan.copy(rel.clone(), source, &mut owners_copy, &owner) {
                problems.push(collision(&rel, &owner, &previous));
            }
        }
    }
    // Texts that could not be rendered again for the pages or the feeds.
    problems.extend(renderer.bodies.problems());
    timings.lap("search");
    Rendering {
        plan,
        kept: Some(Kept {
            engine,
            asset_sizes,
            pages: PageHashes {
                fingerprint: fingerprint.unwrap_or_default(),
                hashes: page_hashes,
                languages: language_codes,
            },
        }),
        pages_rendered,
        pages_reused,
        stale_search: stale_search.map(|languages| languages.into_iter().collect()),
    }
}

/// What [`render_site`] made.
#[derive(Default)]
struct Rendering {
    plan: Plan,
    /// `None` when the templates could not be loaded.
    kept: Option<Kept>,
    pages_rendered: usize,
    pages_reused: usize,
    stale_search: Option<Vec<String>>,
}

/// What [`render_site`] made that [`Retained`] keeps.
struct Kept {
    engine: engine::Engine,
    asset_sizes: BTreeMap<String, u64>,
    pages: PageHashes,
}

/// `serve`'s page-level rebuild: when every file in `changed` (relative to the site root) is
/// the Markdown of an existing document version whose front matter is unchanged, re-renders
/// just those pages and returns them (output path → minified HTML). `None` when anything else
/// changed, or the new text needs more than its own page (new heading ids others may link to,
/// a problem to report): the caller then rebuilds everything.
///
/// Lists, switchers, taxonomy pages and citations show front matter only, so they cannot
/// change. The Atom feed of the page's language, which holds the text, is made again too; the
/// search index of the language is the caller's to refresh (see [`search_pages`]).
pub fn rerender_pages(retained: &mut Retained, changed: &[PathBuf]) -> Option<Rerendered> {
    let mut touched = Vec::new();
    for rel in changed {
        let v = retained.site.versions.iter().position(|v| &v.file == rel)?;
        let mut fresh = load::reload_one(&retained.site.config, rel, retained.drafts)?;
        index::terms_to_keys(&mut fresh.front);
        let old = &retained.site.versions[v];
        if fresh.front != old.front
            || fresh.body_line != old.body_line
            || fresh.lang != old.lang
            || fresh.kind != old.kind
        {
            return None;
        }
        touched.push((v, fresh));
    }
    let assets: BTreeSet<&str> = retained.site.assets.iter().map(String::as_str).collect();
    let ctx = RenderContext {
        assets: &assets,
        base_path: retained.site.config.base_path(),
    };
    let mut new_bodies = Vec::new();
    for (v, fresh) in &touched {
        let body = markdown::render(fresh, &ctx);
        if body.too_deep.is_some() || body.ids != retained.rendered[*v].ids {
            return None;
        }
        new_bodies.push((*v, body));
    }
    drop(assets);
    for ((v, fresh), (_, body)) in touched.into_iter().zip(new_bodies) {
        retained.site.versions[v] = fresh;
        retained.rendered[v] = body;
    }
    // An original's new text makes its translations' recorded hash out of date.
    let site = &mut retained.site;
    for doc in 0..site.documents.len() {
        let original = &site.documents[doc];
        let v = original.versions[&original.original];
        if changed.contains(&site.versions[v].file) {
            site.documents[doc].original_hash =
                crate::translation::body_hash(&site.versions[v].body);
        }
    }
    let indices: Vec<usize> = changed
        .iter()
        .filter_map(|rel| retained.site.versions.iter().position(|v| &v.file == rel))
        .collect();
    for &v in &indices {
        let (html, problems) = markdown::resolve_links(
            &retained.site,
            v,
            retained.rendered[v].html.clone(),
            &retained.rendered[v],
            &retained.rendered,
        );
        if problems.iter().any(Diagnostic::is_error) {
            return None;
        }
        retained.bodies[v] = html;
    }
    let renderer = retained.renderer();
    let mut files: Vec<(String, Vec<u8>)> = indices
        .iter()
        .map(|&v| {
            renderer
                .render(&templates::Job::Version(v))
                .ok()
                .map(|file| (file.path, file.contents))
        })
        .collect::<Option<_>>()?;
    // These pages no longer come from the inputs their recorded hashes describe: the next
    // build must render them, not take them from what is served.
    for (path, _) in &files {
        retained.pages.hashes.remove(path);
    }
    let rendered = (files.len(), retained.pages_total);
    // The Atom feed of each language touched carries the new text too.
    let languages: BTreeSet<&str> = indices
        .iter()
        .map(|&v| retained.site.versions[v].lang.as_str())
        .collect();
    for &lang in &languages {
        let feed = feeds::atom(&retained.site, lang, &Bodies::Kept(&retained.bodies));
        files.push((format!("{lang}/atom.xml"), feed.into_bytes()));
    }
    let languages = languages.into_iter().map(str::to_string).collect();
    Some(Rerendered {
        files,
        languages,
        rendered,
    })
}

/// What [`rerender_pages`] made again.
pub struct Rerendered {
    /// Output path → bytes: the pages and their languages' Atom feeds.
    pub files: Vec<(String, Vec<u8>)>,
    /// The languages of the pages, whose search index is now behind (see [`search_pages`]).
    pub languages: Vec<String>,
    /// Pages rendered, of all the site's pages.
    pub rendered: (usize, usize),
}

/// The output paths of the pages of `lang` that the search index holds, in the order a build
/// gives them to it.
pub fn search_pages(retained: &Retained, lang: &str) -> Arc<[String]> {
    let by_language = retained.search_pages.get_or_init(|| {
        let site = &retained.site;
        let mut lists: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for job in templates::jobs(site) {
            if !output::search::is_indexed(&job) {
                continue;
            }
            if let Some(lang) = job.language(site) {
                let path = index::urls::output_file(&templates::job_url(site, &job));
                lists.entry(lang.to_string()).or_default().push(path);
            }
        }
        lists
            .into_iter()
            .map(|(lang, pages)| (lang, pages.into()))
            .collect()
    });
    by_language
        .get(lang)
        .cloned()
        .unwrap_or_else(|| Arc::from(Vec::new()))
}

fn collision(path: &str, owner: &str, previous: &str) -> Diagnostic {
    let d = Diagnostic::error(format!(
        "output file `{path}` would be written twice: by {owner} and by {previous}"
    ));
    let d = if owner.contains('/') {
        d.in_file(owner)
    } else {
        d
    };
    d.hint("rename one of them (paths are compared ignoring case and accents' encoding)")
}

/// Content path → language → URL, for `url(path="@/…")` in templates.
fn url_table(site: &Site) -> engine::UrlTable {
    let mut table: engine::UrlTable = BTreeMap::new();
    for document in &site.documents {
        for &v in document.versions.values() {
            table.insert(site.versions[v].content_path.clone(), document.urls.clone());
        }
    }
    for (i, section) in site.sections.iter().enumerate() {
        let urls = site
            .config
            .languages
            .iter()
            .map(|l| (l.code.clone(), site.section_url(i, &l.code)))
            .collect();
        table.insert(section.content_path.clone(), urls);
    }
    table
}

fn static_files(dir: &Path) -> Vec<(String, PathBuf)> {
    walkdir::WalkDir::new(dir)
        .sort_by_file_name()
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .filter_map(|e| {
            let rel = e
                .path()
                .strip_prefix(dir)
                .ok()?
                .to_str()?
                .replace('\\', "/");
            Some((rel, e.path().to_path_buf()))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::templates::Job;
    use std::fs;

    /// A rebuild that takes the files it can from the cache makes the site a fresh build
    /// makes, after edits to a title and to a text, and a file renamed.
    #[test]
    fn a_rebuild_from_the_cache_is_a_fresh_build() {
        let fixture = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/basic");
        let dir = tempfile::tempdir().unwrap();
        for entry in walkdir::WalkDir::new(&fixture) {
            let entry = entry.unwrap();
            let to = dir
                .path()
                .join(entry.path().strip_prefix(&fixture).unwrap());
            if entry.file_type().is_dir() {
                fs::create_dir_all(&to).unwrap();
            } else {
                fs::copy(entry.path(), &to).unwrap();
            }
        }
        let options = Options {
            root: dir.path().to_path_buf(),
            output_dir: None,
            base_url: None,
            drafts: false,
            write: false,
        };
        let cache = RebuildCache {
            files: load::FileCache::keeping_every_file(),
            entries: Mutex::default(),
        };
        let fresh = || {
            build_in_memory(&options, &Silent, None, None)
                .unwrap()
                .plan
                .files
        };
        let from_cache = || {
            build_in_memory(&options, &Silent, Some(&cache), None)
                .unwrap()
                .plan
                .files
        };
        assert_eq!(from_cache(), fresh());
        let content = dir.path().join("content");
        let edit = |rel: &str, from: &str, to: &str| {
            // A tick of the file system's clock, so that the edit changes the file's stamp.
            std::thread::sleep(std::time::Duration::from_millis(20));
            let path = content.join(rel);
            let text = fs::read_to_string(&path).unwrap();
            assert!(text.contains(from), "{rel}");
            fs::write(&path, text.replacen(from, to, 1)).unwrap();
        };
        edit(
            "meetings/2016-reykjavik/index.fr.md",
            "title: Réunion annuelle 2016",
            "title: Réunion annuelle de 2016",
        );
        let after_title = from_cache();
        assert_eq!(after_title, fresh());
        assert!(after_title
            .values()
            .any(|page| { String::from_utf8_lossy(page).contains("Réunion annuelle de 2016") }));
        edit("news/launch.fr.md", "---\n", "---\n\n");
        assert_eq!(from_cache(), fresh());
        fs::rename(
            content.join("meetings/lisbon-2019.en.md"),
            content.join("meetings/2019-lisbon.en.md"),
        )
        .unwrap();
        let renamed = from_cache();
        assert_eq!(renamed, fresh());
        assert_ne!(renamed, after_title);
    }

    /// List pages rendered once the lists' shared values were let go
    /// ([`Renderer::release_lists`]) make their cards afresh: the same bytes as before, and as
    /// the build's own pages.
    #[test]
    fn list_pages_are_the_same_once_the_lists_are_let_go() {
        let options = Options {
            root: PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/basic"),
            output_dir: None,
            base_url: None,
            drafts: false,
            write: false,
        };
        let cache = RebuildCache::default();
        let built = build_in_memory(&options, &Silent, Some(&cache), None).unwrap();
        let retained = built.retained.expect("a build with a cache keeps its site");
        let mut renderer = retained.renderer();
        let lists: Vec<Job> = templates::jobs(&retained.site)
            .into_iter()
            .filter(|job| matches!(job, Job::Section { .. } | Job::Term { .. }))
            .collect();
        assert!(lists.len() >= 4, "{} list pages", lists.len());
        let shared: Vec<_> = lists
            .iter()
            .map(|job| renderer.render(job).unwrap())
            .collect();
        renderer.release_lists();
        for (job, before) in lists.iter().zip(&shared) {
            let after = renderer.render(job).unwrap();
            assert_eq!(after.path, before.path);
            assert_eq!(after.contents, before.contents, "{}", after.path);
            assert_eq!(
                Some(&after.contents),
                built.plan.files.get(&after.path),
                "{}",
                after.path
            );
        }
        let links_a_document = |contents: &[u8]| {
            let html = String::from_utf8_lossy(contents);
            let site = &retained.site;
            site.versions
                .iter()
                .zip(&site.version_urls)
                .any(|(v, url)| v.kind == load::VersionKind::Page && html.contains(url.as_str()))
        };
        assert!(
            shared.iter().any(|page| links_a_document(&page.contents)),
            "no list page shows a document"
        );
    }
}
