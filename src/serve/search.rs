//! The search index kept current while editing. A page-level rebuild (see
//! [`crate::build::rerender_pages`]) serves the edited page in milliseconds; the index of its
//! language is then made again from the served pages on a thread of its own and swapped in
//! when ready, so the page never waits for Pagefind and search soon finds the new text. Other
//! rebuilds do the same for every language whose pages changed (all of them after a template
//! edit), one language at a time.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use super::files::SiteFiles;
use super::LiveState;
use crate::output::search::{self, Indexer, LanguageRefresh};

/// How long a language's edits must pause before its index is made again.
const SETTLE: std::time::Duration = std::time::Duration::from_millis(500);

/// Which refresh of each language is the latest: a refresh overtaken by a newer one for its
/// language, or by a full rebuild, is thrown away.
#[derive(Default)]
pub struct Refreshes {
    tickets: Mutex<Tickets>,
    /// Held by the refresh that is indexing: one language at a time, so that a rebuild that
    /// leaves every language behind (a template edit) does not run eight indexes at once, each
    /// holding a language in memory.
    indexing: Mutex<()>,
}

#[derive(Default)]
struct Tickets {
    next: u64,
    /// Taken by the last full rebuild, which makes every older refresh stale.
    full_rebuild: u64,
    latest: HashMap<String, u64>,
}

impl Refreshes {
    /// A full rebuild starts: it renders every page again, so every refresh under way is out
    /// of date (the rebuild starts its own, or brings its own index).
    pub fn full_rebuild(&self) {
        if let Ok(mut tickets) = self.tickets.lock() {
            tickets.next += 1;
            tickets.full_rebuild = tickets.next;
        }
    }

    fn begin(&self, lang: &str) -> u64 {
        let Ok(mut tickets) = self.tickets.lock() else {
            return 0;
        };
        tickets.next += 1;
        let ticket = tickets.next;
        tickets.latest.insert(lang.to_string(), ticket);
        ticket
    }

    fn is_latest(&self, lang: &str, ticket: u64) -> bool {
        self.tickets.lock().is_ok_and(|tickets| {
            ticket > tickets.full_rebuild && tickets.latest.get(lang) == Some(&ticket)
        })
    }
}

/// Makes the index of `lang` again from `pages` (output paths of its content pages, in build
/// order) as they are served now, on a thread of its own, and swaps it in.
pub fn refresh(state: &Arc<LiveState>, lang: String, pages: Arc<[String]>) {
    let ticket = state.search.begin(&lang);
    let state = Arc::clone(state);
    let spawned = std::thread::Builder::new()
        .name("search-refresh".into())
        .spawn(move || {
            yield_to_rebuilds();
            // Editors save in bursts: wait for the burst to end, and give up as soon as a newer
            // edit of the language or a full rebuild overtakes this refresh, so refreshes never
            // pile up and slow down the rebuilds that serve pages.
            std::thread::sleep(SETTLE);
            if !state.search.is_latest(&lang, ticket) {
                return;
            }
            let _turn = state
                .search
                .indexing
                .lock()
                .unwrap_or_else(|e| e.into_inner());
            if !state.search.is_latest(&lang, ticket) {
                return;
            }
            let Some(current) = state.files.read().ok().map(|files| Arc::clone(&files)) else {
                return;
            };
            let mut indexer = Indexer::in_background();
            for (n, path) in pages.iter().enumerate() {
                if n % 64 == 63 && !state.search.is_latest(&lang, ticket) {
                    indexer.cancel();
                    return;
                }
                if let Some(html) = current.get(path) {
                    indexer.index(path, &html);
                }
            }
            drop(current);
            // A failure leaves the previous index served; `intercite build` reports why.
            let Ok(bundle) = indexer.finish() else {
                return;
            };
            let Ok(mut files) = state.files.write() else {
                return;
            };
            if !state.search.is_latest(&lang, ticket) {
                return;
            }
            let Some(entry) = files.get(search::ENTRY_FILE) else {
                return;
            };
            if let Ok(refresh) = LanguageRefresh::new(bundle, &entry) {
                *files = Arc::new(with_refresh(&files, refresh));
            }
        });
    // Without a thread the index stays as it was until the next full rebuild.
    drop(spawned);
}

/// Gives the calling thread, and the indexing threads it starts (a new thread inherits its
/// creator's niceness), the lowest scheduling priority. A language's index takes seconds of
/// CPU on a large site (about 2.5 s at 10,000 documents), and an editor who saves again while
/// it is being made would otherwise wait for a rebuild that gets one core of two: at 10,000
/// documents a front-matter edit took 4.7 s with the refreshes at the same priority (see the
/// README's serve table). On Linux the niceness is a thread's own; elsewhere it would be the
/// whole process's, so it is left alone there.
fn yield_to_rebuilds() {
    #[cfg(target_os = "linux")]
    let _ = rustix::process::setpriority_process(Some(rustix::thread::gettid()), 19);
}

fn with_refresh(files: &SiteFiles, refresh: LanguageRefresh) -> SiteFiles {
    let kept = files.without(|path| refresh.replaces(path));
    kept.with_replaced(refresh.files).0
}

#[cfg(all(test, target_os = "linux"))]
mod tests {
    use super::*;

    fn own_priority() -> i32 {
        rustix::process::getpriority_process(Some(rustix::thread::gettid())).unwrap()
    }

    /// A refresh's thread, and the indexing threads it starts, yield to everything else;
    /// the threads that started it keep their priority.
    #[test]
    fn refreshes_and_their_threads_run_at_the_lowest_priority() {
        let before = own_priority();
        let (refresh, indexing) = std::thread::spawn(|| {
            yield_to_rebuilds();
            let indexing = std::thread::spawn(own_priority).join().unwrap();
            (own_priority(), indexing)
        })
        .join()
        .unwrap();
        assert_eq!((refresh, indexing), (19, 19));
        assert_eq!(own_priority(), before);
    }
}
