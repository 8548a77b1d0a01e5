//! Where the file system puts the output's folders: spread over free areas of the disk, away from
//! the inodes of the output just deleted.
//!
//! Why: a build creates tens of thousands of files and folders (38,000 and 22,000 for 2,000
//! documents in 8 languages), usually seconds after the previous output was removed (by
//! intercite's swap, or by `rm -rf public`). On ext4 without a journal, the inode allocator
//! refuses an inode freed in the last minute (five, while its block is not yet written back) and
//! checks every such inode, one by one, each time it allocates one in the same block group. The
//! allocator (Orlov) puts a folder near its parent, so the new output lands exactly where the old
//! one was deleted, and each creation scans all the freshly freed inodes: measured on the
//! 2,000-document corpus, 15 to 30 seconds of system time instead of 3.
//!
//! The cure uses two documented hints of ext4 and costs nothing elsewhere: the staging folder is
//! marked "top of a directory hierarchy" (`chattr +T`, `FS_TOPDIR_FL`), which tells Orlov that its
//! subfolders are unrelated and should be spread; and each of its subfolders is created under a
//! name unique to this build (Orlov hashes the name to choose where to start looking) and then
//! renamed. Each language's folder is marked in turn, so each section lands in a free group of
//! its own. Orlov still favours the group the old output was just deleted from (it has the
//! fewest folders), so each of these folders is tried out first ([`Spreader`]). File systems
//! without these flags ignore them; nothing depends on them but speed.

use std::ffi::OsStr;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Creating a file where the allocator finds fresh inodes takes 15 to 45 µs on the 2-core
/// machines measured; where it first steps over a thousand freshly freed ones, 180 µs and more.
const SLOW_CREATION: Duration = Duration::from_micros(60);
/// Files created to time a new folder's place: the fastest of them is what counts, so one
/// creation delayed by the scheduler does not condemn a good place.
const PROBES: usize = 3;
/// Places tried for one folder before the fastest of them is kept anyway.
const ATTEMPTS: usize = 4;
/// Prefix of the temporary names in the staging folder; none survives a commit.
const TEMPORARY: &str = ".intercite-new-";

/// Creates the staging folder's language and section folders where the file system allocates
/// quickly.
///
/// Orlov puts a marked folder's subfolder in the flex group with the fewest folders, and the group the
/// previous output was just deleted from is often the emptiest, so about one folder in five
/// lands right where the old inodes are still refused. Each folder is therefore tried out
/// before it is used: a few files are created in it and timed. A slow place is kept aside (so
/// Orlov, counting its folder, looks elsewhere next time) and another is tried; the places
/// kept aside are removed by [`Spreader::discard_avoided`] before the build is committed.
pub struct Spreader {
    /// Whether the file system took the "top of hierarchy" mark, i.e. is ext2/3/4, the only
    /// kind where placement is worth timing.
    probing: bool,
    /// Below this, a place is good enough: [`SLOW_CREATION`], except in tests.
    threshold: Duration,
    avoided: Mutex<Vec<PathBuf>>,
}

impl Spreader {
    /// Marks `folder` (the fresh staging folder) as the top of a directory hierarchy.
    pub fn new(folder: &Path) -> Spreader {
        Spreader {
            probing: mark_top_of_hierarchy(folder),
            threshold: SLOW_CREATION,
            avoided: Mutex::new(Vec::new()),
        }
    }

    /// Creates the folder `parent/name` (see [`create_spread_folder`]), trying up to
    /// [`ATTEMPTS`] places when creating files in the first ones proves slow; `spread_inside`
    /// marks it the top of a hierarchy in turn, so its own subfolders are spread. `parent`
    /// must itself be marked (or be the staging folder) for the place to be chosen afresh.
    pub fn create(&self, parent: &Path, name: &OsStr, spread_inside: bool) -> io::Result<()> {
        if !self.probing {
            return create_spread_folder(parent, name);
        }
        let target = parent.join(name);
        if target.is_dir() {
            return Ok(());
        }
        let mut tried: Vec<(Duration, PathBuf)> = Vec::new();
        for _ in 0..ATTEMPTS {
            let candidate = temporary_folder(parent)?;
            let cost = creation_cost(&candidate);
            let fast = cost < self.threshold;
            tried.push((cost, candidate));
            if fast {
                break;
            }
        }
        let best = (0..tried.len())
            .min_by_key(|&i| tried[i].0)
            .unwrap_or_default();
        let (_, chosen) = tried.swap_remove(best);
        if let Ok(mut avoided) = self.avoided.lock() {
            avoided.extend(tried.into_iter().map(|(_, path)| path));
        }
        for probe in 0..PROBES {
            let _ = fs::remove_file(chosen.join(probe_name(probe)));
        }
        if spread_inside {
            mark_top_of_hierarchy(&chosen);
        }
        give_name(&chosen, &target)
    }

    /// Removes the places kept aside; called before the staging folder goes live.
    pub fn discard_avoided(&self) -> io::Result<()> {
        let avoided = self
            .avoided
            .lock()
            .map(|mut avoided| std::mem::take(&mut *avoided))
            .unwrap_or_default();
        avoided.iter().try_for_each(fs::remove_dir_all)
    }
}

/// Marks `folder` as the top of a directory hierarchy, so that the file system spreads its
/// subfolders over the disk; says whether the mark took. Best effort: failures (another file
/// system, no permission) are ignored, since only speed depends on it.
pub fn mark_top_of_hierarchy(folder: &Path) -> bool {
    #[cfg(target_os = "linux")]
    {
        use rustix::fs::{ioctl_getflags, ioctl_setflags, IFlags};
        if let Ok(dir) = fs::File::open(folder) {
            if let Ok(flags) = ioctl_getflags(&dir) {
                return ioctl_setflags(&dir, flags | IFlags::TOPDIR).is_ok()
                    && ioctl_getflags(&dir).is_ok_and(|flags| flags.contains(IFlags::TOPDIR));
            }
        }
        false
    }
    #[cfg(not(target_os = "linux"))]
    {
        let _ = folder;
        false
    }
}

/// Creates the folder `parent/name` under a name of its own first, so the file system chooses
/// its place afresh, then gives it its name. An existing `parent/name` is kept (another thread
/// made it first). The temporary name starts with [`TEMPORARY`], inside the staging folder,
/// so a crash leaves it only where the next build removes it.
pub fn create_spread_folder(parent: &Path, name: &OsStr) -> io::Result<()> {
    let target = parent.join(name);
    if target.is_dir() {
        return Ok(());
    }
    give_name(&temporary_folder(parent)?, &target)
}

/// A new empty folder in `parent` under a name no other folder had.
fn temporary_folder(parent: &Path) -> io::Result<PathBuf> {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    let unique = format!(
        "{TEMPORARY}{}-{}-{nanos}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    );
    let temporary = parent.join(unique);
    fs::create_dir(&temporary)?;
    Ok(temporary)
}

/// Renames `temporary` to `target`, unless another thread made `target` first.
fn give_name(temporary: &Path, target: &Path) -> io::Result<()> {
    match fs::rename(temporary, target) {
        Ok(()) => Ok(()),
        Err(e) => {
            let _ = fs::remove_dir_all(temporary);
            if target.is_dir() {
                Ok(())
            } else {
                Err(e)
            }
        }
    }
}

fn probe_name(probe: usize) -> String {
    format!(".intercite-probe-{probe}")
}

/// The shortest time taken to create an empty file in `folder`, over [`PROBES`] files. A
/// creation that fails counts as slow, so the place is not chosen over one that works.
fn creation_cost(folder: &Path) -> Duration {
    (0..PROBES)
        .map(|probe| {
            let started = Instant::now();
            match fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(folder.join(probe_name(probe)))
            {
                Ok(_) => started.elapsed(),
                Err(_) => Duration::MAX,
            }
        })
        .min()
        .unwrap_or(Duration::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_spread_folder_gets_its_name_and_leaves_no_temporary_behind() {
        let root = tempfile::tempdir().unwrap();
        mark_top_of_hierarchy(root.path());
        create_spread_folder(root.path(), OsStr::new("fr")).unwrap();
        assert!(root.path().join("fr").is_dir());
        fs::write(root.path().join("fr/index.html"), "x").unwrap();
        // A second creation keeps the first folder and what it holds.
        create_spread_folder(root.path(), OsStr::new("fr")).unwrap();
        assert_eq!(
            fs::read_to_string(root.path().join("fr/index.html")).unwrap(),
            "x"
        );
        let names: Vec<String> = fs::read_dir(root.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        assert_eq!(names, ["fr"]);
    }

    #[test]
    fn places_found_slow_are_kept_aside_then_removed_and_the_folder_is_clean() {
        let root = tempfile::tempdir().unwrap();
        let probing = |threshold| Spreader {
            probing: true,
            threshold,
            avoided: Mutex::new(Vec::new()),
        };
        // Every place counts as slow: all attempts are made, the fastest is kept.
        let spreader = probing(Duration::ZERO);
        spreader
            .create(root.path(), OsStr::new("fr"), false)
            .unwrap();
        let names = |dir: &Path| -> Vec<String> {
            let mut names: Vec<String> = fs::read_dir(dir)
                .unwrap()
                .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                .collect();
            names.sort();
            names
        };
        assert!(
            names(&root.path().join("fr")).is_empty(),
            "no probe is left"
        );
        let all = names(root.path());
        assert_eq!(all.len(), ATTEMPTS, "{all:?}");
        assert!(all.iter().filter(|n| n.starts_with(TEMPORARY)).count() == ATTEMPTS - 1);
        spreader.discard_avoided().unwrap();
        assert_eq!(names(root.path()), ["fr"]);
        // A fast enough place is taken at once.
        let spreader = probing(Duration::MAX);
        spreader
            .create(root.path(), OsStr::new("en"), true)
            .unwrap();
        assert_eq!(names(root.path()), ["en", "fr"]);
        assert!(spreader.avoided.lock().unwrap().is_empty());
        // Only the folder asked to spread its subfolders is marked, where marks exist.
        #[cfg(target_os = "linux")]
        if mark_top_of_hierarchy(root.path()) {
            use rustix::fs::{ioctl_getflags, IFlags};
            let marked = |name: &str| {
                let dir = fs::File::open(root.path().join(name)).unwrap();
                ioctl_getflags(&dir).unwrap().contains(IFlags::TOPDIR)
            };
            assert!(marked("en") && !marked("fr"));
        }
    }

    #[test]
    fn a_file_in_the_way_is_an_error() {
        let root = tempfile::tempdir().unwrap();
        fs::write(root.path().join("fr"), "a file").unwrap();
        assert!(create_spread_folder(root.path(), OsStr::new("fr")).is_err());
        assert_eq!(fs::read_dir(root.path()).unwrap().count(), 1);
    }
}
