//! `serve`: the site built in memory, served over HTTP, rebuilt on every change.
//!
//! The same pipeline as `build` ([`crate::build::build_in_memory`]) with a rebuild cache, so
//! an edit reads again only the files that changed and re-parses only the versions whose text
//! changed. Served files live in memory: nothing
//! is written to disk and the output folder is never touched. A failed rebuild keeps the last
//! good site and shows the errors over it; the next good one clears them.

pub mod files;
pub mod live;
pub mod search;
pub mod server;
pub mod watch;

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use tokio::sync::broadcast;

use crate::build::{self, Options, RebuildCache, Silent};
use crate::diagnostics::Diagnostic;
use files::SiteFiles;
use watch::ChangeKind;

/// The port `serve` tries first.
pub const DEFAULT_PORT: u16 = 1111;

/// What `serve` was asked for.
#[derive(Debug, Clone)]
pub struct ServeOptions {
    pub root: PathBuf,
    pub interface: String,
    /// `None`: [`DEFAULT_PORT`], or a free port when it is busy.
    pub port: Option<u16>,
    pub poll: bool,
    pub drafts: bool,
}

/// What happens, for the command line to tell the editor (the library never prints).
#[derive(Debug)]
pub enum ServeEvent {
    /// The server listens at `url`; `busy_default` when the default port was taken.
    Listening {
        url: String,
        busy_default: bool,
    },
    Watching(Vec<PathBuf>),
    Built {
        pages: usize,
        elapsed: Duration,
        warnings: Vec<Diagnostic>,
    },
    Rebuilt {
        kinds: Vec<ChangeKind>,
        changed: usize,
        /// Pages rendered again, of all the site's pages (the others were kept).
        rendered: (usize, usize),
        /// Languages whose search index is being made again in the background.
        search_behind: Vec<String>,
        elapsed: Duration,
        warnings: Vec<Diagnostic>,
    },
    Failed(Vec<Diagnostic>),
    WatchFailed(String),
}

/// Sent to open tabs.
#[derive(Debug, Clone)]
pub enum LiveEvent {
    /// JSON list of the site paths that changed.
    Reload(String),
    /// The overlay's HTML.
    Failed(String),
    Fixed,
}

/// What the server shares between the watcher thread and the request handlers.
pub struct LiveState {
    pub files: RwLock<Arc<SiteFiles>>,
    /// The overlay while the last build failed.
    pub overlay: RwLock<Option<String>>,
    pub events: broadcast::Sender<LiveEvent>,
    pub interface: String,
    pub port: u16,
    /// The search index's refreshes after page-level rebuilds.
    pub search: search::Refreshes,
}

/// Binds the listening socket: the asked port, or the default one, or any free one when the
/// default is busy. An asked port that is busy is an error.
pub fn bind(interface: &str, port: Option<u16>) -> Result<(TcpListener, bool), Diagnostic> {
    let address = |port: u16| {
        if interface.contains(':') && !interface.starts_with('[') {
            format!("[{interface}]:{port}")
        } else {
            format!("{interface}:{port}")
        }
    };
    match port {
        Some(port) => TcpListener::bind(address(port)).map(|l| (l, false)).map_err(|e| {
            Diagnostic::error(format!("cannot listen on {}: {e}", address(port)))
                .hint("the port is busy or not allowed: choose another with --port, or leave --port out to get a free one")
        }),
        None => match TcpListener::bind(address(DEFAULT_PORT)) {
            Ok(listener) => Ok((listener, false)),
            Err(_) => TcpListener::bind(address(0)).map(|l| (l, true)).map_err(|e| {
                Diagnostic::error(format!("cannot listen on {interface}: {e}"))
                    .hint("check --interface: it must be an address of this machine, e.g. 127.0.0.1")
            }),
        },
    }
}

/// Serves the site until the process is interrupted.
pub fn run(
    options: ServeOptions,
    report: impl Fn(ServeEvent) + Send + Sync + 'static,
) -> Result<(), Diagnostic> {
    let root = std::fs::canonicalize(&options.root).map_err(|e| {
        Diagnostic::error(format!(
            "cannot open the site folder {}: {e}",
            options.root.display()
        ))
        .hint("pass --root DIR, the folder holding site.yaml")
    })?;
    let (listener, busy_default) = bind(&options.interface, options.port)?;
    let port = listener.local_addr().map(|a| a.port()).unwrap_or_default();
    let host = match options.interface.as_str() {
        "0.0.0.0" | "::" | "[::]" => "localhost".to_string(),
        i if i.contains(':') && !i.starts_with('[') => format!("[{i}]"),
        i => i.to_string(),
    };
    let url = format!("http://{host}:{port}");
    let build_options = Options {
        root: root.clone(),
        output_dir: None,
        base_url: Some(url.clone()),
        drafts: options.drafts,
        write: false,
    };
    let (sender, _) = broadcast::channel(64);
    let state = Arc::new(LiveState {
        files: RwLock::new(Arc::new(SiteFiles::default())),
        overlay: RwLock::new(None),
        events: sender,
        interface: options.interface.clone(),
        port,
        search: search::Refreshes::default(),
    });
    let report = Arc::new(report);
    let cache = RebuildCache::default();
    let started = Instant::now();
    // Watching starts before the first build, so a file saved while it runs (or while the
    // watches of a large tree are being set up) is not missed: it triggers a rebuild after.
    let watcher = watch::watch(&root, options.poll);
    let mut retained = None;
    match rebuild(&build_options, &cache, &state, &mut retained) {
        Ok(Rebuild { warnings, .. }) => {
            let pages = state.files.read().map(|f| f.len()).unwrap_or_default();
            report(ServeEvent::Built {
                pages,
                elapsed: started.elapsed(),
                warnings,
            });
        }
        Err(errors) => report(ServeEvent::Failed(errors)),
    }
    report(ServeEvent::Listening { url, busy_default });

    let watcher_state = Arc::clone(&state);
    let watcher_report = Arc::clone(&report);
    let watch_root = root.clone();
    std::thread::spawn(move || {
        let watcher = match watcher {
            Ok(watcher) => watcher,
            Err(message) => {
                watcher_report(ServeEvent::WatchFailed(message));
                return;
            }
        };
        watcher_report(ServeEvent::Watching(watcher.watched.clone()));
        while let Ok(mut paths) = watcher.changes.recv() {
            // Coalesce bursts (a save that touches several files) into one rebuild.
            while let Ok(more) = watcher.changes.recv_timeout(Duration::from_millis(10)) {
                paths.extend(more);
            }
            let mut kinds: Vec<ChangeKind> = paths
                .iter()
                .filter_map(|p| watch::classify(&watch_root, p))
                .collect();
            kinds.sort();
            kinds.dedup();
            let started = Instant::now();
            // Only the text of existing documents changed: re-render those pages alone.
            let markdown_files: Vec<PathBuf> = paths
                .iter()
                .filter(|p| watch::classify(&watch_root, p).is_some())
                .filter_map(|p| p.strip_prefix(&watch_root).ok().map(Path::to_path_buf))
                .collect();
            let only_markdown = kinds == [ChangeKind::Content]
                && !markdown_files.is_empty()
                && markdown_files
                    .iter()
                    .all(|p| p.extension().is_some_and(|e| e == "md"));
            if only_markdown {
                let pages = retained
                    .as_mut()
                    .and_then(|r| build::rerender_pages(r, &markdown_files));
                // Otherwise more than the text changed, or the model is now partly updated:
                // the rebuild below makes everything again, using of `retained` only what
                // describes the pages served now (see `build::Previous`), which a page-level
                // rebuild that gave up did not change.
                if let Some(rerendered) = pages {
                    let rendered = rerendered.rendered;
                    let changed = swap_in_pages(&watcher_state, rerendered.files);
                    let search_behind =
                        refresh_search(&watcher_state, retained.as_ref(), rerendered.languages);
                    watcher_report(ServeEvent::Rebuilt {
                        kinds,
                        changed,
                        rendered,
                        search_behind,
                        elapsed: started.elapsed(),
                        warnings: Vec::new(),
                    });
                    continue;
                }
            }
            match rebuild(&build_options, &cache, &watcher_state, &mut retained) {
                Ok(rebuilt) => watcher_report(ServeEvent::Rebuilt {
                    kinds,
                    changed: rebuilt.changed,
                    rendered: rebuilt.rendered,
                    search_behind: rebuilt.search_behind,
                    elapsed: started.elapsed(),
                    warnings: rebuilt.warnings,
                }),
                Err(errors) => watcher_report(ServeEvent::Failed(errors)),
            }
        }
    });

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| Diagnostic::error(format!("cannot start the server: {e}")))?;
    runtime.block_on(server::serve(listener, state))
}

/// Serves re-rendered pages in place of the old ones and tells the tabs showing them.
fn swap_in_pages(state: &LiveState, pages: Vec<(String, Vec<u8>)>) -> usize {
    let Ok(mut current) = state.files.write() else {
        return 0;
    };
    let (files, changed) = current.with_replaced(pages);
    *current = Arc::new(files);
    drop(current);
    if !changed.is_empty() {
        let _ = state.events.send(LiveEvent::Reload(
            serde_json::to_string(&changed).unwrap_or_else(|_| "[]".into()),
        ));
    }
    changed.len()
}

/// Makes the search index of each of `languages` again in the background, from the pages
/// served now; returns those languages (none without a retained model to list their pages).
fn refresh_search(
    state: &Arc<LiveState>,
    retained: Option<&build::Retained>,
    languages: Vec<String>,
) -> Vec<String> {
    let Some(retained) = retained else {
        return Vec::new();
    };
    for lang in &languages {
        search::refresh(state, lang.clone(), build::search_pages(retained, lang));
    }
    languages
}

/// What [`rebuild`] did.
struct Rebuild {
    /// Files whose contents changed.
    changed: usize,
    /// Pages rendered, of all pages.
    rendered: (usize, usize),
    /// Languages whose search index is being made again in the background.
    search_behind: Vec<String>,
    warnings: Vec<Diagnostic>,
}

/// Builds the site in memory and swaps it in; on failure keeps the last good site and turns
/// the overlay on. Keeps in `retained` what a page-level rebuild needs, and what the next
/// rebuild needs to take the pages an edit did not touch from this one (see
/// [`build::Previous`]): then the search index stays, and the indexes of the languages whose
/// pages changed are made again in the background.
fn rebuild(
    options: &Options,
    cache: &RebuildCache,
    state: &Arc<LiveState>,
    retained: &mut Option<build::Retained>,
) -> Result<Rebuild, Vec<Diagnostic>> {
    let previous_pages = retained.take().map(build::Retained::into_page_hashes);
    let served = state
        .files
        .read()
        .map(|files| Arc::clone(&files))
        .unwrap_or_default();
    let is_served = |path: &str| served.contains(path);
    // A build that renders everything makes every search refresh under way out of date: they
    // stop at once instead of taking a core from it.
    let renders_all = || state.search.full_rebuild();
    if previous_pages.is_none() {
        renders_all();
    }
    let previous = previous_pages
        .as_ref()
        .map(|pages| build::Previous::new(pages, &is_served, &renders_all));
    let built = build::build_in_memory(options, &Silent, Some(cache), previous.as_ref());
    let mut built = match built {
        Ok(built) => built,
        Err(errors) => {
            let overlay = live::overlay_html(&errors);
            if let Ok(mut current) = state.overlay.write() {
                *current = Some(overlay.clone());
            }
            let _ = state.events.send(LiveEvent::Failed(overlay));
            return Err(errors);
        }
    };
    *retained = built.retained.take();
    let files = SiteFiles::from_plan(std::mem::take(&mut built.plan), &served);
    drop(served);
    let mut files = files.map_err(|e| {
        vec![
            Diagnostic::error(format!("cannot read a file of the site: {e}"))
                .hint("a file changed while it was read; save again"),
        ]
    })?;
    let mut changed = Vec::new();
    if let Ok(mut current) = state.files.write() {
        if built.stale_search.is_some() {
            let bundle = format!("{}/", crate::output::search::BUNDLE_DIR);
            files.adopt(&current, |path| path.starts_with(&bundle));
        }
        changed = current.changed_paths(&files);
        *current = Arc::new(files);
    }
    let stale = built.stale_search.take().unwrap_or_default();
    let search_behind = refresh_search(state, retained.as_ref(), stale);
    let was_broken = state
        .overlay
        .write()
        .map(|mut o| o.take().is_some())
        .unwrap_or(false);
    let event = if was_broken {
        LiveEvent::Fixed
    } else {
        LiveEvent::Reload(serde_json::to_string(&changed).unwrap_or_else(|_| "[]".into()))
    };
    let _ = state.events.send(event);
    Ok(Rebuild {
        changed: changed.len(),
        rendered: (
            built.pages_rendered,
            built.pages_rendered + built.pages_reused,
        ),
        search_behind,
        warnings: built.warnings,
    })
}
