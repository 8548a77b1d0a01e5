//! Watching the site's sources: `content/`, `themes/`, `i18n/` and `site.yaml`, through notify
//! with a debouncer, so an editor's save (often a write to a temporary file and a rename) is one
//! change, not five.

use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::Duration;

use notify::event::{MetadataKind, ModifyKind};
use notify::{EventKind, PollWatcher, RecursiveMode};
use notify_debouncer_full::{
    new_debouncer, new_debouncer_opt, DebounceEventResult, RecommendedCache,
};

use crate::config::{I18N_DIR, SITE_FILE};
use crate::load::CONTENT_DIR;

/// How long the debouncer waits for a burst of events to end. An editor's atomic save (write a
/// temporary file, rename it over the original) takes microseconds; this delay is most of the
/// time from a save to the page served, so it is kept short.
const DEBOUNCE: Duration = Duration::from_millis(35);

/// What kind of source changed, for the rebuild message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum ChangeKind {
    Content,
    Theme,
    Translations,
    Settings,
}

/// A running watcher; changes arrive on `changes` as sets of relevant paths.
pub struct Watcher {
    _debouncer: Box<dyn std::any::Any + Send>,
    pub changes: mpsc::Receiver<Vec<PathBuf>>,
    /// The folders and files being watched, for the start-up message.
    pub watched: Vec<PathBuf>,
}

/// Which source a path belongs to, or `None` for files that are not sources (editor swap and
/// backup files, hidden files, anything outside the watched places).
pub fn classify(root: &Path, path: &Path) -> Option<ChangeKind> {
    let relative = path.strip_prefix(root).ok()?;
    let name = relative.file_name()?.to_string_lossy();
    let is_noise = name.starts_with('.')
        || name.starts_with('#')
        || name.ends_with('~')
        || name.ends_with(".swp")
        || name.ends_with(".swx")
        || name.ends_with(".tmp")
        || name == "4913";
    if is_noise {
        return None;
    }
    let first = relative.components().next()?.as_os_str().to_string_lossy();
    match first.as_ref() {
        CONTENT_DIR => Some(ChangeKind::Content),
        "themes" => Some(ChangeKind::Theme),
        I18N_DIR => Some(ChangeKind::Translations),
        SITE_FILE if relative.components().count() == 1 => Some(ChangeKind::Settings),
        _ => None,
    }
}

/// Whether an event is a change to a file, not a read: the build itself opens every source,
/// and reacting to those openings would rebuild forever.
fn is_edit(kind: &EventKind) -> bool {
    match kind {
        EventKind::Create(_) | EventKind::Remove(_) | EventKind::Any => true,
        EventKind::Modify(ModifyKind::Metadata(MetadataKind::AccessTime)) => false,
        EventKind::Modify(_) => true,
        EventKind::Access(_) | EventKind::Other => false,
    }
}

/// Starts watching `root`'s sources; `poll` uses a polling watcher (network drives, containers).
pub fn watch(root: &Path, poll: bool) -> Result<Watcher, String> {
    let (sender, changes) = mpsc::channel();
    let root_for_filter = root.to_path_buf();
    let handler = move |result: DebounceEventResult| {
        let Ok(events) = result else { return };
        let mut paths: Vec<PathBuf> = events
            .into_iter()
            .filter(|event| is_edit(&event.event.kind))
            .flat_map(|event| event.event.paths)
            .filter(|path| classify(&root_for_filter, path).is_some())
            .collect();
        paths.sort();
        paths.dedup();
        if !paths.is_empty() {
            let _ = sender.send(paths);
        }
    };
    let mut targets: Vec<(PathBuf, RecursiveMode)> = Vec::new();
    for dir in [CONTENT_DIR, "themes", I18N_DIR] {
        let path = root.join(dir);
        if path.is_dir() {
            targets.push((path, RecursiveMode::Recursive));
        }
    }
    // site.yaml is watched through its folder, so a rename-over save is seen too.
    targets.push((root.to_path_buf(), RecursiveMode::NonRecursive));
    let failed = |e: notify::Error| format!("cannot watch the site's files: {e}");
    let watched = targets.iter().map(|(p, _)| p.clone()).collect();
    let debouncer: Box<dyn std::any::Any + Send> = if poll {
        let config = notify::Config::default().with_poll_interval(Duration::from_millis(300));
        let mut debouncer = new_debouncer_opt::<_, PollWatcher, RecommendedCache>(
            DEBOUNCE,
            None,
            handler,
            RecommendedCache::new(),
            config,
        )
        .map_err(failed)?;
        for (path, mode) in &targets {
            debouncer.watch(path, *mode).map_err(failed)?;
        }
        Box::new(debouncer)
    } else {
        let mut debouncer = new_debouncer(DEBOUNCE, None, handler).map_err(failed)?;
        for (path, mode) in &targets {
            debouncer.watch(path, *mode).map_err(failed)?;
        }
        Box::new(debouncer)
    };
    Ok(Watcher {
        _debouncer: debouncer,
        changes,
        watched,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classifies_sources_and_ignores_editor_files() {
        let root = Path::new("/site");
        assert_eq!(
            classify(root, Path::new("/site/content/a/index.fr.md")),
            Some(ChangeKind::Content)
        );
        assert_eq!(
            classify(root, Path::new("/site/themes/icc/templates/page.html")),
            Some(ChangeKind::Theme)
        );
        assert_eq!(
            classify(root, Path::new("/site/i18n/fr.yaml")),
            Some(ChangeKind::Translations)
        );
        assert_eq!(
            classify(root, Path::new("/site/site.yaml")),
            Some(ChangeKind::Settings)
        );
        assert_eq!(
            classify(root, Path::new("/site/content/.index.fr.md.swp")),
            None
        );
        assert_eq!(
            classify(root, Path::new("/site/content/index.fr.md~")),
            None
        );
        assert_eq!(classify(root, Path::new("/site/content/4913")), None);
        assert_eq!(classify(root, Path::new("/site/public/index.html")), None);
        assert_eq!(classify(root, Path::new("/elsewhere/content/a.md")), None);
    }
}
