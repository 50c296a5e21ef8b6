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
use crate::parallel::{self, Workers};
use crate::placement::{self, DenseIndex, RemainingIndex, SparseIndex, DENSE_LIMIT};
use std::sync::atomic::Ordering::Relaxed;

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
/// order, as `obfd(..).into_packing(..)`. Sequential; see
/// [`obfd_packing_with`].
pub fn obfd_packing(
    lengths: &[u32],
    capacity: u32,
    max_len: u32,
    ctl: &Control,
) -> Result<Packing> {
    obfd_packing_with(lengths, capacity, max_len, &Workers::sequential(), ctl)
}

/// [`obfd_packing`] with its linear passes (histogram, scatter) split over
/// `workers`. The bins are identical for every worker count: only the
/// histogram and the attachment of item indices run in parallel, and both
/// are exact.
///
/// Why it is fast: best fit decreasing never needs to know *which* item it
/// places, only its length. So the placement runs over the length histogram
/// (all items of one length form a run, longest first). A bin chosen for
/// length `v` takes `min(left, r / v)` items at once, so the loop does one
/// index query per *run* (a bin taking a batch of one length), not per item,
/// and records the run: its first slot inside the bin and its first global
/// placement number. Item indices are attached afterwards: the `j`-th item of
/// length `v` (ascending index, the tie-break) is placement `first(v) + j`,
/// which lies in one of `v`'s runs, whose slots are contiguous in the output.
/// So the only `O(n)` work is one histogram pass and one scatter pass, and
/// both split over input chunks: chunk `c` starts each length's cursor at the
/// number of items of that length in chunks `< c` (a prefix over per-chunk
/// histograms), located among the runs by binary search.
///
/// Memory: the output plus three `u32` per run (at most one run per item,
/// typically a few per bin) plus `O(max_len)` per chunk and `O(C)`.
/// Time `O(n + max_len + C)` plus `O(log64 C)` per run; the `O(n)` part
/// divides by the worker count.
///
/// Huge, sparse length ranges (`max_len > 4n + 65536`, where a histogram
/// would cost more than sorting) take the generic sequential path.
pub fn obfd_packing_with(
    lengths: &[u32],
    capacity: u32,
    max_len: u32,
    workers: &Workers,
    ctl: &Control,
) -> Result<Packing> {
    if !order::histogram_pays(lengths.len(), max_len) {
        return Ok(obfd(lengths, capacity, max_len, ctl)?.into_packing(lengths));
    }
    if capacity <= DENSE_LIMIT {
        by_runs::<DenseIndex>(lengths, capacity, max_len, workers, ctl)
    } else {
        by_runs::<SparseIndex>(lengths, capacity, max_len, workers, ctl)
    }
}

fn by_runs<I: RemainingIndex>(
    lengths: &[u32],
    capacity: u32,
    max_len: u32,
    workers: &Workers,
    ctl: &Control,
) -> Result<Packing> {
    let n = lengths.len();
    let width = max_len as usize + 1;
    // Per-chunk histograms cost `width` each: keep their total within `O(n)`.
    let chunks = workers.chunks(n, (n / width).max(1));
    let mut before: Vec<Vec<u32>> = workers.map(&chunks, |_, r| {
        let mut h = vec![0u32; width];
        for &l in &lengths[r] {
            h[l as usize] += 1;
        }
        h
    });
    ctl.check()?;
    // count[v] = items of length v; before[c][v] becomes the items of length
    // v in chunks before c (chunk c's starting rank within v's placements).
    let mut count = vec![0u32; width];
    let mut total = 0u64;
    for (v, cnt) in count.iter_mut().enumerate() {
        let mut acc = 0u32;
        for h in before.iter_mut() {
            let here = h[v];
            h[v] = acc;
            acc += here;
        }
        *cnt = acc;
        total += acc as u64 * v as u64;
    }
    // The placement is sequential; meanwhile another worker allocates and
    // faults in the output (a page fault per 4 KiB costs about as much as
    // the scatter's stores).
    let place = || -> Result<_> {
        let hint = (total / capacity as u64) as usize + 1;
        let mut index = I::new(capacity, hint);
        // Per bin: remaining capacity; item count in `bin_offsets[bin + 1]` (turned
        // into offsets by a prefix sum at the end, so no separate scratch array).
        let mut remaining: Vec<u32> = Vec::with_capacity(hint);
        let mut bin_offsets: Vec<u32> = Vec::with_capacity(hint + 1);
        bin_offsets.push(0);
        // Run r: its bin (later its first output slot) in `run_slot[r]`, its rank
        // inside the bin in `run_rank[r]`, its first placement number in
        // `run_first[r]`. Runs of length v are `run_from[v]..run_from[v - 1]`.
        let mut run_slot: Vec<u32> = Vec::with_capacity(2 * hint);
        let mut run_rank: Vec<u32> = Vec::with_capacity(2 * hint);
        let mut run_first: Vec<u32> = Vec::with_capacity(2 * hint + 2);
        let mut run_from = vec![0u32; width];
        let mut placed = 0u32;
        for v in (1..=max_len).rev() {
            run_from[v as usize] = run_first.len() as u32;
            let mut left = count[v as usize];
            // The run of `left` items of length `v`. If best fit picks a bin with
            // remaining `r`, that bin is again the best fit while it still has
            // `>= v` left (its new remaining is below every other candidate `>= v`,
            // and it is on top of its value's stack), so it takes `min(left, r / v)`
            // items at once. After that it holds `< v` and is out of this run, so
            // the next candidate is `>= r`: the search restarts from `r`, not `v`.
            let mut from = v;
            while left > 0 {
                ctl.checkpoint(run_first.len())?;
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
                run_slot.push(bin);
                run_rank.push(*size);
                run_first.push(placed);
                *size += m;
                left -= m;
                placed += m;
                from = r;
            }
        }
        run_from[0] = run_first.len() as u32;
        drop(index);
        Ok((
            remaining,
            bin_offsets,
            run_slot,
            run_rank,
            run_first,
            run_from,
        ))
    };
    let (placed, mut items) = workers.join(place, || output_buffer(n, workers.threads() > 1));
    let (remaining, mut bin_offsets, mut run_slot, run_rank, mut run_first, run_from) = placed?;
    for b in 1..bin_offsets.len() {
        bin_offsets[b] += bin_offsets[b - 1];
    }
    // Loads from remaining, reusing its buffer.
    let mut bin_loads = remaining;
    for r in bin_loads.iter_mut() {
        *r = capacity - *r;
    }
    // Turn (bin, rank) into the run's first output slot, in place.
    for (slot, &rank) in run_slot.iter_mut().zip(&run_rank) {
        *slot = bin_offsets[*slot as usize] + rank;
    }
    drop(run_rank);
    // Two empty sentinel runs, so a cursor leaving the last real run reads in bounds.
    run_slot.extend([n as u32, n as u32]);
    run_first.extend([n as u32, n as u32]);

    // Attach item indices, chunk by chunk: the j-th item of length v is
    // placement run_first[run_from[v]] + j.
    let out = parallel::as_atomic(&mut items);
    let done: Vec<Result<()>> = workers.map(&chunks, |c, range| {
        // Cursor per length: [next slot, end of its run, run].
        let mut cur = vec![[0u32; 3]; width];
        for v in 1..width {
            if before[c][v] == count[v] {
                continue; // no item of length v from here on
            }
            let runs = run_from[v] as usize..run_from[v - 1] as usize;
            let k = run_first[runs.start] + before[c][v];
            let r = runs.start + run_first[runs].partition_point(|&f| f <= k) - 1;
            let slot = run_slot[r] + (k - run_first[r]);
            let end = run_slot[r] + (run_first[r + 1] - run_first[r]);
            cur[v] = [slot, end, r as u32];
        }
        let mut i = range.start;
        for block in lengths[range].chunks(Control::STRIDE) {
            ctl.check()?;
            for &l in block {
                let c = &mut cur[l as usize];
                out[c[0] as usize].store(i as u32, Relaxed);
                c[0] += 1;
                if c[0] == c[1] {
                    let r = c[2] as usize + 1;
                    c[0] = run_slot[r];
                    c[1] = run_slot[r] + (run_first[r + 1] - run_first[r]);
                    c[2] = r as u32;
                }
                i += 1;
            }
        }
        Ok(())
    });
    done.into_iter().collect::<Result<()>>()?;
    Ok(Packing {
        items,
        bin_offsets,
        bin_loads,
        bin_capacities: None,
        group_offsets: None,
    })
}

/// `n` zeroed slots for the scatter (`calloc`: fresh pages, zeroed by the
/// kernel on first touch). With workers to spare, every page is touched here
/// once (one store per 4 KiB; an atomic store, so the compiler cannot drop it
/// as redundant with `calloc`'s zeroes), so the page faults, which cost
/// about as much as the scatter's own stores, happen off the critical path.
fn output_buffer(n: usize, prefault: bool) -> Vec<u32> {
    let mut buf = vec![0u32; n];
    if prefault {
        let view = parallel::as_atomic(&mut buf);
        for slot in view.iter().step_by(1024) {
            slot.store(0, Relaxed);
        }
    }
    buf
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
        time_complexity: "O(n/T + C + r log C) with T threads, r runs (<= n)",
        approximation: "11/9 OPT + 6/9 (exactly OBFD's bins)",
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
        Strategy::Obfdp => super::obfdp::obfdp(lengths, req.capacity, max_len, req.threads, ctl),
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

    proptest! {
        /// Split into many tiny chunks (every boundary case of the per-chunk
        /// cursors), the parallel passes give the sequential bins exactly.
        #[test]
        fn chunked_passes_equal_sequential(
            cap in 1u32..300,
            raw in prop::collection::vec(any::<u32>(), 0..300),
            t in 2usize..5,
            min_chunk in 1usize..20,
        ) {
            let lengths: Vec<u32> = raw.iter().map(|&x| 1 + (x % cap) / (1 + x % 3)).collect();
            let max = lengths.iter().copied().max().unwrap_or(0);
            let ctl = Control::none();
            let workers = Workers::new(t).with_min_chunk(min_chunk);
            let par = obfd_packing_with(&lengths, cap, max, &workers, &ctl).unwrap();
            prop_assert_eq!(par, obfd_packing(&lengths, cap, max, &ctl).unwrap());
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
