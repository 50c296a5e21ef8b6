//! OBFDP: OBFD on several threads.
//!
//! 1. Sort once (the counting sort of [`order::decreasing`], `O(n + L)`).
//! 2. Deal the sorted items round-robin to `T` workers: worker `w` gets sorted
//!    positions `w, w + T, w + 2T, ...`, so every worker sees the same length
//!    distribution, still in decreasing order.
//! 3. Each worker runs best-fit decreasing on its share
//!    ([`placement::best_fit`], the same structures as OBFD), in parallel on a
//!    local rayon pool of exactly `T` threads.
//! 4. Each worker's least-full bin (its tail, where BFD leaves the slack) is
//!    dissolved and all those items are packed together again by best fit
//!    decreasing into new bins.
//!
//! Cost: `O(n + L)` for the sort, then `O((n / T) log C)` per worker and a
//! repack of at most `T` bins' items. Quality: each worker is an independent
//! BFD, so the loss against OBFD is about one partly filled bin per worker,
//! which step 4 mostly recovers; on large inputs the bin count stays within
//! 0.5% of OBFD (tested). No published worst-case ratio.
//!
//! Determinism: the result depends only on the input and `T`, never on thread
//! scheduling: worker results are collected in worker order; bins are
//! numbered worker 0's (minus the dissolved one), worker 1's, ..., then the
//! repacked ones. Ties for the least-full bin go to the last opened one.

use super::order;
use crate::control::Control;
use crate::error::Result;
use crate::packing::Assignment;
use crate::placement;

/// Packs `lengths` (validated, each in `1..=capacity`, largest `max_len`) with
/// `threads` workers (`None` = [`adaptive_threads`]).
pub fn obfdp(
    lengths: &[u32],
    capacity: u32,
    max_len: u32,
    threads: Option<usize>,
    ctl: &Control,
) -> Result<Assignment> {
    let n = lengths.len();
    let t = threads
        .unwrap_or_else(|| super::adaptive_threads(n))
        .clamp(1, n.max(1));
    let sorted = order::decreasing(lengths, max_len);
    ctl.check()?;
    if t == 1 {
        return placement::best_fit(lengths, sorted, capacity, ctl);
    }
    let shares: Vec<Vec<u32>> = (0..t)
        .map(|w| sorted.iter().skip(w).step_by(t).copied().collect())
        .collect();
    drop(sorted);
    let work = |share: Vec<u32>| placement::best_fit(lengths, share, capacity, ctl);
    // A pool of exactly `t` threads, local to this call, so `threads` means what
    // it says and the global pool of the host process is left alone. If the OS
    // refuses threads, the same shares run one after another (same result).
    let parts: Vec<Result<Assignment>> =
        match rayon::ThreadPoolBuilder::new().num_threads(t).build() {
            Ok(pool) => pool.install(|| {
                use rayon::prelude::*;
                shares.into_par_iter().map(work).collect()
            }),
            Err(_) => shares.into_iter().map(work).collect(),
        };

    let mut out_order = Vec::with_capacity(n);
    let mut bin_of = Vec::with_capacity(n);
    let mut loose: Vec<u32> = Vec::new();
    let mut base = 0u32;
    for part in parts {
        let part = part?;
        let mut loads = vec![0u64; part.num_bins];
        for (&item, &b) in part.order.iter().zip(&part.bin_of) {
            loads[b as usize] += lengths[item as usize] as u64;
        }
        // Least-full bin, the last one on ties; an empty share has none.
        let Some(weakest) = (0..part.num_bins).rev().min_by_key(|&b| loads[b]) else {
            continue;
        };
        let weakest = weakest as u32;
        for (&item, &b) in part.order.iter().zip(&part.bin_of) {
            if b == weakest {
                loose.push(item);
            } else {
                out_order.push(item);
                bin_of.push(base + b - (b > weakest) as u32);
            }
        }
        base += part.num_bins as u32 - 1;
    }
    // `loose` is a union of decreasing runs; restore decreasing length, ascending index.
    loose.sort_unstable_by_key(|&i| (std::cmp::Reverse(lengths[i as usize]), i));
    let repacked = placement::best_fit(lengths, loose, capacity, ctl)?;
    out_order.extend_from_slice(&repacked.order);
    bin_of.extend(repacked.bin_of.iter().map(|&b| base + b));
    Ok(Assignment {
        order: out_order,
        bin_of,
        num_bins: base as usize + repacked.num_bins,
    })
}
