//! The random numbers of the tests that draw inputs: a xorshift generator with a fixed seed, so
//! a failing input is the same on every run.

/// Marsaglia's xorshift64; the state is the last number drawn.
pub struct Xorshift(pub u64);

impl Xorshift {
    /// The next number.
    pub fn next_u64(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    /// The next number, below `bound`.
    pub fn below(&mut self, bound: usize) -> usize {
        (self.next_u64() % bound as u64) as usize
    }

    /// A text of fewer than `most` pieces, each drawn from `pieces`.
    pub fn text(&mut self, pieces: &[&str], most: usize) -> String {
        let length = self.below(most);
        (0..length)
            .map(|_| pieces[self.below(pieces.len())])
            .collect()
    }
}
