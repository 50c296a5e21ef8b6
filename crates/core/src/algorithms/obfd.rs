//! OBFD, Optimized Best-Fit Decreasing (Ding et al. 2024, "Fewer Truncations
//! Improve Language Modeling").
//!
//! Best-fit decreasing made fast by two observations about sequence lengths:
//! they are small integers (so a counting sort beats a comparison sort), and a
//! bin is fully described by its remaining capacity, also a small integer (so
//! "the fullest bin that still fits" is a successor query over `0..=C` on a
//! [`RemainingIndex`](crate::placement::RemainingIndex) instead of a scan).
//!
//! - Time: `O(n + C)` for the sort and index setup, `O(log64 C)` per item.
//! - Memory: `O(n + C)`; above [`DENSE_LIMIT`](crate::placement::DENSE_LIMIT)
//!   the index switches to an ordered map so a capacity of `2^31` costs nothing extra.
//! - Ties: equal lengths are placed in ascending input index; among bins with
//!   equal remaining capacity the one that reached it last is chosen. The bins
//!   are exactly those of plain BFD with the same tie-breaks.

use super::order;
use crate::control::Control;
use crate::error::Result;
use crate::packing::{Assignment, Packing};
use crate::placement::{self, DenseIndex, RemainingIndex, SparseIndex, DENSE_LIMIT};

/// Packs `lengths` (validated, each in `1..=capacity`, largest `max_len`) and
/// returns the assignment in processing order: the generic
/// sort-then-[`best_fit`](placement::best_fit) composition. [`obfd_packing`]
/// produces the same bins faster; this form is the reference it is tested
/// against and the building block for callers that need an [`Assignment`].
pub fn obfd(lengths: &[u32], capacity: u32, max_len: u32, ctl: &Control) -> Result<Assignment> {
    let order = order::decreasing(lengths, max_len);
    ctl.check()?;
    placement::best_fit(lengths, order, capacity, ctl)
}

/// OBFD straight to the flat [`Packing`]: the same bins, in the same in-bin
/// order, as `obfd(..).into_packing(..)`.
///
/// Why it is faster: best fit decreasing never needs to know *which* item it
/// places, only its length. So the placement runs over the length histogram
/// (all items of one length form a run, longest first) and records, for the
/// `k`-th placement, its bin and its rank inside that bin. Item indices are
/// attached afterwards in one sequential pass over the input: the `j`-th item
/// of length `v` (ascending index, the tie-break) is placement
/// `first[v] + j`. Compared with sort + any-fit + regroup this drops the
/// `order` array, both random reads `lengths[order[k]]`, and the second
/// counting pass; bin loads and sizes fall out of the placement loop.
///
/// Memory: the output plus one `u32` per item of scratch (ranks are kept in
/// the output's `items` buffer until the final scatter) plus `O(max_len + C)`.
/// Time `O(n + max_len + C)` plus `O(log64 C)` per item.
///
/// Huge, sparse length ranges (`max_len > 4n + 65536`, where a histogram
/// would cost more than sorting) take the generic path.
pub fn obfd_packing(
    lengths: &[u32],
    capacity: u32,
    max_len: u32,
    ctl: &Control,
) -> Result<Packing> {
    if !order::histogram_pays(lengths.len(), max_len) {
        return Ok(obfd(lengths, capacity, max_len, ctl)?.into_packing(lengths));
    }
    if capacity <= DENSE_LIMIT {
        by_runs::<DenseIndex>(lengths, capacity, max_len, ctl)
    } else {
        by_runs::<SparseIndex>(lengths, capacity, max_len, ctl)
    }
}

fn by_runs<I: RemainingIndex>(
    lengths: &[u32],
    capacity: u32,
    max_len: u32,
    ctl: &Control,
) -> Result<Packing> {
    let n = lengths.len();
    // count[v] = items of length v.
    let mut count = vec![0u32; max_len as usize + 1];
    let mut total = 0u64;
    for &l in lengths {
        count[l as usize] += 1;
        total += l as u64;
    }
    let hint = (total / capacity as u64) as usize + 1;
    let mut index = I::new(capacity, hint);
    // Per bin: remaining capacity; item count in `bin_offsets[bin + 1]` (turned
    // into offsets by a prefix sum at the end, so no separate scratch array).
    let mut remaining: Vec<u32> = Vec::with_capacity(hint);
    let mut bin_offsets: Vec<u32> = Vec::with_capacity(hint + 1);
    bin_offsets.push(0);
    // Placement k: its bin in `bin_of[k]`, its rank within the bin in `items[k]`.
    let mut bin_of: Vec<u32> = Vec::with_capacity(n);
    let mut items: Vec<u32> = Vec::with_capacity(n);
    // first[v] = first placement of length v (becomes a cursor in the scatter).
    let mut first = vec![0u32; max_len as usize + 1];
    let mut steps = 0usize;
    for v in (1..=max_len).rev() {
        let mut left = count[v as usize];
        first[v as usize] = bin_of.len() as u32;
        // The run of `left` items of length `v`. If best fit picks a bin with
        // remaining `r`, that bin is again the best fit while it still has
        // `>= v` left (its new remaining is below every other candidate `>= v`,
        // and it is on top of its value's stack), so it takes `min(left, r / v)`
        // items at once. After that it holds `< v` and is out of this run, so
        // the next candidate is `>= r`: the search restarts from `r`, not `v`.
        let mut from = v;
        while left > 0 {
            ctl.checkpoint(steps)?;
            steps += 1;
            let (r, bin) = match index.take_ceil(from) {
                Some(found) => found,
                None => {
                    remaining.push(capacity);
                    bin_offsets.push(0);
                    (capacity, (remaining.len() - 1) as u32)
                }
            };
            let m = left.min(r / v);
            let rest = r - m * v;
            remaining[bin as usize] = rest;
            if rest > 0 {
                index.insert(rest, bin);
            }
            let size = &mut bin_offsets[bin as usize + 1];
            items.extend(*size..*size + m);
            bin_of.extend(std::iter::repeat_n(bin, m as usize));
            *size += m;
            left -= m;
            from = r;
        }
    }
    drop(index);
    for b in 1..bin_offsets.len() {
        bin_offsets[b] += bin_offsets[b - 1];
    }
    // Loads from remaining, reusing its buffer.
    let mut bin_loads = remaining;
    for r in bin_loads.iter_mut() {
        *r = capacity - *r;
    }
    // Turn (bin, rank) into the output slot, in place.
    for (slot, &rank) in bin_of.iter_mut().zip(&items) {
        *slot = bin_offsets[*slot as usize] + rank;
    }
    // Attach item indices: the j-th item of length v is placement first[v] + j.
    let slots = bin_of;
    for (i, &l) in lengths.iter().enumerate() {
        let k = &mut first[l as usize];
        items[slots[*k as usize] as usize] = i as u32;
        *k += 1;
    }
    Ok(Packing {
        items,
        bin_offsets,
        bin_loads,
        bin_capacities: None,
        group_offsets: None,
    })
}

use super::{Family, Request, Strategy, StrategyInfo};

/// Strategies of this family.
pub const CATALOG: &[StrategyInfo] = &[
    StrategyInfo {
        strategy: Strategy::Obfd,
        family: Family::Obfd,
        name: "obfd",
        full_name: "Optimized Best-Fit Decreasing",
        online: false,
        time_complexity: "O(n + C + n log C)",
        approximation: "11/9 OPT + 6/9 (same bins as BFD)",
        options: &[],
        grouped: false,
    },
    StrategyInfo {
        strategy: Strategy::Obfdp,
        family: Family::Obfd,
        name: "obfdp",
        full_name: "Parallel Optimized Best-Fit Decreasing",
        online: false,
        time_complexity: "O(n + C + (n/T) log C) with T threads",
        approximation: "no published bound; within 0.5% of OBFD's bins on large inputs (tested)",
        options: &["threads"],
        grouped: false,
    },
];

/// Runs a strategy of this family.
pub fn run(
    strategy: Strategy,
    lengths: &[u32],
    req: &Request,
    max_len: u32,
    ctl: &Control,
) -> Result<Packing> {
    match strategy {
        Strategy::Obfd => obfd_packing(lengths, req.capacity, max_len, ctl),
        Strategy::Obfdp => {
            Ok(
                super::obfdp::obfdp(lengths, req.capacity, max_len, req.threads, ctl)?
                    .into_packing(lengths),
            )
        }
        other => unreachable!("{other:?} is not in the OBFD family"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn both(lengths: &[u32], capacity: u32) -> (Packing, Packing) {
        let max = lengths.iter().copied().max().unwrap_or(0);
        let ctl = Control::none();
        let fast = obfd_packing(lengths, capacity, max, &ctl).unwrap();
        let reference = obfd(lengths, capacity, max, &ctl)
            .unwrap()
            .into_packing(lengths);
        (fast, reference)
    }

    proptest! {
        /// The run-based path must give the generic path's bins, byte for byte
        /// (same bins, same bin order, same order inside each bin).
        #[test]
        fn runs_equal_generic(cap in 1u32..600, raw in prop::collection::vec(any::<u32>(), 0..400)) {
            let lengths: Vec<u32> = raw.iter().map(|&x| 1 + x % cap).collect();
            let (fast, reference) = both(&lengths, cap);
            prop_assert_eq!(&fast, &reference);
            prop_assert_eq!(fast.verify(&lengths, cap), Ok(()));
        }

        /// Few distinct lengths: long runs, many ties among equal remaining values.
        #[test]
        fn runs_equal_generic_with_ties(cap in 2u32..64, raw in prop::collection::vec(0u32..4, 1..300)) {
            let lengths: Vec<u32> = raw.iter().map(|&x| 1 + x * (cap - 1) / 4).collect();
            let (fast, reference) = both(&lengths, cap);
            prop_assert_eq!(fast, reference);
        }
    }

    #[test]
    fn sparse_index_and_fallback_paths_agree() {
        // Capacity above DENSE_LIMIT with small lengths: runs over SparseIndex.
        let lengths: Vec<u32> = (0..500u32).map(|i| 1 + (i * 7919) % 1000).collect();
        let (fast, reference) = both(&lengths, DENSE_LIMIT + 1);
        assert_eq!(fast, reference);
        // Lengths far larger than the item count: the comparison-sort fallback.
        let big: Vec<u32> = lengths.iter().map(|&l| l * 10_000).collect();
        let (fast, reference) = both(&big, u32::MAX);
        assert_eq!(fast, reference);
        assert_eq!(fast.verify(&big, u32::MAX), Ok(()));
    }
}
