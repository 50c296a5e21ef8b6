//! Bins indexed by remaining capacity: the search structure behind every
//! best-fit and worst-fit strategy (BF, BFD, OBFD, OBFDP, WF, the grouped family).
//!
//! A [`RemainingIndex`] is a multiset of `(remaining, bin)` pairs ordered by
//! `remaining`, with a LIFO stack per remaining value: among bins with equal
//! remaining capacity, the one that reached that value last is taken first.
//! That is the tie-break of seqpacker and LightBinPack, and with it BFD and OBFD
//! produce identical bins.
//!
//! Two implementations, chosen by capacity so memory stays `O(n + C)` and never
//! explodes for absurd capacities:
//! - [`DenseIndex`] (capacity <= [`DENSE_LIMIT`]): a [`HierBitset`] over `0..=C`
//!   plus one stack head per value and one link per bin. Insert, take and
//!   successor are `O(log64 C)`.
//! - [`SparseIndex`] (larger capacities): a `BTreeMap` from remaining to the
//!   top of an intrusive stack (one link per bin, no allocation per value),
//!   `O(log n)` per operation and memory proportional to the bins only.
//! - [`TinyIndex`] (at most [`TINY_ITEMS`] items, any capacity): a list
//!   scanned per query. With a handful of bins a scan costs less than
//!   clearing the dense index's `O(C)` arrays, which dominated small calls.

use super::bitset::HierBitset;
use std::collections::BTreeMap;

/// Capacities up to this use [`DenseIndex`] (about 4 bytes per possible remaining value).
pub const DENSE_LIMIT: u32 = 1 << 22;

const NIL: u32 = u32::MAX;

/// Inputs of at most this many items use [`TinyIndex`] (so at most this many
/// bins are ever indexed, and a scan is a few dozen compares).
pub const TINY_ITEMS: usize = 32;

/// An ordered multiset of bins keyed by remaining capacity, LIFO among equal keys.
pub trait RemainingIndex {
    /// An empty index for remaining values in `0..=capacity`, sized for about `bins_hint` bins.
    fn new(capacity: u32, bins_hint: usize) -> Self;
    /// Adds `bin` with `remaining` capacity on top of that value's stack.
    fn insert(&mut self, remaining: u32, bin: u32);
    /// Removes and returns `(remaining, bin)` with the smallest `remaining >= at_least`
    /// (best fit); among equals, the most recently inserted.
    fn take_ceil(&mut self, at_least: u32) -> Option<(u32, u32)>;
    /// Removes and returns `(remaining, bin)` with the largest remaining if it is
    /// `>= at_least` (worst fit); among equals, the most recently inserted.
    fn take_max(&mut self, at_least: u32) -> Option<(u32, u32)>;
}

/// Bitset of occupied values + intrusive per-value stacks (see module docs).
pub struct DenseIndex {
    present: HierBitset,
    /// Top of the stack for each remaining value; meaningful only where
    /// `present` has the bit, so it starts zeroed (a lazily zeroed allocation:
    /// no `O(C)` fill before the first item).
    head: Vec<u32>,
    /// Next bin below in the same stack, indexed by bin.
    next: Vec<u32>,
}

impl DenseIndex {
    #[inline(always)]
    fn pop(&mut self, r: u32) -> (u32, u32) {
        let bin = self.head[r as usize];
        let below = self.next[bin as usize];
        if below == NIL {
            self.present.remove(r as usize);
        } else {
            self.head[r as usize] = below;
        }
        (r, bin)
    }
}

impl RemainingIndex for DenseIndex {
    fn new(capacity: u32, bins_hint: usize) -> Self {
        let values = capacity as usize + 1;
        DenseIndex {
            present: HierBitset::new(values),
            head: vec![0; values],
            next: Vec::with_capacity(bins_hint),
        }
    }

    #[inline(always)]
    fn insert(&mut self, remaining: u32, bin: u32) {
        let b = bin as usize;
        if b >= self.next.len() {
            self.next.resize(b + 1, NIL);
        }
        let r = remaining as usize;
        if self.present.contains(r) {
            self.next[b] = self.head[r];
        } else {
            self.next[b] = NIL;
            self.present.insert(r);
        }
        self.head[r] = bin;
    }

    #[inline(always)]
    fn take_ceil(&mut self, at_least: u32) -> Option<(u32, u32)> {
        let r = self.present.succ(at_least as usize)? as u32;
        Some(self.pop(r))
    }

    #[inline(always)]
    fn take_max(&mut self, at_least: u32) -> Option<(u32, u32)> {
        let r = self.present.max()? as u32;
        if r < at_least {
            return None;
        }
        Some(self.pop(r))
    }
}

/// Ordered map from remaining value to the top of its stack, for capacities
/// above [`DENSE_LIMIT`]; the stacks are intrusive, one link per bin, as in
/// [`DenseIndex`].
///
/// Why intrusive: a `Vec` per remaining value cost an allocation and a free
/// for almost every insert and take once `C` dwarfs the bin count (values
/// rarely repeat), about a fifth of OBFD's time at `C = 2^31`. Memory stays
/// proportional to the bins: one map entry per distinct value present, one
/// `u32` link per bin.
pub struct SparseIndex {
    heads: BTreeMap<u32, u32>,
    /// Next bin below in the same stack, indexed by bin (`NIL` at the bottom).
    next: Vec<u32>,
}

impl SparseIndex {
    /// Pops the top of the stack of `r`, whose head (the map's value) is
    /// `head`; the key leaves the map with its last bin.
    #[inline]
    fn pop(&mut self, r: u32, head: u32) -> (u32, u32) {
        let below = self.next[head as usize];
        if below == NIL {
            self.heads.remove(&r);
        } else {
            self.heads.insert(r, below);
        }
        (r, head)
    }
}

impl RemainingIndex for SparseIndex {
    fn new(_capacity: u32, bins_hint: usize) -> Self {
        SparseIndex {
            heads: BTreeMap::new(),
            next: Vec::with_capacity(bins_hint),
        }
    }

    fn insert(&mut self, remaining: u32, bin: u32) {
        let b = bin as usize;
        if b >= self.next.len() {
            self.next.resize(b + 1, NIL);
        }
        let below = self.heads.insert(remaining, bin);
        self.next[b] = below.unwrap_or(NIL);
    }

    fn take_ceil(&mut self, at_least: u32) -> Option<(u32, u32)> {
        let (&r, &head) = self.heads.range(at_least..).next()?;
        Some(self.pop(r, head))
    }

    fn take_max(&mut self, at_least: u32) -> Option<(u32, u32)> {
        let (&r, &head) = self.heads.last_key_value()?;
        if r < at_least {
            return None;
        }
        Some(self.pop(r, head))
    }
}

/// `(remaining, bin)` pairs in insertion order, scanned per query: `O(B)`
/// per operation for `B` indexed bins, no allocation beyond the list, no
/// `O(C)` setup. For tiny inputs only (see [`TINY_ITEMS`]). The latest
/// insertion wins among equal remaining values, as the stacks of the other
/// indexes do.
pub struct TinyIndex {
    entries: Vec<(u32, u32)>,
}

impl TinyIndex {
    /// Removes the entry the scan chose.
    fn take(&mut self, at: Option<usize>) -> Option<(u32, u32)> {
        at.map(|i| self.entries.remove(i))
    }
}

impl RemainingIndex for TinyIndex {
    fn new(_capacity: u32, bins_hint: usize) -> Self {
        TinyIndex {
            entries: Vec::with_capacity(bins_hint),
        }
    }

    fn insert(&mut self, remaining: u32, bin: u32) {
        self.entries.push((remaining, bin));
    }

    fn take_ceil(&mut self, at_least: u32) -> Option<(u32, u32)> {
        let mut best: Option<usize> = None;
        for (i, &(r, _)) in self.entries.iter().enumerate() {
            // `<=`: a later entry with an equal value wins.
            if r >= at_least && best.is_none_or(|b| r <= self.entries[b].0) {
                best = Some(i);
            }
        }
        self.take(best)
    }

    fn take_max(&mut self, at_least: u32) -> Option<(u32, u32)> {
        let mut best: Option<usize> = None;
        for (i, &(r, _)) in self.entries.iter().enumerate() {
            if best.is_none_or(|b| r >= self.entries[b].0) {
                best = Some(i);
            }
        }
        self.take(best.filter(|&b| self.entries[b].0 >= at_least))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Reference: a plain list, scanned.
    fn model_take(
        v: &mut Vec<(u32, u32)>,
        pick: impl Fn(&[(u32, u32)]) -> Option<usize>,
    ) -> Option<(u32, u32)> {
        pick(v).map(|i| v.remove(i))
    }

    fn check<I: RemainingIndex>(
        cap: u32,
        ops: &[(u8, u32)],
    ) -> std::result::Result<(), TestCaseError> {
        let mut idx = I::new(cap, 0);
        let mut model: Vec<(u32, u32)> = Vec::new(); // insertion order
        let mut next_bin = 0;
        for &(op, x) in ops {
            let x = x % (cap + 1);
            match op {
                0 | 1 => {
                    idx.insert(x, next_bin);
                    model.push((x, next_bin));
                    next_bin += 1;
                }
                2 => {
                    // smallest remaining >= x, latest inserted among equals
                    let want = model_take(&mut model, |m| {
                        let best = m.iter().filter(|e| e.0 >= x).map(|e| e.0).min()?;
                        m.iter().rposition(|e| e.0 == best)
                    });
                    prop_assert_eq!(idx.take_ceil(x), want);
                }
                _ => {
                    let want = model_take(&mut model, |m| {
                        let best = m.iter().map(|e| e.0).max()?;
                        if best < x {
                            return None;
                        }
                        m.iter().rposition(|e| e.0 == best)
                    });
                    prop_assert_eq!(idx.take_max(x), want);
                }
            }
        }
        Ok(())
    }

    proptest! {
        #[test]
        fn dense_matches_model(cap in 1u32..5000, ops in prop::collection::vec((0u8..4, any::<u32>()), 0..300)) {
            check::<DenseIndex>(cap, &ops)?;
        }
        #[test]
        fn tiny_matches_model(cap in 1u32..5000, ops in prop::collection::vec((0u8..4, any::<u32>()), 0..300)) {
            check::<TinyIndex>(cap, &ops)?;
        }
        #[test]
        fn sparse_matches_model(cap in 1u32..5000, ops in prop::collection::vec((0u8..4, any::<u32>()), 0..300)) {
            check::<SparseIndex>(cap, &ops)?;
        }
    }
}
