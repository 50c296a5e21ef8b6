//! Decreasing any-fit "by runs": the engine behind OBFD, OBFDP and FFD.
//!
//! In decreasing order all items of one length are consecutive, and an
//! any-fit policy never needs to know *which* item it places, only its length.
//! So placement runs over the length histogram, longest first, and a bin
//! chosen for length `v` takes `min(left, r / v)` items of that run at once
//! (`r` its remaining capacity): one policy query per *run* (a bin taking a
//! batch of one length), not per item. Item indices are attached afterwards:
//! the `j`-th item of length `v` (ascending index, the tie-break) is placement
//! `first(v) + j`, which lies in one of `v`'s runs, whose slots are contiguous
//! in the output.
//!
//! Why a bin keeps receiving the run: after it takes an item of length `v`
//! its remaining `r - v` is smaller than before, and if still `>= v`,
//! - for **first fit** no bin to its left holds `>= v` (it was the leftmost),
//!   so it is still the leftmost that fits;
//! - for **best fit** no open bin has remaining in `[v, r)` (`r` was the
//!   smallest `>= v`), so `r - v` is the unique smallest `>= v`.
//!
//! So the result is exactly that of placing items one by one with the same
//! policy, bin numbering and in-bin order included (tests compare the two).
//!
//! The only `O(n)` work is one histogram pass and one scatter pass, and both
//! split over input chunks ([`Workers`]): chunk `c` starts each length's
//! cursor at the number of items of that length in chunks `< c` (a prefix
//! over per-chunk histograms), located among the runs by binary search.
//! Memory: the output plus three `u32` per run plus `O(max_len)` per chunk and
//! the policy's structure.
//!
//! False facts (see [`crate::guard`]): a length outside
//! `1..=max_len`, or `max_len > capacity`, is a typed error before anything
//! is placed (the histogram has an overflow bucket, so it is never indexed
//! out of range); a run that a fresh bin cannot take is an error, never an
//! endless loop of empty bins; and the scatter lets each chunk write exactly
//! as many items of each length as the histogram counted for it, so if the
//! lengths change between the two passes the result is an error, never an
//! item written twice or a slot left unwritten.

use crate::control::Control;
use crate::error::Result;
use crate::guard;
use crate::metrics::LengthProfile;
use crate::packing::Packing;
use crate::parallel::{self, Workers};
use crate::placement::Placement;
use std::sync::atomic::Ordering::Relaxed;

/// The length histogram of the input, split by chunks for the parallel
/// scatter: `count[v]` items of length `v`; `before[c][v]` items of length
/// `v` in chunks before chunk `c` (chunk `c`'s starting rank within `v`).
pub(crate) struct Histogram {
    pub chunks: Vec<std::ops::Range<usize>>,
    pub before: Vec<Vec<u32>>,
    pub count: Vec<u32>,
    /// Sum of all lengths.
    pub total: u64,
}

impl Histogram {
    /// The counts as the metrics take them: the overflow slot, empty once
    /// [`histogram`] succeeded, dropped.
    pub fn into_profile(mut self) -> LengthProfile {
        self.count.pop();
        LengthProfile::Histogram(self.count)
    }
}

/// One pass over `lengths` (split over `workers`), `O(n + max_len)` per chunk.
///
/// `count` has `max_len + 2` slots: slot `max_len + 1` counts lengths above
/// `max_len`, and it and slot 0 must be empty, else the result is a typed
/// error naming the first offender (`capacity` decides which error).
pub(crate) fn histogram(
    lengths: &[u32],
    max_len: u32,
    capacity: u32,
    workers: &Workers,
    ctl: &Control,
) -> Result<Histogram> {
    let n = lengths.len();
    if max_len > capacity {
        return Err(guard::first_offender(lengths, capacity, capacity));
    }
    let width = max_len as usize + 2;
    let top = max_len as usize + 1;
    // Per-chunk histograms cost `width` each: keep their total within `O(n)`.
    let chunks = workers.chunks(n, (n / width).max(1));
    let mut before: Vec<Vec<u32>> = workers.map(&chunks, |_, r| {
        let mut h = vec![0u32; width];
        for &l in &lengths[r] {
            h[(l as usize).min(top)] += 1;
        }
        h
    });
    ctl.check()?;
    if before.iter().any(|h| h[0] != 0 || h[top] != 0) {
        return Err(guard::first_offender(lengths, max_len, capacity));
    }
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
    Ok(Histogram {
        chunks,
        before,
        count,
        total,
    })
}

/// Bins and runs as the placement builds them, lengths in decreasing order.
///
/// Run `r`: its bin in `run_slot[r]`, its rank inside the bin in
/// `run_rank[r]`, its first placement number in `run_first[r]` (the
/// placements of length `v` are numbered `first(v) + rank`, ranks by
/// ascending input index). Runs of length `v` are `run_from[v]..run_from[v-1]`
/// and must be recorded in rank order, covering every rank once.
pub(crate) struct RunPlan {
    pub capacity: u32,
    /// Per bin: remaining capacity.
    pub remaining: Vec<u32>,
    /// Per bin: item count in `bin_offsets[bin + 1]` (turned into offsets by a
    /// prefix sum at the end, so no separate scratch array).
    pub bin_offsets: Vec<u32>,
    run_slot: Vec<u32>,
    run_rank: Vec<u32>,
    run_first: Vec<u32>,
    run_from: Vec<u32>,
    placed: u32,
}

impl RunPlan {
    /// An empty plan for lengths up to `max_len`, about `bins` bins.
    pub fn new(capacity: u32, max_len: u32, bins: usize) -> Self {
        let mut bin_offsets = Vec::with_capacity(bins + 1);
        bin_offsets.push(0);
        RunPlan {
            capacity,
            remaining: Vec::with_capacity(bins),
            bin_offsets,
            run_slot: Vec::with_capacity(2 * bins),
            run_rank: Vec::with_capacity(2 * bins),
            run_first: Vec::with_capacity(2 * bins + 2),
            run_from: vec![0u32; max_len as usize + 1],
            placed: 0,
        }
    }

    /// Opens an empty bin and returns its number.
    #[inline]
    pub fn open_bin(&mut self) -> u32 {
        self.remaining.push(self.capacity);
        self.bin_offsets.push(0);
        (self.remaining.len() - 1) as u32
    }

    /// Starts the runs of length `v` (call for every `v` from `max_len` down to 1).
    #[inline]
    pub fn begin_length(&mut self, v: u32) {
        self.run_from[v as usize] = self.run_first.len() as u32;
    }

    /// Records a run of `m` items (the next `m` ranks of the current length)
    /// at position `rank` of `bin`. Bin contents and capacities are the
    /// caller's business here; [`RunPlan::place`] keeps them itself.
    #[inline]
    pub fn record(&mut self, bin: u32, rank: u32, m: u32) {
        self.run_slot.push(bin);
        self.run_rank.push(rank);
        self.run_first.push(self.placed);
        self.placed += m;
    }

    /// Places `left` items of length `v` with policy `P`, run by run. The
    /// policy's chosen bin, with remaining `r`, stays its choice while it
    /// still has `>= v` left (see the module docs), so it takes
    /// `min(left, r / v)` items at once. After that it holds `< v`; for best
    /// fit the next candidate is `>= r`, so the search restarts from `r`.
    #[inline]
    pub fn place<P: Placement>(
        &mut self,
        placement: &mut P,
        v: u32,
        mut left: u32,
        ctl: &Control,
    ) -> Result<()> {
        let mut from = v;
        while left > 0 {
            ctl.checkpoint(self.run_first.len())?;
            let bin = match placement.find_from(v, from) {
                Some(bin) => bin,
                None => self.open_bin(),
            };
            let r = self.remaining[bin as usize];
            let m = left.min(r / v);
            if m == 0 {
                // Only a length above the capacity gets here (a chosen bin
                // has room for `v`); `v <= max_len <= capacity` was checked,
                // so this is a defence against an endless loop, not a path.
                return Err(guard::input_changed(None));
            }
            let rest = r - m * v;
            self.remaining[bin as usize] = rest;
            placement.set(bin, rest);
            let size = self.bin_offsets[bin as usize + 1];
            self.record(bin, size, m);
            self.bin_offsets[bin as usize + 1] = size + m;
            left -= m;
            from = r;
        }
        Ok(())
    }
}

/// Packs validated `lengths` (each in `1..=capacity`, largest `max_len`, with
/// a histogram of `max_len + 1` slots affordable: see
/// [`order::histogram_pays`](super::order::histogram_pays)) in decreasing
/// order with policy `P`, straight to the flat [`Packing`]. `hist` is their
/// [`histogram`], counted by the caller over the same `workers`.
///
/// Time `O(n + max_len)` plus one `P` query per run; the `O(n)` part divides
/// by the worker count. Bins are numbered in the order they open.
///
/// Also returns the histogram as a [`LengthProfile`], so the metrics bound
/// the optimum from it instead of counting the input a second time.
pub(crate) fn pack_by_runs<P: Placement>(
    lengths: &[u32],
    hist: Histogram,
    capacity: u32,
    workers: &Workers,
    ctl: &Control,
) -> Result<(Packing, LengthProfile)> {
    let max_len = (hist.count.len() - 2) as u32;
    // The placement is sequential; meanwhile another worker allocates and
    // faults in the output (a page fault per 4 KiB costs about as much as
    // the scatter's stores).
    let place = || -> Result<RunPlan> {
        let hint = (hist.total / capacity as u64) as usize + 1;
        let mut placement = P::new(capacity, hint);
        let mut plan = RunPlan::new(capacity, max_len, hint);
        for v in (1..=max_len).rev() {
            plan.begin_length(v);
            plan.place(&mut placement, v, hist.count[v as usize], ctl)?;
        }
        Ok(plan)
    };
    let n = lengths.len();
    let (plan, items) = workers.join(place, || output_buffer(n, workers.threads() > 1));
    let packing = attach(lengths, &hist, plan?, items, workers, ctl)?;
    Ok((packing, hist.into_profile()))
}

/// Turns a finished plan into the flat [`Packing`]: offsets by prefix sum,
/// loads from the remaining capacities, and the item indices scattered into
/// `items` (`n` slots) chunk by chunk: the `j`-th item of length `v` is
/// placement `first(v) + j`.
pub(crate) fn attach(
    lengths: &[u32],
    hist: &Histogram,
    plan: RunPlan,
    mut items: Vec<u32>,
    workers: &Workers,
    ctl: &Control,
) -> Result<Packing> {
    let n = lengths.len();
    let width = hist.count.len();
    let (count, before) = (&hist.count, &hist.before);
    let RunPlan {
        capacity,
        remaining,
        mut bin_offsets,
        mut run_slot,
        run_rank,
        mut run_first,
        mut run_from,
        placed,
    } = plan;
    debug_assert_eq!(placed as usize, n);
    run_from[0] = run_first.len() as u32;
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

    let out = parallel::as_atomic(&mut items);
    let chunks = &hist.chunks;
    let top = width - 1;
    let last = chunks.len() - 1;
    let done: Vec<Result<()>> = workers.map(chunks, |c, range| {
        // Cursor per length: [next slot, end of its run, run, items of this
        // length the chunk may still write]. Slots 0 and `top` allow none.
        let mut cur = vec![[0u32; 4]; width];
        let far = width > PREFETCH_SLOTS;
        for v in 1..top {
            let share = if c == last {
                count[v]
            } else {
                before[c + 1][v]
            } - before[c][v];
            if share == 0 {
                continue;
            }
            let runs = run_from[v] as usize..run_from[v - 1] as usize;
            let k = run_first[runs.start] + before[c][v];
            let r = runs.start + run_first[runs].partition_point(|&f| f <= k) - 1;
            let slot = run_slot[r] + (k - run_first[r]);
            let end = run_slot[r] + (run_first[r + 1] - run_first[r]);
            cur[v] = [slot, end, r as u32, share];
        }
        let mut i = range.start;
        let chunk = &lengths[range];
        for (b, block) in chunk.chunks(Control::STRIDE).enumerate() {
            ctl.check()?;
            let ahead = &chunk[(b * Control::STRIDE + PREFETCH_AHEAD).min(chunk.len())..];
            for (k, &l) in block.iter().enumerate() {
                if far {
                    if let Some(&m) = ahead.get(k) {
                        prefetch(&cur[(m as usize).min(top)]);
                    }
                }
                let c = &mut cur[(l as usize).min(top)];
                // The chunk writes exactly its counted share of each length
                // (the shares sum to its item count), so a length that
                // changed since the histogram runs one share dry here.
                if c[3] == 0 {
                    return Err(guard::input_changed(Some(i)));
                }
                c[3] -= 1;
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
    Ok(Packing::uniform(items, bin_offsets, bin_loads))
}

/// Cursor tables with more slots than this (256 KiB of cursors) no longer
/// stay in the L1/L2 caches: [`attach`] then prefetches the cursor of the
/// item [`PREFETCH_AHEAD`] places ahead.
///
/// Why: the lengths are read in input order, so the cursor each item will
/// need is known long before; for lengths spread up to `2^19` (capacity
/// `2^22`) the table is 8 MiB and waiting for each cursor was a third of
/// OBFD's time. Below the limit the table is cache-resident and the hint
/// would only cost instructions.
const PREFETCH_SLOTS: usize = 1 << 14;

/// How many items ahead [`attach`] prefetches: enough to cover a memory
/// access (~100 ns) at a few ns per item.
const PREFETCH_AHEAD: usize = 16;

/// Asks the CPU to bring `*p` into the cache. A hint only: it reads nothing
/// architecturally and never faults, so it cannot change any result.
#[inline(always)]
fn prefetch<T>(p: &T) {
    #[cfg(target_arch = "x86_64")]
    // SAFETY: `_mm_prefetch` only hints the cache; `p` is a valid reference.
    unsafe {
        std::arch::x86_64::_mm_prefetch::<{ std::arch::x86_64::_MM_HINT_T0 }>(
            p as *const T as *const i8,
        )
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = p;
}

/// `n` zeroed slots for the scatter (`calloc`: fresh pages, zeroed by the
/// kernel on first touch). With workers to spare, every page is touched here
/// once (one store per 4 KiB; an atomic store, so the compiler cannot drop it
/// as redundant with `calloc`'s zeroes), so the page faults, which cost
/// about as much as the scatter's own stores, happen off the critical path.
pub(crate) fn output_buffer(n: usize, prefault: bool) -> Vec<u32> {
    let mut buf = vec![0u32; n];
    if prefault {
        let view = parallel::as_atomic(&mut buf);
        for slot in view.iter().step_by(1024) {
            slot.store(0, Relaxed);
        }
    }
    buf
}
