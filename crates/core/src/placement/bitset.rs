//! A hierarchical 64-ary bitset: an ordered set of integers in `0..len`.
//!
//! Level 0 holds one bit per value; each bit of level `k + 1` says whether the
//! matching 64-bit word of level `k` is non-zero. A successor query scans at
//! most one word per level going up and one per level going down, so it costs
//! `O(log64 len)` word operations: 4 levels cover 16M values. Compared with a
//! binary segment tree over the same range, that is 3-4 dependent loads instead
//! of 12-24, and the top levels stay in L1.
//!
//! Invariant: for every level `k > 0`, bit `w` of level `k` is set iff word `w`
//! of level `k - 1` is non-zero.

/// Levels needed for the largest universe (`64^6 = 2^36 > u32::MAX + 1`).
const MAX_LEVELS: usize = 6;

#[derive(Clone, Debug)]
pub struct HierBitset {
    /// All levels in one allocation, leaf level first; level `k` is
    /// `words[base[k]..base[k + 1]]` and the last level has exactly one word.
    /// One flat vector instead of a vector per level saves a pointer chase
    /// and a length load per level on every operation (measured in
    /// docs/performance.md).
    words: Vec<u64>,
    base: [usize; MAX_LEVELS + 1],
    levels: usize,
    len: usize,
}

impl HierBitset {
    /// An empty set over `0..len`. Allocates about `len / 8` bytes (zeroed
    /// lazily by the allocator for large sets).
    pub fn new(len: usize) -> Self {
        let mut base = [0usize; MAX_LEVELS + 1];
        let mut levels = 0;
        let mut words = len.div_ceil(64).max(1);
        loop {
            base[levels + 1] = base[levels] + words;
            levels += 1;
            if words == 1 {
                break;
            }
            words = words.div_ceil(64);
        }
        assert!(levels <= MAX_LEVELS, "universe too large for HierBitset");
        HierBitset {
            words: vec![0u64; base[levels]],
            base,
            levels,
            len,
        }
    }

    #[inline(always)]
    pub fn contains(&self, i: usize) -> bool {
        self.words[i >> 6] >> (i & 63) & 1 == 1
    }

    /// Word `at` of the flat array, unchecked.
    ///
    /// Safety: `at < self.words.len()`. Every caller computes `at` as
    /// `base[k] + (i >> 6 * (k + 1))` for a value `i < len` (or a word index
    /// already bounds-checked against level `k`'s size), which the
    /// construction in [`HierBitset::new`] keeps inside level `k`.
    #[inline(always)]
    unsafe fn word(&self, at: usize) -> u64 {
        debug_assert!(at < self.words.len());
        unsafe { *self.words.get_unchecked(at) }
    }

    /// Mutable [`Self::word`]; same safety condition.
    #[inline(always)]
    unsafe fn word_mut(&mut self, at: usize) -> &mut u64 {
        debug_assert!(at < self.words.len());
        unsafe { self.words.get_unchecked_mut(at) }
    }

    /// Adds `i`. Stops climbing as soon as a word was already non-zero.
    #[inline(always)]
    pub fn insert(&mut self, mut i: usize) {
        assert!(i < self.len, "{i} outside the set's 0..{}", self.len);
        for k in 0..self.levels {
            // Safety: i < len at level 0, and i >> 6 indexes level k + 1.
            let at = self.base[k] + (i >> 6);
            let w = unsafe { self.word_mut(at) };
            let was_empty = *w == 0;
            *w |= 1 << (i & 63);
            if !was_empty {
                return;
            }
            i >>= 6;
        }
    }

    /// Removes `i`. Stops climbing as soon as a word stays non-zero.
    #[inline(always)]
    pub fn remove(&mut self, mut i: usize) {
        assert!(i < self.len, "{i} outside the set's 0..{}", self.len);
        for k in 0..self.levels {
            // Safety: as in `insert`.
            let at = self.base[k] + (i >> 6);
            let w = unsafe { self.word_mut(at) };
            *w &= !(1 << (i & 63));
            if *w != 0 {
                return;
            }
            i >>= 6;
        }
    }

    /// Smallest member `>= i`, if any.
    #[inline(always)]
    pub fn succ(&self, mut i: usize) -> Option<usize> {
        let mut k = 0;
        // Climb until some word holds a set bit at or after position i.
        loop {
            let w = i >> 6;
            let (lo, hi) = (self.base[k], self.base[k + 1]);
            if w >= hi - lo {
                return None;
            }
            // Safety: w < hi - lo, the size of level k.
            let bits = unsafe { self.word(lo + w) } & (u64::MAX << (i & 63));
            if bits != 0 {
                i = (w << 6) | bits.trailing_zeros() as usize;
                break;
            }
            i = w + 1;
            k += 1;
            if k == self.levels {
                return None;
            }
        }
        // Descend: by the invariant each word we land on is non-zero.
        while k > 0 {
            k -= 1;
            // Safety: i is the position of a set bit of level k + 1, so a word of level k.
            i = (i << 6) | unsafe { self.word(self.base[k] + i) }.trailing_zeros() as usize;
        }
        Some(i)
    }

    /// Largest member, if any.
    #[inline(always)]
    pub fn max(&self) -> Option<usize> {
        let mut k = self.levels - 1;
        let top = self.words[self.base[k]];
        if top == 0 {
            return None;
        }
        let mut i = 63 - top.leading_zeros() as usize;
        while k > 0 {
            k -= 1;
            i = (i << 6) | (63 - self.words[self.base[k] + i].leading_zeros() as usize);
        }
        Some(i)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::collections::BTreeSet;

    proptest! {
        #[test]
        fn behaves_like_btreeset(len in 1usize..300_000, ops in prop::collection::vec((0u8..3, any::<u32>()), 0..400)) {
            let mut s = HierBitset::new(len);
            let mut model = BTreeSet::new();
            for (op, x) in ops {
                let x = x as usize % len;
                match op {
                    0 => { s.insert(x); model.insert(x); }
                    1 => { s.remove(x); model.remove(&x); }
                    _ => {}
                }
                prop_assert_eq!(s.succ(x), model.range(x..).next().copied());
                prop_assert_eq!(s.max(), model.iter().next_back().copied());
                prop_assert_eq!(s.contains(x), model.contains(&x));
            }
        }
    }

    #[test]
    fn edges() {
        let mut s = HierBitset::new(1);
        assert_eq!(s.succ(0), None);
        s.insert(0);
        assert_eq!((s.succ(0), s.max()), (Some(0), Some(0)));
        let mut s = HierBitset::new(64 * 64 * 64 + 1);
        s.insert(64 * 64 * 64);
        assert_eq!(s.succ(0), Some(64 * 64 * 64));
        assert_eq!(s.succ(64 * 64 * 64 + 1), None);
    }
}
