//! The memo of lines that repeat from page to page, shared by the minifier and typography:
//! both copy what they made of a line of a template's markup instead of going through it again.

use std::collections::HashMap;
use std::hash::BuildHasherDefault;

/// Lines met before, by a key that hashes a line and the state before it, with what a pass made
/// of them (`V`).
///
/// A line is stored the second time it is met (see [`SeenKeys`]), so that the text of a single
/// page costs a hash, not a copy; the memo is emptied when it holds more than its limit of bytes,
/// which bounds the memory of a thread's memo without the bookkeeping of an eviction order.
pub struct LineMemo<V> {
    /// Where each line's entry is in `made`, by key. The keys are hashes already:
    /// [`KeyHasher`] passes them on. Kept apart from the entries (a hundred bytes each) so that
    /// the table is small enough to stay in the cache: most look-ups are for a page's own lines,
    /// which are not there, and then touch nothing else.
    lines: HashMap<u64, u32, BuildHasherDefault<KeyHasher>>,
    made: Vec<V>,
    /// For each entry of `made`, the entry taken from the memo right after it last time
    /// ([`NO_ENTRY`] for none): a page's template lines come in the same order on every page,
    /// so the line after a line taken from the memo is looked for there first, without hashing
    /// it or probing the table ([`LineMemo::after`]).
    next: Vec<u32>,
    seen: SeenKeys,
    bytes: usize,
    limit: usize,
    /// Lines taken from the memo.
    hits: usize,
}

impl<V> LineMemo<V> {
    /// A memo emptied past `limit` bytes, that remembers lines met once in `seen_slots` slots (a
    /// power of two).
    pub fn new(limit: usize, seen_slots: usize) -> LineMemo<V> {
        LineMemo {
            lines: HashMap::default(),
            made: Vec::new(),
            next: Vec::new(),
            seen: SeenKeys::new(seen_slots),
            bytes: 0,
            limit,
            hits: 0,
        }
    }

    /// What was made of the line of `key`, counted as a hit when the caller uses it ([`hit`]).
    ///
    /// [`hit`]: LineMemo::hit
    pub fn get(&self, key: u64) -> Option<&V> {
        self.find(key).map(|(_, made)| made)
    }

    /// The entry of `key` and where it is, for [`LineMemo::link`] and [`LineMemo::after`].
    pub fn find(&self, key: u64) -> Option<(Slot, &V)> {
        let &at = self.lines.get(&key)?;
        Some((Slot(at), self.made.get(at as usize)?))
    }

    /// The entry at `slot`.
    pub fn entry(&self, slot: Slot) -> Option<&V> {
        self.made.get(slot.0 as usize)
    }

    /// The entry that was taken from the memo right after the one at `slot` last time (see
    /// [`LineMemo::link`]). It holds for the state the line at `slot` leaves, as every entry
    /// holds for the state its key hashes; the caller still compares its line.
    pub fn after(&self, slot: Slot) -> Option<(Slot, &V)> {
        let &next = self.next.get(slot.0 as usize)?;
        if next == NO_ENTRY {
            return None;
        }
        Some((Slot(next), self.made.get(next as usize)?))
    }

    /// Records that the entry at `to` was taken from the memo right after the one at `from`.
    pub fn link(&mut self, from: Slot, to: Slot) {
        if let Some(next) = self.next.get_mut(from.0 as usize) {
            *next = to.0;
        }
    }

    /// Counts a line copied from the memo.
    pub fn hit(&mut self) {
        self.hits += 1;
    }

    /// Lines copied from the memo so far.
    pub fn hits(&self) -> usize {
        self.hits
    }

    /// Records that the line of `key` was met; whether it is worth storing (it was met before).
    pub fn met_before(&mut self, key: u64) -> bool {
        self.seen.met_before(key)
    }

    /// Keeps what was made of the line of `key`, which holds `bytes` bytes; empties the memo
    /// first when this would take it past its limit. Every [`Slot`] taken before is then
    /// invalid.
    pub fn store(&mut self, key: u64, made: V, bytes: usize) {
        self.bytes += bytes;
        if self.bytes > self.limit {
            self.lines.clear();
            self.made.clear();
            self.next.clear();
            self.bytes = bytes;
        }
        match self.lines.get(&key) {
            Some(&at) => {
                // The same first row in the same state, but perhaps another line after it,
                // which may leave another state: what followed it no longer does.
                self.made[at as usize] = made;
                self.next[at as usize] = NO_ENTRY;
            }
            None => {
                let Ok(at) = u32::try_from(self.made.len()) else {
                    return;
                };
                if at == NO_ENTRY {
                    return;
                }
                self.lines.insert(key, at);
                self.made.push(made);
                self.next.push(NO_ENTRY);
            }
        }
    }
}

/// Where an entry is in a [`LineMemo`]: valid until the memo is next stored into.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Slot(u32);

/// No entry followed this one yet.
const NO_ENTRY: u32 = u32::MAX;

/// The hasher of [`LineMemo`]'s map, whose keys are hashes of the lines already: it passes them
/// on instead of hashing them again.
#[derive(Default)]
pub struct KeyHasher(u64);

impl std::hash::Hasher for KeyHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        // Only `write_u64` is used (the keys are `u64`); any other input is folded in.
        for &byte in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(byte);
        }
    }

    fn write_u64(&mut self, key: u64) {
        self.0 = key;
    }
}

/// The keys of things met once, in a table indexed by the key's low bits where a key replaces
/// the one before it in its slot: a thing is worth keeping when it is met again before another
/// key took its slot. A plain hash set cost a hash, a probe and, once full, a clearing for every
/// line of a page's own text, met once: more than all the rest of a memo's bookkeeping.
pub struct SeenKeys {
    slots: Box<[u64]>,
}

impl SeenKeys {
    /// A table of `slots` keys, a power of two.
    pub fn new(slots: usize) -> SeenKeys {
        debug_assert!(slots.is_power_of_two());
        SeenKeys {
            slots: vec![0; slots].into_boxed_slice(),
        }
    }

    /// Records that `key` was met; whether it was met before (and is still in its slot).
    pub fn met_before(&mut self, key: u64) -> bool {
        let mask = self.slots.len() - 1;
        let slot = &mut self.slots[(key as usize) & mask];
        let before = *slot == key;
        *slot = key;
        before
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_is_met_before_until_another_takes_its_slot() {
        let mut seen = SeenKeys::new(4);
        assert!(!seen.met_before(5));
        assert!(seen.met_before(5));
        assert!(!seen.met_before(9)); // 9 & 3 == 5 & 3
        assert!(!seen.met_before(5));
        assert!(!seen.met_before(6));
        assert!(seen.met_before(5));
    }

    #[test]
    fn a_memo_past_its_limit_keeps_only_the_line_that_took_it_there() {
        let mut memo: LineMemo<&str> = LineMemo::new(10, 8);
        memo.store(1, "one", 4);
        memo.store(2, "two", 4);
        assert_eq!(memo.get(1), Some(&"one"));
        memo.store(3, "three", 4);
        assert_eq!(memo.get(1), None);
        assert_eq!(memo.get(2), None);
        assert_eq!(memo.get(3), Some(&"three"));
        // The line that emptied the memo counts towards the next limit: 4 + 4 + 4 > 10.
        memo.store(4, "four", 4);
        assert_eq!(memo.get(3), Some(&"three"));
        memo.store(5, "five", 4);
        assert_eq!(memo.get(3), None);
        assert_eq!(memo.get(5), Some(&"five"));
    }

    #[test]
    fn a_line_stored_again_replaces_what_was_made_of_it() {
        let mut memo: LineMemo<&str> = LineMemo::new(100, 8);
        memo.store(1, "one", 4);
        memo.store(2, "two", 4);
        memo.store(1, "uno", 4);
        assert_eq!(memo.get(1), Some(&"uno"));
        assert_eq!(memo.get(2), Some(&"two"));
        assert_eq!(memo.get(3), None);
    }

    #[test]
    fn a_linked_entry_is_found_after_the_one_before_it_until_either_is_stored_again() {
        let mut memo: LineMemo<&str> = LineMemo::new(100, 8);
        memo.store(1, "one", 4);
        memo.store(2, "two", 4);
        let (one, _) = memo.find(1).unwrap();
        let (two, _) = memo.find(2).unwrap();
        assert_eq!(memo.after(one), None);
        memo.link(one, two);
        assert_eq!(memo.after(one), Some((two, &"two")));
        assert_eq!(memo.after(two), None);
        assert_eq!(memo.entry(two), Some(&"two"));
        // The entry after "one" stored again keeps its place: the link holds.
        memo.store(2, "deux", 4);
        assert_eq!(memo.after(one), Some((two, &"deux")));
        // "one" stored again may end in another state: its link goes.
        memo.store(1, "uno", 4);
        assert_eq!(memo.after(one), None);
    }

    #[test]
    fn links_go_with_the_entries_when_the_memo_is_emptied() {
        let mut memo: LineMemo<&str> = LineMemo::new(10, 8);
        memo.store(1, "one", 4);
        memo.store(2, "two", 4);
        let (one, _) = memo.find(1).unwrap();
        let (two, _) = memo.find(2).unwrap();
        memo.link(one, two);
        memo.store(3, "three", 4);
        assert_eq!(memo.after(one), None);
        assert_eq!(memo.find(3).map(|(_, made)| *made), Some("three"));
    }

    #[test]
    fn the_key_hasher_passes_a_key_through() {
        use std::hash::{BuildHasher, Hasher};
        let mut hasher = BuildHasherDefault::<KeyHasher>::default().build_hasher();
        hasher.write_u64(0xdead_beef);
        assert_eq!(hasher.finish(), 0xdead_beef);
    }
}
