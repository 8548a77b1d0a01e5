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
}
