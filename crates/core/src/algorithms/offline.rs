//! The offline family: the whole input is known before anything is placed, so
//! items can be reordered first.
//!
//! | strategy | order | placement | time |
//! |---|---|---|---|
//! | `ffd` First-Fit Decreasing | [`order::decreasing`] | first fit | `O(n + L + n log B)` |
//! | `bfd` Best-Fit Decreasing | [`sorted_decreasing`] | best fit | `O(n log n + n log C)` |
//! | `ffs` First-Fit Shuffle | [`shuffled`] (seeded [`Pcg32`]) | first fit | `O(n + n log B)` |
//! | `mffd` Modified FFD | classes, then FFD ([`mffd`]) | first fit | `O(n + L + n log B)` |
//!
//! (`L` = longest item, `B` = bins.) FFD and MFFD sort with the counting sort
//! shared with OBFD. BFD deliberately keeps the textbook stable comparison sort:
//! it is then an independent path to OBFD's bins (same order, same best-fit
//! tie-breaks), which the tests compare bin for bin. All placements go through
//! the shared [`placement`] structures.

use super::order;
use crate::control::Control;
use crate::error::Result;
use crate::packing::{Assignment, Packing};
use crate::placement::{self, bins_estimate, FirstFit, Placement};

/// First-Fit Decreasing. In decreasing order a first-fit bin keeps taking a
/// run of equal lengths while it has room, so the shared run engine
/// ([`runs`](super::runs)) places whole runs per tree query, with bins
/// identical to item-by-item FFD. Huge sparse length ranges, where a length
/// histogram costs more than a sort, take the item-by-item path.
pub fn ffd(lengths: &[u32], capacity: u32, max_len: u32, ctl: &Control) -> Result<Packing> {
    if order::histogram_pays(lengths.len(), max_len) {
        let workers = crate::parallel::Workers::sequential();
        super::runs::pack_by_runs::<FirstFit>(lengths, capacity, max_len, &workers, ctl)
    } else {
        let order = order::decreasing(lengths, max_len);
        Ok(placement::first_fit(lengths, order, capacity, ctl)?.into_packing(lengths))
    }
}

/// Input indices by decreasing length, equal lengths by ascending index, with
/// a stable comparison sort: `O(n log n)`. (OBFD gets the same order from a
/// counting sort, [`order::decreasing`]; keeping the textbook sort here makes
/// BFD an independent path to the same bins.)
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
pub fn shuffled(n: usize, seed: u64) -> Vec<u32> {
    let mut idx = order::identity(n);
    let mut rng = Pcg32::new(seed);
    for i in (1..n).rev() {
        let j = rng.below(i as u32 + 1) as usize;
        idx.swap(i, j);
    }
    idx
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

/// Modified First-Fit Decreasing (D. S. Johnson and M. R. Garey, "A 71/60
/// theorem for bin packing", J. Complexity 1, 1985), as published.
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
