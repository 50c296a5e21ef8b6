//! Bins indexed by position: a 16-ary max tree for first fit.
//!
//! Leaves are bins in the order they were opened, each holding its remaining
//! capacity; an inner entry holds an upper bound of the maximum of its 16
//! children (exact after a rise, repaired lazily after a fall: see
//! [`MaxTree::set`]). "Leftmost
//! bin with remaining >= x" descends from the top block, at each level taking
//! the first of 16 children that can hold `x`: `log16 B` levels for `B` bins
//! (4 for 65,536 bins, against 16 for a binary tree). Each level's 16
//! children are one 64-byte, cache-line-aligned block compared in one go
//! (the compiler turns the 16 comparisons into a few vector instructions and
//! a bit mask), so a query costs about one cache line per level instead of
//! one dependent load per bit of the bin number. Unopened leaves hold 0, so
//! they are never chosen (every item has length >= 1).
//!
//! Layout: one vector of aligned 16-entry blocks, level 0 (the leaves, `16^L`
//! of them) first, then each level 16 times shorter, the top level being one
//! block. The tree starts sized for an estimate of the bin count and grows
//! by one level (16x leaves) when a bin beyond it is opened, so memory
//! tracks the bins actually used (about 1.07 `u32` per leaf).

const FAN: usize = 16;
/// Levels needed for the largest bin count (`16^8 = 2^32`).
const MAX_LEVELS: usize = 8;

/// 16 entries, one 64-byte cache line.
#[derive(Clone, Copy, Debug)]
#[repr(C, align(64))]
struct Block([u32; FAN]);

#[derive(Clone, Debug)]
pub struct MaxTree {
    /// Level `k` is blocks `base[k]..base[k + 1]`; entry `j` of block `b` at
    /// level `k > 0` is at least the maximum of block `16 b + j` at level `k - 1`.
    blocks: Vec<Block>,
    base: [usize; MAX_LEVELS + 1],
    levels: usize,
}

/// Bit `j` set iff `block[j] >= x` (`x >= 1`).
#[inline(always)]
fn mask_at_least(block: &[u32; FAN], x: u32) -> u32 {
    #[cfg(target_arch = "x86_64")]
    {
        // SSE2 (part of every x86-64) has only a signed 32-bit compare:
        // flipping the sign bit of both sides makes it unsigned, and
        // `r >= x` is `r > x - 1`. Two saturating packs narrow the four
        // 4-lane results to 16 bytes for one `movemask`.
        use std::arch::x86_64::*;
        // SAFETY: SSE2 is always available on x86_64; the four unaligned
        // loads read exactly the 16 entries of `block`.
        unsafe {
            let flip = _mm_set1_epi32(i32::MIN);
            let t = _mm_xor_si128(_mm_set1_epi32(x.wrapping_sub(1) as i32), flip);
            let p = block.as_ptr() as *const __m128i;
            let gt =
                |q: *const __m128i| _mm_cmpgt_epi32(_mm_xor_si128(_mm_loadu_si128(q), flip), t);
            let lo = _mm_packs_epi32(gt(p), gt(p.add(1)));
            let hi = _mm_packs_epi32(gt(p.add(2)), gt(p.add(3)));
            _mm_movemask_epi8(_mm_packs_epi16(lo, hi)) as u32
        }
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        let mut m = 0u32;
        for (j, &r) in block.iter().enumerate() {
            m |= ((r >= x) as u32) << j;
        }
        m
    }
}

#[inline(always)]
fn block_max(block: &[u32; FAN]) -> u32 {
    #[cfg(target_arch = "x86_64")]
    {
        // SSE2 has no unsigned 32-bit max: compare with the sign bits
        // flipped and select, four lanes at a time, then fold the lanes.
        use std::arch::x86_64::*;
        // SAFETY: SSE2 is always available on x86_64; the loads read exactly
        // the 16 entries of `block`.
        unsafe {
            let flip = _mm_set1_epi32(i32::MIN);
            let p = block.as_ptr() as *const __m128i;
            let load = |q: *const __m128i| _mm_xor_si128(_mm_loadu_si128(q), flip);
            let max = |a: __m128i, b: __m128i| {
                let gt = _mm_cmpgt_epi32(a, b);
                _mm_or_si128(_mm_and_si128(gt, a), _mm_andnot_si128(gt, b))
            };
            let m = max(
                max(load(p), load(p.add(1))),
                max(load(p.add(2)), load(p.add(3))),
            );
            let m = max(m, _mm_shuffle_epi32::<0b01_00_11_10>(m));
            let m = max(m, _mm_shuffle_epi32::<0b10_11_00_01>(m));
            (_mm_cvtsi128_si32(m) as u32) ^ 0x8000_0000
        }
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        block.iter().fold(0, |a, &b| a.max(b))
    }
}

impl MaxTree {
    pub fn new(bins_hint: usize) -> Self {
        let mut levels = 1;
        while levels < MAX_LEVELS && FAN.pow(levels as u32) < bins_hint {
            levels += 1;
        }
        Self::with_levels(levels)
    }

    fn with_levels(levels: usize) -> Self {
        let mut base = [0usize; MAX_LEVELS + 1];
        for k in 0..levels {
            base[k + 1] = base[k] + FAN.pow((levels - 1 - k) as u32);
        }
        MaxTree {
            blocks: vec![Block([0; FAN]); base[levels]],
            base,
            levels,
        }
    }

    /// Number of leaves (bins the tree can hold before it grows).
    fn leaves(&self) -> usize {
        self.base[1] * FAN
    }

    /// Leftmost bin whose remaining capacity is `>= at_least` (`>= 1`).
    ///
    /// Inner entries are upper bounds (see [`MaxTree::set`]), so an entry
    /// `< at_least` safely rules its subtree out, but one `>= at_least` may
    /// be stale: when the block below holds nothing `>= at_least`, the entry
    /// is lowered to that block's maximum (now exact, and `< at_least`) and
    /// the search resumes one level up, where the lowered entry no longer
    /// qualifies. Every repair lowers a stored value, paid for by an earlier
    /// shrink, so a query costs `O(log16 B)` amortised.
    #[inline]
    pub fn leftmost_at_least(&mut self, at_least: u32) -> Option<u32> {
        let top = self.levels - 1;
        // Block `b` of level `k`.
        let (mut k, mut b) = (top, 0usize);
        loop {
            let m = mask_at_least(&self.blocks[self.base[k] + b].0, at_least);
            if m == 0 {
                if k == top {
                    return None;
                }
                let exact = block_max(&self.blocks[self.base[k] + b].0);
                self.blocks[self.base[k + 1] + b / FAN].0[b % FAN] = exact;
                (k, b) = (k + 1, b / FAN);
                continue;
            }
            let i = b * FAN + m.trailing_zeros() as usize;
            if k == 0 {
                return Some(i as u32);
            }
            (k, b) = (k - 1, i);
        }
    }

    /// Sets the remaining capacity of `bin`, growing the tree if needed.
    ///
    /// Inner entries are kept as upper bounds of their subtree's maximum,
    /// not exact maxima: a rise is propagated at once (an entry must never
    /// be below a leaf it covers), a fall is not propagated at all (the
    /// next query that is misled by the stale entry repairs it). First fit
    /// shrinks one bin per item, usually the newest and largest, whose
    /// exact maximum would otherwise be recomputed on every level.
    #[inline]
    pub fn set(&mut self, bin: u32, remaining: u32) {
        let i = bin as usize;
        if i >= self.leaves() {
            self.grow(i + 1);
        }
        let (mut b, mut j) = (i / FAN, i % FAN);
        let old = std::mem::replace(&mut self.blocks[b].0[j], remaining);
        if remaining <= old {
            return;
        }
        for k in 1..self.levels {
            (b, j) = (b / FAN, b % FAN);
            let e = &mut self.blocks[self.base[k] + b].0[j];
            if *e >= remaining {
                break;
            }
            *e = remaining;
        }
    }

    #[cold]
    fn grow(&mut self, min_leaves: usize) {
        let mut levels = self.levels + 1;
        while levels < MAX_LEVELS && FAN.pow(levels as u32) < min_leaves {
            levels += 1;
        }
        let mut t = Self::with_levels(levels);
        t.blocks[..self.base[1]].copy_from_slice(&self.blocks[..self.base[1]]);
        for k in 1..levels {
            for b in t.base[k - 1]..t.base[k] {
                let m = block_max(&t.blocks[b].0);
                let up = b - t.base[k - 1];
                t.blocks[t.base[k] + up / FAN].0[up % FAN] = m;
            }
        }
        *self = t;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn matches_linear_scan(updates in prop::collection::vec((0u32..5000, 0u32..100), 0..300), q in 0u32..120, hint in 0usize..300) {
            let mut t = MaxTree::new(hint);
            let mut model = vec![0u32; 5000];
            for (b, r) in updates {
                // Mostly small bin numbers (dense updates), sometimes far ones (growth).
                let b = if b % 7 == 0 { b } else { b % 300 };
                t.set(b, r);
                model[b as usize] = r;
                prop_assert_eq!(t.leftmost_at_least(q.max(1)), model.iter().position(|&x| x >= q.max(1)).map(|i| i as u32));
            }
        }
    }

    #[test]
    fn block_helpers_match_scalar() {
        let mut block = [0u32; FAN];
        for (j, b) in block.iter_mut().enumerate() {
            *b = [0, 1, u32::MAX, 1 << 31, (1 << 31) - 1, 7][j % 6] ^ (j as u32 * 3);
        }
        for x in [1u32, 2, 7, 1 << 31, (1 << 31) + 1, u32::MAX - 1, u32::MAX] {
            let want = (0..FAN).fold(0, |m, j| m | (((block[j] >= x) as u32) << j));
            assert_eq!(mask_at_least(&block, x), want, "x = {x}");
        }
        for rot in 0..FAN {
            block.rotate_left(1);
            let _ = rot;
            assert_eq!(block_max(&block), *block.iter().max().unwrap());
        }
        assert_eq!(block_max(&[0; FAN]), 0);
        assert_eq!(block_max(&[5; FAN]), 5);
    }

    #[test]
    fn grows_across_levels() {
        let mut t = MaxTree::new(1);
        for b in 0..70_000u32 {
            t.set(b, 1 + b % 1000);
        }
        assert_eq!(t.leftmost_at_least(1000), Some(999));
        t.set(999, 0);
        assert_eq!(t.leftmost_at_least(1000), Some(1999));
        assert_eq!(t.leftmost_at_least(1001), None);
        t.set(69_999, 5000);
        assert_eq!(t.leftmost_at_least(1001), Some(69_999));
    }
}
