//! Finding the first byte of a text that a test picks, sixteen bytes at a time: the minifier,
//! typography and the templates' escaping read all of every page's text for the few bytes they
//! act on.

/// How many bytes [`first_picked`] tests at once: one SSE2 register, which every x86-64 has.
const LANES: usize = 16;

/// Where the first byte of `bytes` is for which `picks(byte, next)` holds, `next` being the
/// byte after it (`after_end` after the last).
///
/// `picks` must be branch-free, made of comparisons joined with `&` and `|`: the bytes are then
/// tested a block at a time, which LLVM turns into vector compares, where a loop that stops at
/// the first byte picked goes byte by byte, with a branch per byte that mispredicts at nearly
/// every word (the minifier's search for whitespace to collapse was a fifth of its own samples).
/// Where the bytes looked for are frequent (every space), a plain loop is cheaper: each find
/// starts a block again.
#[inline(always)]
pub fn first_picked(bytes: &[u8], after_end: u8, picks: impl Fn(u8, u8) -> bool) -> Option<usize> {
    let mut at = 0;
    while at + LANES < bytes.len() {
        let block = &bytes[at..=at + LANES];
        let mut any = false;
        for i in 0..LANES {
            any |= picks(block[i], block[i + 1]);
        }
        if any {
            break;
        }
        at += LANES;
    }
    (at..bytes.len()).find(|&i| picks(bytes[i], bytes.get(i + 1).copied().unwrap_or(after_end)))
}

/// The runs of `text` between the bytes `picks` picks, each with the byte that ends it, and
/// the last run with `None`: the shape of every escaper here, which copies the runs whole and
/// writes something else for each byte picked. `picks` has [`first_picked`]'s form (without the
/// next byte) and must pick ASCII bytes only, so that each run is whole characters.
pub fn runs_between<P: Fn(u8) -> bool>(text: &str, picks: P) -> RunsBetween<'_, P> {
    RunsBetween {
        text,
        start: Some(0),
        picks,
    }
}

/// The iterator of [`runs_between`].
pub struct RunsBetween<'a, P> {
    text: &'a str,
    /// Where the next run starts; `None` once the last has been given.
    start: Option<usize>,
    picks: P,
}

impl<'a, P: Fn(u8) -> bool> Iterator for RunsBetween<'a, P> {
    type Item = (&'a str, Option<u8>);

    #[inline(always)]
    fn next(&mut self) -> Option<Self::Item> {
        let start = self.start?;
        let bytes = self.text.as_bytes();
        let picks = &self.picks;
        match first_picked(&bytes[start..], 0, |c, _| picks(c)) {
            Some(found) => {
                let at = start + found;
                debug_assert!(bytes[at].is_ascii(), "only ASCII bytes may be picked");
                self.start = Some(at + 1);
                Some((&self.text[start..at], Some(bytes[at])))
            }
            None => {
                self.start = None;
                Some((&self.text[start..], None))
            }
        }
    }
}

/// `text` with each byte of `entities` replaced by its entity, appended to `out`.
#[inline(always)]
pub fn escape_into<const N: usize>(text: &str, entities: &[(u8, &str); N], out: &mut String) {
    let picks = |c: u8| {
        entities
            .iter()
            .fold(false, |any, &(byte, _)| any | (c == byte))
    };
    for (run, picked) in runs_between(text, picks) {
        out.push_str(run);
        if let Some(byte) = picked {
            if let Some((_, entity)) = entities.iter().find(|(b, _)| *b == byte) {
                out.push_str(entity);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The first position by a plain search, for comparison.
    fn plainly(bytes: &[u8], after_end: u8, picks: impl Fn(u8, u8) -> bool) -> Option<usize> {
        (0..bytes.len()).find(|&i| picks(bytes[i], bytes.get(i + 1).copied().unwrap_or(after_end)))
    }

    #[test]
    fn finds_the_first_byte_picked_wherever_it_stands() {
        let picks = |c: u8, next: u8| (c == b'\n') | ((c == b' ') & (next == b' '));
        // Every length around the block size, every place for the picked byte, and the last
        // byte's pick depending on the byte after the end.
        for len in 0..3 * LANES + 3 {
            for place in 0..=len {
                let mut bytes = vec![b'a'; len];
                if place < len {
                    bytes[place] = b'\n';
                }
                assert_eq!(
                    first_picked(&bytes, b' ', picks),
                    plainly(&bytes, b' ', picks),
                    "{len} {place}"
                );
                if place < len {
                    bytes[place] = b' ';
                    for after_end in [b' ', b'x'] {
                        assert_eq!(
                            first_picked(&bytes, after_end, picks),
                            plainly(&bytes, after_end, picks),
                            "{len} {place} {after_end}"
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn a_pair_across_blocks_is_found() {
        let mut bytes = vec![b'a'; 40];
        bytes[LANES - 1] = b' ';
        bytes[LANES] = b' ';
        let picks = |c: u8, next: u8| (c == b' ') & (next == b' ');
        assert_eq!(first_picked(&bytes, b'a', picks), Some(LANES - 1));
        assert_eq!(first_picked(&bytes[..LANES], b' ', picks), Some(LANES - 1));
        assert_eq!(first_picked(&bytes[..LANES], b'a', picks), None);
    }

    #[test]
    fn runs_between_split_at_every_byte_picked() {
        let pieces = ["a", "&", "<", "é", "日本", " ", "&&", "xyz"];
        let mut random = crate::test_random::Xorshift(0x0bad_5eed);
        for _ in 0..2000 {
            let text = random.text(&pieces, 50);
            let runs: Vec<(&str, Option<u8>)> =
                runs_between(&text, |c| (c == b'&') | (c == b'<')).collect();
            // As many runs as bytes picked, plus the last; put back together, the text.
            let picked = text.bytes().filter(|&c| c == b'&' || c == b'<').count();
            assert_eq!(runs.len(), picked + 1, "{text:?}");
            assert_eq!(runs.last().unwrap().1, None);
            let mut again = String::new();
            for (run, byte) in &runs {
                assert!(!run.contains(['&', '<']), "{text:?}");
                again.push_str(run);
                again.extend(byte.map(char::from));
            }
            assert_eq!(again, text);
        }
        assert_eq!(
            runs_between("", |c| c == b'&').collect::<Vec<_>>(),
            [("", None)]
        );
        assert_eq!(
            runs_between("&", |c| c == b'&').collect::<Vec<_>>(),
            [("", Some(b'&')), ("", None)]
        );
    }

    #[test]
    fn escaping_replaces_each_listed_byte_and_nothing_else() {
        let entities = [(b'&', "&amp;"), (b'<', "&lt;"), (b'"', "&quot;")];
        let plainly = |text: &str| {
            text.replace('&', "&amp;")
                .replace('<', "&lt;")
                .replace('"', "&quot;")
        };
        let pieces = ["a", "&", "<p>", "\"", "'", "é", "日本", " ", "&amp;", "»"];
        let mut random = crate::test_random::Xorshift(0x5ca1_ab1e);
        for _ in 0..2000 {
            let text = random.text(&pieces, 40);
            let mut out = String::from("kept ");
            escape_into(&text, &entities, &mut out);
            assert_eq!(out, format!("kept {}", plainly(&text)), "{text:?}");
        }
    }
}
