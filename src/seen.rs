//! Keys met once, for the memos that keep what repeats from page to page (the minifier's and
//! typography's lines).

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
}
