//! OBFDP: OBFD on several threads, with exactly OBFD's bins.
//!
//! seqpack's OBFD ([`obfd_packing_with`]) places items *by runs* over the
//! length histogram: one index query per batch of equal-length items put in
//! one bin, not per item. What remains linear in `n` is plain data movement:
//! validating the input, counting the histogram, attaching item indices to
//! their slots (a scatter), and the lower bound in the metrics. OBFDP runs
//! exactly those passes over input chunks on `T` workers
//! ([`Workers`]); the placement itself (`O(runs log64 C)`, a few runs per bin)
//! stays sequential. So the bins are *identical* to OBFD's for every `T`
//! (0% loss), and the speedup is that of the linear passes.
//!
//! Why not the anchors' scheme (deal the sorted items round-robin to `T`
//! workers, best-fit each share independently, repack the least-full bins):
//! their split exists because their placement is per item, `O(n log C)` and
//! inherently sequential, so the only way to use more cores was to run `T`
//! smaller BFDs. That costs bins (each worker leaves its own partly filled
//! tail) and still pays a full sort. Here the sequential part is already
//! small, so splitting the *placement* would only lose bins without buying
//! speed; splitting the *passes* loses nothing.
//!
//! - Time: `O(n / T + max_len * chunks + C)` plus `O(log64 C)` per run.
//! - Determinism: the result depends only on the input (not even on `T`:
//!   chunks cover the input in order and write disjoint output slots).
//! - `threads = 1` (and the adaptive default below 20k items) is OBFD itself,
//!   on the calling thread.

use super::obfd::obfd_packing_with;
use crate::control::Control;
use crate::error::Result;
use crate::packing::Packing;
use crate::parallel::Workers;

/// The workers for `n` items: `threads`, or [`adaptive_threads`](super::adaptive_threads)
/// when the caller does not choose, capped by the machine and by what `n`
/// items can use ([`Workers::for_items`]); the bins do not depend on it.
pub fn workers(threads: Option<usize>, n: usize) -> Workers {
    Workers::for_items(threads.unwrap_or_else(|| super::adaptive_threads(n)), n)
}

/// Packs `lengths` (validated, each in `1..=capacity`, largest `max_len`) with
/// `threads` workers (`None` = adaptive). Same bins as OBFD.
pub fn obfdp(
    lengths: &[u32],
    capacity: u32,
    max_len: u32,
    threads: Option<usize>,
    ctl: &Control,
) -> Result<Packing> {
    let workers = workers(threads, lengths.len());
    obfd_packing_with(lengths, capacity, max_len, &workers, ctl)
}
