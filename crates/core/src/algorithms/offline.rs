//! The offline family: the whole input is known before anything is placed, so
//! items can be reordered first.
//!
//! | strategy | order | placement | time |
//! |---|---|---|---|
//! | `ffd` First-Fit Decreasing | length histogram ([`runs`](super::runs)) | first fit, by runs | `O(n + L + r log B)` |
//! | `bfd` Best-Fit Decreasing | length histogram ([`runs`](super::runs)) | best fit, by runs | `O(n + L + C + r log C)` |
//! | `ffs` First-Fit Shuffle | [`shuffled`] (seeded [`Pcg32`]) | first fit | `O(n log B)` |
//! | `mffd` Modified FFD | classes over the histogram, then FFD by runs ([`mffd_packing`]) | first fit | `O(n + L + r log B)` |
//!
//! (`L` = longest item, `B` = bins, `r` = runs: a bin taking a batch of one
//! length, at most `n`.) Decreasing order with equal lengths by ascending
//! index means a whole run of equal lengths can be placed per query (see
//! [`runs`](super::runs)); the histogram replaces the sort. BFD thereby
//! becomes OBFD's code path; the tests keep it honest against item-by-item
//! best fit over a stable comparison sort ([`sorted_decreasing`]), an
//! independent path. Huge sparse length ranges fall back to a comparison
//! sort and item-by-item placement.

use super::order;
use crate::control::Control;
use crate::error::Result;
use crate::metrics::LengthProfile;
use crate::packing::{Assignment, Packing};
use crate::placement::{self, bins_estimate, FirstFit, Placement};

/// First-Fit Decreasing. In decreasing order a first-fit bin keeps taking a
/// run of equal lengths while it has room, so the shared run engine
/// ([`runs`](super::runs)) places whole runs per tree query, with bins
/// identical to item-by-item FFD. Huge sparse length ranges, where a length
/// histogram costs more than a sort, take the item-by-item path.
///
/// Also returns the multiset of lengths it sorted by ([`LengthProfile`]),
/// so the metrics need not read the input again.
pub fn ffd(
    lengths: &[u32],
    capacity: u32,
    max_len: u32,
    ctl: &Control,
) -> Result<(Packing, LengthProfile)> {
    if order::histogram_pays(lengths.len(), max_len) {
        use super::runs;
        let workers = crate::parallel::Workers::sequential();
        let hist = runs::histogram(lengths, max_len, capacity, &workers, ctl)?;
        runs::pack_by_runs::<FirstFit>(lengths, hist, capacity, &workers, ctl)
    } else {
        let (order, profile) = order::decreasing_profiled(lengths, max_len);
        let packing = placement::first_fit(lengths, order, capacity, ctl)?.into_packing(lengths);
        Ok((packing, profile))
    }
}

/// Input indices by decreasing length, equal lengths by ascending index, with
/// a stable comparison sort: `O(n log n)`. Not on any strategy's path (BFD and
/// OBFD use the length histogram): it is the textbook order the tests feed to
/// item-by-item best fit as an independent reference for their bins.
///
/// Each length is read once into a cached key, so the comparison stays a
/// total order even if the lengths change during the sort (a comparator
/// that reads them again could see two answers, and the standard sort may
/// panic on an inconsistent order).
pub fn sorted_decreasing(lengths: &[u32]) -> Vec<u32> {
    let mut idx = order::identity(lengths.len());
    idx.sort_by_cached_key(|&i| std::cmp::Reverse(lengths[i as usize]));
    idx
}

/// PCG32 (PCG-XSH-RR 64/32, O'Neill 2014): the shuffle's random number generator.
///
/// Defined here, not taken from a crate, so the stream for a given seed is fixed
/// forever and identical on every platform: 64-bit LCG state
/// `s' = s * 6364136223846793005 + inc`, output = xorshift-high then a random
/// rotation of the old state. Seeding follows the reference `pcg32_srandom_r`
/// with the stream selector fixed to [`Pcg32::STREAM`], so
/// `Pcg32::new(42)` reproduces the reference demo's first outputs
/// (`0xa15c02b7, 0x7b47f409, ...`), which a test pins.
#[derive(Clone, Debug)]
pub struct Pcg32 {
    state: u64,
    inc: u64,
}

impl Pcg32 {
    const MULTIPLIER: u64 = 6_364_136_223_846_793_005;
    /// Stream selector (the reference demo's `initseq`).
    pub const STREAM: u64 = 54;

    pub fn new(seed: u64) -> Self {
        let mut rng = Pcg32 {
            state: 0,
            inc: (Self::STREAM << 1) | 1,
        };
        rng.next_u32();
        rng.state = rng.state.wrapping_add(seed);
        rng.next_u32();
        rng
    }

    #[inline]
    pub fn next_u32(&mut self) -> u32 {
        let old = self.state;
        self.state = old.wrapping_mul(Self::MULTIPLIER).wrapping_add(self.inc);
        let xorshifted = (((old >> 18) ^ old) >> 27) as u32;
        xorshifted.rotate_right((old >> 59) as u32)
    }

    /// A uniform integer in `0..bound` (`bound >= 1`), without modulo bias:
    /// Lemire's multiply-shift with rejection (2019). The 64-bit product's high
    /// half is the result; low halves below `2^32 mod bound` are the biased
    /// slice and are redrawn (rare: probability `< bound / 2^32`).
    #[inline]
    pub fn below(&mut self, bound: u32) -> u32 {
        debug_assert!(bound >= 1);
        let mut m = self.next_u32() as u64 * bound as u64;
        if (m as u32) < bound {
            let threshold = bound.wrapping_neg() % bound;
            while (m as u32) < threshold {
                m = self.next_u32() as u64 * bound as u64;
            }
        }
        (m >> 32) as u32
    }
}

/// `0..n` in a uniformly random order: Fisher-Yates (Durstenfeld), swapping
/// position `i` (from the end down) with a uniform position in `0..=i`.
/// `O(n)`; the same `seed` gives the same order everywhere.
///
/// The swap partners do not depend on the array, only on the generator, so
/// they are drawn 16 steps early and their slots prefetched: on a
/// large input every swap is a cache miss at a random place, and this lets
/// the misses overlap instead of being paid one after another.
pub fn shuffled(n: usize, seed: u64) -> Vec<u32> {
    const AHEAD: usize = 16;
    let mut idx = order::identity(n);
    let mut rng = Pcg32::new(seed);
    // Partners for steps i, i - 1, ... in a ring of AHEAD, drawn in order.
    let mut ring = [0u32; AHEAD];
    let first = n.saturating_sub(1);
    let mut drawn = first; // the next step whose partner is not drawn yet
    let mut draw = |i: usize, idx: &[u32], ring: &mut [u32; AHEAD]| {
        let j = rng.below(i as u32 + 1);
        ring[i % AHEAD] = j;
        prefetch(idx, j as usize);
    };
    while drawn >= 1 && first - drawn < AHEAD {
        draw(drawn, &idx, &mut ring);
        drawn -= 1;
    }
    for i in (1..n).rev() {
        let j = ring[i % AHEAD] as usize;
        if drawn >= 1 {
            draw(drawn, &idx, &mut ring);
            drawn -= 1;
        }
        idx.swap(i, j);
    }
    idx
}

/// A hint that `slice[i]` is needed soon (no effect on the result).
#[inline(always)]
fn prefetch(slice: &[u32], i: usize) {
    #[cfg(target_arch = "x86_64")]
    if let Some(p) = slice.get(i) {
        // SAFETY: a prefetch never faults and has no observable effect; the
        // pointer is in bounds anyway.
        #[allow(unused_unsafe)]
        unsafe {
            use std::arch::x86_64::{_mm_prefetch, _MM_HINT_T0};
            _mm_prefetch::<_MM_HINT_T0>(p as *const u32 as *const i8);
        }
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = (slice, i);
}

/// Johnson & Garey's size classes, for capacity `C`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SizeClass {
    /// `len > C/2`
    Large,
    /// `C/3 < len <= C/2`
    Medium,
    /// `C/6 < len <= C/3`
    Small,
    /// `len <= C/6`
    Tiny,
}

impl SizeClass {
    /// Exact integer comparisons (`2 len > C`, ...), no rounding.
    pub fn of(len: u32, capacity: u32) -> SizeClass {
        let (l, c) = (len as u64, capacity as u64);
        if 2 * l > c {
            SizeClass::Large
        } else if 3 * l > c {
            SizeClass::Medium
        } else if 6 * l > c {
            SizeClass::Small
        } else {
            SizeClass::Tiny
        }
    }
}

/// [`mffd`] straight to the flat [`Packing`], by runs: the same bins, in the
/// same bin and in-bin order, as `mffd(..).into_packing(..)` (the tests
/// compare the two), without an `O(n)` order array or per-item placement.
///
/// Steps 1-3 touch at most three items per A-bin and only need lengths, so
/// they run over the length histogram; each item they place is a run of one
/// item. Which item of a length they take follows from [`mffd`]'s
/// tie-breaks: step 2 takes a length's smallest indices first (its lowest
/// ranks, ranks counting by ascending index), step 3's smallest-item pointer
/// takes its largest indices first (highest ranks), and step 3's partner
/// pointer its smallest indices first; once the partner bound drops below a
/// length it never rises again. So for every length the items left for
/// steps 4-5 are one contiguous range of ranks, between the taken low ranks
/// and the taken high ranks. Steps 4-5 are FFD of what is left onto the
/// A-bins and new bins, which is the run engine with first fit
/// ([`runs`](super::runs)), the A-bins entered beforehand.
///
/// Time `O(n + L + A + r log B)` (`A` A-bins, `r` runs, `B` bins). Huge sparse
/// length ranges (no affordable histogram) take [`mffd`] item by item.
///
/// Also returns the multiset of lengths it sorted by, for the metrics.
pub fn mffd_packing(
    lengths: &[u32],
    capacity: u32,
    max_len: u32,
    ctl: &Control,
) -> Result<(Packing, LengthProfile)> {
    use super::runs;
    if !order::histogram_pays(lengths.len(), max_len) {
        let (dec, profile) = order::decreasing_profiled(lengths, max_len);
        return Ok((
            mffd(lengths, capacity, dec, ctl)?.into_packing(lengths),
            profile,
        ));
    }
    let workers = crate::parallel::Workers::sequential();
    let hist = runs::histogram(lengths, max_len, capacity, &workers, ctl)?;
    let count = &hist.count;
    let width = max_len as usize + 1; // slot max_len + 1 (overflow) is empty
    let class = |v: usize| SizeClass::of(v as u32, capacity);
    let hint = (hist.total / capacity as u64) as usize + 1;
    let mut plan = runs::RunPlan::new(capacity, max_len, hint);
    // Items placed by steps 1-3, in the order they are taken: (length, rank
    // among that length, bin, position in the bin, 1 if taken from the high
    // ranks down else 0).
    let mut taken: Vec<[u32; 5]> = Vec::new();

    // Step 1: a bin per large item, largest first, ranks ascending.
    for v in (1..width)
        .rev()
        .take_while(|&v| class(v) == SizeClass::Large)
    {
        for rank in 0..count[v] {
            let b = plan.open_bin();
            plan.remaining[b as usize] -= v as u32;
            plan.bin_offsets[b as usize + 1] = 1;
            taken.push([v as u32, rank, b, 0, 0]);
        }
    }
    let a_bins = plan.remaining.len();
    ctl.check()?;

    // Step 2, forward over the A-bins: lengths that fit are pushed ascending
    // as the free space grows; the top is the largest remaining that fits.
    let medium: Vec<usize> = (1..width)
        .filter(|&v| class(v) == SizeClass::Medium && count[v] > 0)
        .collect();
    let mut next_medium = 0; // next entry of `medium` not pushed yet
    let mut stack: Vec<usize> = Vec::new();
    let mut used = vec![0u32; width]; // medium items taken per length
    let mut got_medium = vec![false; a_bins];
    for (b, got) in got_medium.iter_mut().enumerate() {
        while next_medium < medium.len() && medium[next_medium] as u32 <= plan.remaining[b] {
            stack.push(medium[next_medium]);
            next_medium += 1;
        }
        if let Some(&v) = stack.last() {
            taken.push([v as u32, used[v], b as u32, 1, 0]);
            used[v] += 1;
            if used[v] == count[v] {
                stack.pop();
            }
            plan.remaining[b] -= v as u32;
            plan.bin_offsets[b + 1] = 2;
            *got = true;
        }
    }
    ctl.check()?;

    // Step 3, backward over the A-bins without a medium item. The small
    // items ascending (equal lengths by descending index) are positions
    // `0..total`; length `small[i].0` holds positions `small[i].1..small[i + 1].1`.
    let mut small: Vec<(u32, u32)> = Vec::new();
    let mut total = 0u32;
    for v in (1..width).filter(|&v| class(v) == SizeClass::Small && count[v] > 0) {
        small.push((v as u32, total));
        total += count[v];
    }
    small.push((0, total)); // sentinel: the end of the last length
                            // Position `p` of small entry `i` is rank `count - 1 - (p - start)`.
    let rank_at = |i: usize, p: u32| small[i + 1].1 - 1 - p;
    let (mut lo, mut hi) = (0u32, total);
    let (mut li, mut hj) = (0usize, small.len() - 1); // entries holding lo and hi - 1
    for b in (0..a_bins).rev().filter(|&b| !got_medium[b]) {
        if hi - lo < 2 {
            break;
        }
        while small[li + 1].1 <= lo {
            li += 1;
        }
        let Some(bound) = plan.remaining[b].checked_sub(small[li].0) else {
            continue;
        };
        // Lengths above `bound` can never be a partner again (the bound only
        // shrinks): skip them a whole length at a time.
        while hi > lo + 1 {
            while small[hj - 1].1 >= hi {
                hj -= 1;
            }
            if small[hj - 1].0 <= bound {
                break;
            }
            hi = small[hj - 1].1.max(lo + 1);
        }
        if hi > lo + 1 {
            while small[hj - 1].1 >= hi {
                hj -= 1;
            }
            let (v_lo, v_hi) = (small[li].0, small[hj - 1].0);
            taken.push([v_lo, rank_at(li, lo), b as u32, 1, 1]);
            taken.push([v_hi, rank_at(hj - 1, hi - 1), b as u32, 2, 0]);
            plan.remaining[b] -= v_lo + v_hi;
            plan.bin_offsets[b + 1] = 3;
            lo += 1;
            hi -= 1;
        }
    }
    ctl.check()?;

    // Taken items grouped by length, keeping the order they were taken in
    // (a stable counting sort): per length, the low ranks were taken in
    // ascending order and the high ranks in descending order.
    let mut at = vec![0u32; width + 1];
    for t in &taken {
        at[t[0] as usize + 1] += 1;
    }
    for v in 0..width {
        at[v + 1] += at[v];
    }
    let mut by_len = vec![[0u32; 4]; taken.len()];
    {
        let mut cursor = at.clone();
        for t in &taken {
            let c = &mut cursor[t[0] as usize];
            by_len[*c as usize] = [t[1], t[2], t[3], t[4]];
            *c += 1;
        }
    }
    drop(taken);

    // Steps 4-5: FFD of what is left, onto the A-bins first.
    let mut ff = FirstFit::new(capacity, hint.max(a_bins));
    for (b, &r) in plan.remaining.iter().enumerate() {
        ff.set(b as u32, r);
    }
    for v in (1..width).rev() {
        plan.begin_length(v as u32);
        let group = &by_len[at[v] as usize..at[v + 1] as usize];
        let left = count[v] - group.len() as u32;
        // Ranks in order: the low ones (taken ascending), the rest by FFD,
        // the high ones (taken descending, so walked backwards).
        let mut rank = 0u32;
        for t in group.iter().filter(|t| t[3] == 0) {
            debug_assert_eq!(t[0], rank, "low ranks are 0, 1, ...");
            plan.record(t[1], t[2], 1);
            rank += 1;
        }
        plan.place(&mut ff, v as u32, left, ctl)?;
        rank += left;
        for t in group.iter().rev().filter(|t| t[3] == 1) {
            debug_assert_eq!(t[0], rank, "high ranks continue where FFD stopped");
            plan.record(t[1], t[2], 1);
            rank += 1;
        }
        debug_assert_eq!(rank, count[v]);
    }
    drop(ff);
    let items = runs::output_buffer(lengths.len(), false);
    let packing = runs::attach(lengths, &hist, plan, items, &workers, ctl)?;
    Ok((packing, hist.into_profile()))
}

/// Modified First-Fit Decreasing (D. S. Johnson and M. R. Garey, "A 71/60
/// theorem for bin packing", J. Complexity 1, 1985), as published, item by
/// item: the reference for [`mffd_packing`] (which the `mffd` strategy runs)
/// and its path for huge sparse length ranges.
///
/// `decreasing` is the input in decreasing length (ties by ascending index), so
/// each [`SizeClass`] is a contiguous run of it. Steps:
///
/// 1. Each large item gets its own bin, largest first (the "A-bins"; their free
///    space grows from the first to the last).
/// 2. Forward through the A-bins: if the smallest remaining medium item does
///    not fit, skip the bin; otherwise put in it the largest remaining medium
///    item that fits.
/// 3. Backward through the A-bins that received no medium item: if the two
///    smallest remaining small items do not fit together, skip the bin;
///    otherwise put in it the smallest remaining small item and then the
///    largest remaining small item that fits beside it.
/// 4. Forward through all bins, each time putting in the current bin the
///    largest remaining item (any class) that fits, until none fits.
/// 5. Pack what is left by FFD into new bins.
///
/// Steps 4 and 5 together are exactly FFD of the remaining items onto the
/// existing bins (an item goes to the first bin that fits, else a new bin:
/// bin by bin this is "largest remaining that fits"), which is how they run.
///
/// Implementation: step 2 sweeps bins in order of growing free space, so the
/// medium items that fit only ever grow: they are pushed on a stack in
/// ascending length as they start to fit and the largest is the top, `O(1)`
/// amortised. In step 3 the free space only shrinks and the smallest remaining
/// small item only grows, so the bound for the partner only shrinks: two
/// pointers over the small items in ascending order, `O(1)` amortised. Steps 4
/// and 5 use the shared first-fit tree. Total `O(n log B)` after the sort.
///
/// Ties: equal lengths are taken in ascending index when the largest is wanted
/// and in descending index when the smallest is wanted (the ascending list is
/// the decreasing order reversed); bins are numbered A-bins first, then in the
/// order FFD opens them.
///
/// Guarantee: `MFFD(L) <= 71/60 OPT(L) + 1` (additive constant by Yue & Zhang 1995).
pub fn mffd(
    lengths: &[u32],
    capacity: u32,
    decreasing: Vec<u32>,
    ctl: &Control,
) -> Result<Assignment> {
    let len = |i: u32| lengths[i as usize];
    let class = |i: u32| SizeClass::of(len(i), capacity);
    let ends = |c: SizeClass| decreasing.partition_point(|&i| class(i) as u8 <= c as u8);
    let (large_end, medium_end, small_end) = (
        ends(SizeClass::Large),
        ends(SizeClass::Medium),
        ends(SizeClass::Small),
    );
    let large = &decreasing[..large_end];
    let medium = &decreasing[large_end..medium_end];
    let small = &decreasing[medium_end..small_end];

    let n = lengths.len();
    let mut out_order = Vec::with_capacity(n);
    let mut bin_of = Vec::with_capacity(n);
    let mut placed = vec![false; n];
    let mut remaining: Vec<u32> = Vec::with_capacity(bins_estimate(lengths, capacity));
    // Reads the length once and refuses what does not fit, so a length that
    // is not what the classes assumed (see `guard`) is an error, never a
    // wrapped remaining capacity.
    let mut put = |item: u32, bin: usize, remaining: &mut Vec<u32>| -> Result<()> {
        let l = len(item);
        crate::guard::check_length(item, l, capacity)?;
        remaining[bin] = remaining[bin]
            .checked_sub(l)
            .ok_or_else(|| crate::guard::input_changed(Some(item as usize)))?;
        out_order.push(item);
        bin_of.push(bin as u32);
        placed[item as usize] = true;
        Ok(())
    };

    // Step 1.
    for (b, &item) in large.iter().enumerate() {
        remaining.push(capacity);
        put(item, b, &mut remaining)?;
    }
    ctl.check()?;

    // Step 2: forward; free space non-decreasing.
    let mut got_medium = vec![false; large.len()];
    let mut medium_asc = medium.iter().rev().copied().peekable();
    let mut fitting: Vec<u32> = Vec::new(); // ascending; top = largest that fits
    for b in 0..large.len() {
        while let Some(&i) = medium_asc.peek() {
            if len(i) > remaining[b] {
                break;
            }
            fitting.push(i);
            medium_asc.next();
        }
        if let Some(i) = fitting.pop() {
            put(i, b, &mut remaining)?;
            got_medium[b] = true;
        }
    }
    ctl.check()?;

    // Step 3: backward over bins without a medium item; free space non-increasing.
    // Candidates are small_asc[lo..hi], all still unplaced.
    let small_asc: Vec<u32> = small.iter().rev().copied().collect();
    let (mut lo, mut hi) = (0usize, small_asc.len());
    for b in (0..large.len()).rev().filter(|&b| !got_medium[b]) {
        if hi - lo < 2 {
            break;
        }
        let smallest = len(small_asc[lo]);
        let Some(bound) = remaining[b].checked_sub(smallest) else {
            continue;
        };
        // Items above `bound` can never be a partner again (the bound only shrinks).
        while hi > lo + 1 && len(small_asc[hi - 1]) > bound {
            hi -= 1;
        }
        if hi > lo + 1 {
            put(small_asc[lo], b, &mut remaining)?;
            put(small_asc[hi - 1], b, &mut remaining)?;
            lo += 1;
            hi -= 1;
        }
    }
    ctl.check()?;

    // Steps 4 and 5: FFD of everything left onto the existing bins, then new ones.
    let mut ff = FirstFit::new(capacity, remaining.capacity().max(remaining.len()));
    for (b, &r) in remaining.iter().enumerate() {
        ff.set(b as u32, r);
    }
    let rest = decreasing.iter().copied().filter(|&i| !placed[i as usize]);
    for (k, item) in rest.enumerate() {
        ctl.checkpoint(k)?;
        let l = len(item);
        crate::guard::check_length(item, l, capacity)?;
        let b = ff.find(l).map_or_else(
            || {
                remaining.push(capacity);
                remaining.len() - 1
            },
            |b| b as usize,
        );
        remaining[b] -= l;
        ff.set(b as u32, remaining[b]);
        out_order.push(item);
        bin_of.push(b as u32);
    }
    Ok(Assignment {
        order: out_order,
        bin_of,
        num_bins: remaining.len(),
    })
}
