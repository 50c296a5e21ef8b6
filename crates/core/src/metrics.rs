//! Quality metrics of a packing and lower bounds on the optimum.
//!
//! Definitions follow seqpacker's so numbers are comparable:
//! `efficiency = total_tokens / total_capacity`, `padding = total_capacity - total_tokens`,
//! per-bin utilisation `load / capacity` summarised by mean, population standard
//! deviation, min and max. Added here: the lower bounds L1 = `ceil(sum / C)` and
//! Martello-Toth L2, and `gap = num_bins / L2` (1.0 means provably optimal).
//!
//! Conventions for an empty input: zero bins, efficiency 0, gap 1.
//!
//! Cost: a few cycles per bin for the summaries and, for L2, either a pass
//! over the input or, when the packing already sorted the lengths, nothing
//! per item ([`LengthProfile`]): `O(max_len)` over its histogram or
//! `O(distinct lengths)` over its sorted sizes.

use crate::packing::Packing;
use crate::parallel::Workers;

/// What a packing already learned about the multiset of its input lengths,
/// handed to [`Metrics::compute_profiled`] so the bounds need not read the
/// input again.
///
/// Why: the L2 bound depends only on the multiset of lengths, and the
/// offline strategies build that multiset anyway (a counting sort's
/// histogram, a radix sort's sorted keys). Re-reading `n` lengths for it cost
/// 11-17% of an OBFD call at `C = 4096`, and sorting them again when the
/// length range is too wide for a histogram cost more than the packing.
///
/// Invariant (the producer's duty): the profile describes exactly the
/// lengths that were packed, so every path gives bit-identical metrics;
/// the tests compare each producer with [`LengthProfile::Unknown`].
#[derive(Clone, Debug, Default, PartialEq)]
pub enum LengthProfile {
    /// Nothing known: the metrics read the input ([`l2_bound_known_max`]).
    #[default]
    Unknown,
    /// `hist[v]` items of length `v` for every `v < hist.len()`, none longer
    /// (`hist.len() = max_len + 1`). `O(max_len)` to use.
    Histogram(Vec<u32>),
    /// The distinct lengths, strictly increasing, each with its item count.
    /// `O(distinct)` to use.
    Sizes(Vec<(u32, u32)>),
}

impl LengthProfile {
    /// The distinct sizes of `sorted` (lengths in increasing order if
    /// `increasing`, else in decreasing order) with their counts, as
    /// [`Sizes`](LengthProfile::Sizes). `O(n)`, one sequential pass.
    pub fn from_sorted(sorted: impl IntoIterator<Item = u32>, increasing: bool) -> Self {
        LengthProfile::Sizes(distinct_sizes(sorted, increasing))
    }

    /// The L2 bound from the profile, or `None` when it is
    /// [`Unknown`](LengthProfile::Unknown).
    pub fn l2_bound(&self, c: u32) -> Option<u64> {
        match self {
            LengthProfile::Unknown => None,
            LengthProfile::Histogram(h) => Some(l2_from_histogram(h, c)),
            LengthProfile::Sizes(s) => Some(l2_from_sizes(s, c)),
        }
    }
}

/// Mean, population standard deviation, min and max of a set of values.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Summary {
    pub mean: f64,
    pub std: f64,
    pub min: f64,
    pub max: f64,
}

impl Summary {
    pub fn of(values: impl Iterator<Item = f64> + Clone) -> Summary {
        let (mut n, mut sum, mut min, mut max) = (0usize, 0.0, f64::INFINITY, f64::NEG_INFINITY);
        for v in values.clone() {
            n += 1;
            sum += v;
            min = min.min(v);
            max = max.max(v);
        }
        if n == 0 {
            return Summary::default();
        }
        let mean = sum / n as f64;
        let var = values.map(|v| (v - mean) * (v - mean)).sum::<f64>() / n as f64;
        Summary {
            mean,
            std: var.sqrt(),
            min,
            max,
        }
    }
}

impl Summary {
    /// [`Summary::of`] for integer values, each divided by `scale`: one pass
    /// of integer sums (`sum x`, `sum x^2` exact in `u128`, min, max) and the
    /// variance `(n sum x^2 - (sum x)^2) / n^2` from those, exact up to the
    /// final rounding to `f64`.
    ///
    /// Why not [`Summary::of`]: per bin it costs two passes, a division and
    /// two dependent floating-point additions, about 6.6 ns per bin, which
    /// made the summaries most of the metrics' time once the bound stopped
    /// reading the input. This form is a few cycles per bin and at least as
    /// accurate (no per-value rounding). `n * sum x^2 < 2^128` for fewer than
    /// `2^32` values below `2^32`, the only use (loads and item counts).
    pub fn of_integers(values: impl Iterator<Item = u32>, scale: f64) -> Summary {
        let (mut n, mut sum, mut sq, mut min, mut max) = (0u64, 0u64, 0u128, u32::MAX, 0u32);
        for v in values {
            n += 1;
            sum += v as u64;
            sq += (v as u64 * v as u64) as u128;
            min = min.min(v);
            max = max.max(v);
        }
        if n == 0 {
            return Summary::default();
        }
        let nf = n as f64;
        let spread = n as u128 * sq - sum as u128 * sum as u128;
        Summary {
            mean: sum as f64 / nf / scale,
            std: (spread as f64 / (nf * nf)).sqrt() / scale,
            min: min as f64 / scale,
            max: max as f64 / scale,
        }
    }
}

/// Everything the JS result reports besides the bins themselves.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Metrics {
    pub num_bins: usize,
    pub num_items: usize,
    pub total_tokens: u64,
    /// Sum of bin capacities (`num_bins * C` unless bins are heterogeneous).
    pub total_capacity: u64,
    pub padding_tokens: u64,
    pub efficiency: f64,
    /// Per-bin `load / capacity`.
    pub utilisation: Summary,
    /// Items per bin.
    pub items_per_bin: Summary,
    /// `ceil(total / C)`.
    pub lower_bound_l1: u64,
    /// Martello-Toth L2 (>= L1).
    pub lower_bound_l2: u64,
    /// `num_bins / lower_bound_l2` (1 when there are no items).
    pub gap: f64,
    /// Balance across the bins of each group, for grouped strategies.
    pub groups: Option<GroupBalance>,
}

/// How evenly the bins (devices) of each group share the work, for grouped results.
///
/// For each group, the *spread* of a quantity is `max - min` over the group's
/// bins (empty bins included: an idle rank is imbalance). Two quantities: token
/// totals, and attention cost `sum(len^2)` (causal attention with document
/// masking is quadratic per document). Spreads are summarised over groups by
/// their mean and maximum. Per bin, `sum(len^2) <= load^2 < 2^64`, so `u64`
/// never overflows.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct GroupBalance {
    pub num_groups: usize,
    pub token_spread_mean: f64,
    pub token_spread_max: u64,
    pub attention_spread_mean: f64,
    pub attention_spread_max: u64,
}

impl GroupBalance {
    /// `O(n + bins)`.
    pub fn compute(packing: &Packing, lengths: &[u32], group_offsets: &[u32]) -> GroupBalance {
        let num_groups = group_offsets.len().saturating_sub(1);
        let (mut tok_sum, mut tok_max, mut att_sum, mut att_max) = (0f64, 0u64, 0f64, 0u64);
        for g in group_offsets.windows(2) {
            let (mut tmin, mut tmax, mut amin, mut amax) = (u64::MAX, 0u64, u64::MAX, 0u64);
            for b in g[0] as usize..g[1] as usize {
                let tokens = packing.bin_loads[b] as u64;
                let att: u64 = packing
                    .bin(b)
                    .iter()
                    .map(|&i| (lengths[i as usize] as u64).pow(2))
                    .sum();
                (tmin, tmax) = (tmin.min(tokens), tmax.max(tokens));
                (amin, amax) = (amin.min(att), amax.max(att));
            }
            let (ts, at) = if g[0] == g[1] {
                (0, 0)
            } else {
                (tmax - tmin, amax - amin)
            };
            tok_sum += ts as f64;
            att_sum += at as f64;
            tok_max = tok_max.max(ts);
            att_max = att_max.max(at);
        }
        let per_group = |s: f64| {
            if num_groups == 0 {
                0.0
            } else {
                s / num_groups as f64
            }
        };
        GroupBalance {
            num_groups,
            token_spread_mean: per_group(tok_sum),
            token_spread_max: tok_max,
            attention_spread_mean: per_group(att_sum),
            attention_spread_max: att_max,
        }
    }
}

impl Metrics {
    /// Computes the metrics of `packing` for `lengths` and bin capacity `capacity`.
    /// `O(bins)` plus the bound, which reads the input: `O(n + max_len)` or
    /// `O(n log n)` (see [`compute_profiled`](Self::compute_profiled) for
    /// the form that does not), plus `O(n)` for grouped results' balance.
    pub fn compute(packing: &Packing, lengths: &[u32], capacity: u32) -> Metrics {
        Self::compute_with(packing, lengths, capacity, &Workers::sequential())
    }

    /// [`compute`](Self::compute) with the `O(n)` part of the L2 bound split
    /// over `workers`; the same numbers for every worker count.
    pub fn compute_with(
        packing: &Packing,
        lengths: &[u32],
        capacity: u32,
        workers: &Workers,
    ) -> Metrics {
        let max_len = lengths.iter().fold(0u32, |m, &l| m.max(l));
        Self::compute_known_max(packing, lengths, capacity, max_len, workers)
    }

    /// [`compute_with`](Self::compute_with) for a caller that already knows
    /// the largest length (validation returns it): one pass over the input
    /// fewer. `max_len` must be the true maximum (0 for no items).
    pub fn compute_known_max(
        packing: &Packing,
        lengths: &[u32],
        capacity: u32,
        max_len: u32,
        workers: &Workers,
    ) -> Metrics {
        Self::compute_profiled(
            packing,
            lengths,
            capacity,
            max_len,
            workers,
            &LengthProfile::Unknown,
        )
    }

    /// [`compute_known_max`](Self::compute_known_max) reusing what the
    /// packing already knows about the lengths: with a
    /// [`Histogram`](LengthProfile::Histogram) or
    /// [`Sizes`](LengthProfile::Sizes) profile the bound costs
    /// `O(max_len)` or `O(distinct sizes)` and the input is not read at all
    /// (besides per-group balance). The same numbers as without the profile.
    pub fn compute_profiled(
        packing: &Packing,
        lengths: &[u32],
        capacity: u32,
        max_len: u32,
        workers: &Workers,
        profile: &LengthProfile,
    ) -> Metrics {
        let num_bins = packing.num_bins();
        let total_tokens: u64 = packing.bin_loads.iter().map(|&l| l as u64).sum();
        let total_capacity: u64 = match &packing.bin_capacities {
            Some(c) => c.iter().map(|&c| c as u64).sum(),
            None => num_bins as u64 * capacity as u64,
        };
        let efficiency = if total_capacity == 0 {
            0.0
        } else {
            total_tokens as f64 / total_capacity as f64
        };
        // One capacity for all bins: utilisation is a scaled load.
        let utilisation = match packing.bin_capacities {
            None => Summary::of_integers(packing.bin_loads.iter().copied(), capacity as f64),
            Some(_) => Summary::of(
                (0..num_bins)
                    .map(|b| packing.bin_loads[b] as f64 / packing.capacity_of(b, capacity) as f64),
            ),
        };
        let items_per_bin =
            Summary::of_integers(packing.bin_offsets.windows(2).map(|w| w[1] - w[0]), 1.0);
        let lower_bound_l1 = total_tokens.div_ceil(capacity as u64);
        let lower_bound_l2 = if packing.bin_capacities.is_some() {
            lower_bound_l1
        } else {
            profile
                .l2_bound(capacity)
                .unwrap_or_else(|| l2_bound_known_max(lengths, capacity, max_len, workers))
        };
        let gap = if lower_bound_l2 == 0 {
            1.0
        } else {
            num_bins as f64 / lower_bound_l2 as f64
        };
        Metrics {
            num_bins,
            num_items: lengths.len(),
            total_tokens,
            total_capacity,
            padding_tokens: total_capacity - total_tokens,
            efficiency,
            utilisation,
            items_per_bin,
            lower_bound_l1,
            lower_bound_l2,
            gap,
            groups: packing
                .group_offsets
                .as_deref()
                .map(|g| GroupBalance::compute(packing, lengths, g)),
        }
    }
}

/// Martello-Toth lower bound L2 on the number of bins of capacity `c`.
///
/// For a threshold `a` in `[0, c/2]`: items larger than `c - a` (J1) and items
/// in `(c/2, c - a]` (J2) each need their own bin, no two of them share; items
/// in `[a, c/2]` (J3) can only use the space J2 leaves plus new bins. So
/// `L(a) = |J1| + |J2| + max(0, ceil((sum J3 - (|J2| c - sum J2)) / c))`, and
/// `L2 = max_a L(a)`. Every `L(a)` is a valid bound and the maximum is reached
/// at `a = 0` or at a distinct size `<= c/2`, so only those are evaluated.
/// `L(0) = L1`, so `L2 >= L1`.
///
/// `O(n + max_len)` through a length histogram when sizes are small, else
/// `O(n log n)` (a sort); the bound itself is one sweep over the distinct sizes.
pub fn l2_bound(lengths: &[u32], c: u32) -> u64 {
    l2_bound_with(lengths, c, &Workers::sequential())
}

/// [`l2_bound`] with the maximum and the histogram computed per input chunk
/// on `workers` (one chunk when sequential) and summed in chunk order.
pub fn l2_bound_with(lengths: &[u32], c: u32, workers: &Workers) -> u64 {
    if lengths.is_empty() {
        return 0;
    }
    // A plain fold vectorises (Iterator::max does not; 6x the instructions).
    let all = workers.chunks(lengths.len(), usize::MAX);
    let max_len = workers
        .map(&all, |_, r| lengths[r].iter().fold(0u32, |m, &l| m.max(l)))
        .into_iter()
        .fold(0, u32::max);
    l2_bound_known_max(lengths, c, max_len, workers)
}

/// [`l2_bound_with`] for a caller that already knows the largest length
/// (validation computes it), which saves a pass over the input.
pub fn l2_bound_known_max(lengths: &[u32], c: u32, max_len: u32, workers: &Workers) -> u64 {
    if lengths.is_empty() {
        return 0;
    }
    // The same rule as the algorithms' counting sorts: a histogram only when
    // it is not much larger than the input (small calls sort their few items).
    if crate::algorithms::order::histogram_pays(lengths.len(), max_len) {
        let width = max_len as usize + 1;
        // Per-chunk histograms cost `width` each: keep their total within `O(n)`.
        let chunks = workers.chunks(lengths.len(), (lengths.len() / width).max(1));
        let mut parts = workers.map(&chunks, |_, r| {
            let mut hist = vec![0u32; width];
            for &l in &lengths[r] {
                // Clamped: the maximum was read in another pass (`guard`).
                hist[(l as usize).min(width - 1)] += 1;
            }
            hist
        });
        let mut hist = parts.swap_remove(0);
        for part in parts {
            for (h, p) in hist.iter_mut().zip(part) {
                *h += p;
            }
        }
        l2_from_histogram(&hist, c)
    } else {
        l2_sorted(lengths, c)
    }
}

/// L2 by sorting: the distinct sizes with their counts, then one sweep.
/// `O(n log n)` time and `O(n)` memory whatever the length range, the path
/// for a range too sparse for a histogram.
fn l2_sorted(lengths: &[u32], c: u32) -> u64 {
    let mut sorted = lengths.to_vec();
    sorted.sort_unstable();
    l2_from_sizes(&distinct_sizes(sorted, true), c)
}

/// The distinct values of `sorted` (increasing if `increasing`, else
/// decreasing) with their counts, strictly increasing. `O(n)`.
fn distinct_sizes(sorted: impl IntoIterator<Item = u32>, increasing: bool) -> Vec<(u32, u32)> {
    let mut sizes: Vec<(u32, u32)> = Vec::new();
    for l in sorted {
        match sizes.last_mut() {
            Some((s, n)) if *s == l => *n += 1,
            _ => sizes.push((l, 1)),
        }
    }
    if !increasing {
        sizes.reverse();
    }
    debug_assert!(sizes.windows(2).all(|w| w[0].0 < w[1].0), "not sorted");
    sizes
}

/// L2 from the distinct sizes, strictly increasing, each `<= c`, with their
/// counts. `O(sizes.len())`, no allocation.
pub fn l2_from_sizes(sizes: &[(u32, u32)], c: u32) -> u64 {
    l2_sweep(sizes.len(), |i| sizes[i].0 as u64, |i| sizes[i].1 as u64, c)
}

/// L2 from a length histogram: `hist[v]` items of length `v`, every length in
/// `0..hist.len()` at most `c`. `O(hist.len())`, no allocation, so a caller
/// that already has the histogram (a counting sort, the run engine) pays
/// nothing per item.
pub fn l2_from_histogram(hist: &[u32], c: u32) -> u64 {
    l2_sweep(hist.len(), |v| v as u64, |v| hist[v] as u64, c)
}

/// The L2 maximisation as one sweep over entries `0..k` with strictly
/// increasing `value(i)` (each `<= c`) and `count(i)` items of that size
/// (zero allowed: `L(a)` is a valid bound for every `a`, and zero-count
/// entries are skipped as thresholds anyway).
///
/// As the threshold `a` grows through the sizes `<= c/2`, the J1 boundary
/// `c - a` only falls and the J3 boundary `a` only rises, so two cursors
/// keep `|J1|`, `sum J1` and `sum` of sizes `< a` up to date: `O(k)` in all,
/// where the former version did three binary searches per size.
///
/// No division per threshold: `L(a) = ceil(y(a) / c)` with
/// `y(a) = (|J1| + |J2|) c + max(0, sum J3 - free J2)`, and `ceil(. / c)` is
/// monotone, so `max_a L(a) = ceil(max_a y(a) / c)` exactly; the sweep keeps
/// the largest `y` (in `u128`, which no input overflows) and divides once.
/// A 64-bit division per size was most of the sweep's time.
fn l2_sweep(k: usize, value: impl Fn(usize) -> u64, count: impl Fn(usize) -> u64, c: u32) -> u64 {
    let c64 = c as u64;
    let half = c64 / 2;
    // Entries `< split` are `<= c/2`, the rest `> c/2` (binary search: the
    // values increase).
    let (mut split, mut hi) = (0, k);
    while split < hi {
        let mid = (split + hi) / 2;
        if value(mid) > half {
            hi = mid;
        } else {
            split = mid + 1;
        }
    }
    let (mut n_hi, mut s_hi, mut s_lo) = (0u64, 0u64, 0u64);
    for i in 0..k {
        let (v, n) = (value(i), count(i));
        if i < split {
            s_lo += n * v;
        } else {
            n_hi += n;
            s_hi += n * v;
        }
    }
    if n_hi == 0 {
        // No size above c/2: J1 and J2 are empty for every threshold and
        // sum J3 only shrinks as `a` grows, so L(0) = L1 is the maximum.
        // The usual case for LLM lengths; saves the sweep.
        return s_lo.div_ceil(c64);
    }
    // J1 = entries `top..k` (sizes > c - a); `below` = sum of sizes < a.
    let (mut top, mut n1, mut s1, mut below) = (k, 0u64, 0u64, 0u64);
    let mut eval = |a: u64, below: u64| -> u128 {
        while top > split && value(top - 1) > c64 - a {
            top -= 1;
            n1 += count(top);
            s1 += count(top) * value(top);
        }
        let (n2, s2) = (n_hi - n1, s_hi - s1);
        let s3 = s_lo - below;
        let free_in_j2 = (n2 * c64).saturating_sub(s2); // sizes above c only if the input changed
        (n1 + n2) as u128 * c64 as u128 + s3.saturating_sub(free_in_j2) as u128
    };
    let mut best = eval(0, 0);
    for i in 0..split {
        let (v, n) = (value(i), count(i));
        if n > 0 && v > 0 {
            best = best.max(eval(v, below));
        }
        below += n * v;
    }
    best.div_ceil(c64 as u128) as u64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn l2_examples() {
        // Three items of 6 in bins of 10: L1 = 2, but no two fit together, L2 = 3.
        assert_eq!(l2_bound(&[6, 6, 6], 10), 3);
        // Two 6s and two 4s: L1 = 2 and 6+4 pairs fit, L2 = 2.
        assert_eq!(l2_bound(&[6, 6, 4, 4], 10), 2);
        // 7, 7 and four 3s: 3s fit only one per 7 (7+3=10), the other two 3s need a bin.
        assert_eq!(l2_bound(&[7, 7, 3, 3, 3, 3], 10), 3);
        assert_eq!(l2_bound(&[], 10), 0);
        assert_eq!(l2_bound(&[1], u32::MAX), 1);
    }

    /// Independent L2: every integer threshold `a` in `0..=c/2` (not only the
    /// distinct sizes), each `L(a)` computed straight from the definition by
    /// filtering the items. Quadratic-ish; for small inputs only.
    fn brute_force_l2(lengths: &[u32], c: u32) -> u64 {
        let c = c as u64;
        let mut best = 0;
        for a in 0..=c / 2 {
            let j1 = lengths.iter().filter(|&&l| l as u64 > c - a).count() as u64;
            let j2: Vec<u64> = lengths
                .iter()
                .map(|&l| l as u64)
                .filter(|&l| l > c / 2 && l <= c - a)
                .collect();
            let s3: u64 = lengths
                .iter()
                .map(|&l| l as u64)
                .filter(|&l| l >= a && l <= c / 2)
                .sum();
            let free = j2.len() as u64 * c - j2.iter().sum::<u64>();
            let extra = if s3 > free {
                (s3 - free).div_ceil(c)
            } else {
                0
            };
            best = best.max(j1 + j2.len() as u64 + extra);
        }
        best
    }

    proptest::proptest! {
        #[test]
        fn l2_equals_brute_force(c in 1u32..400, raw in proptest::collection::vec(proptest::prelude::any::<u32>(), 0..120), skew in 0u32..3) {
            // skew 0: anything; 1: mostly large (J1/J2 heavy); 2: mostly small.
            let lengths: Vec<u32> = raw.iter().map(|&x| match skew {
                0 => 1 + x % c,
                1 => c - (x % c.div_ceil(3)),
                _ => 1 + x % c.div_ceil(4),
            }).collect();
            let want = brute_force_l2(&lengths, c);
            proptest::prop_assert_eq!(l2_bound(&lengths, c), want);
            // The sort path (as for a huge, sparse length range) agrees too.
            let max = lengths.iter().copied().max().unwrap_or(0);
            if !lengths.is_empty() {
                proptest::prop_assert_eq!(l2_sorted(&lengths, c), want);
                let mut hist = vec![0u32; max as usize + 1];
                for &l in &lengths { hist[l as usize] += 1; }
                proptest::prop_assert_eq!(l2_from_histogram(&hist, c), want);
                // The profiles the sorts hand over: histogram and sorted sizes.
                let sizes = LengthProfile::from_sorted(lengths.iter().copied().collect::<std::collections::BTreeSet<u32>>().into_iter().flat_map(|v| std::iter::repeat_n(v, hist[v as usize] as usize)), true);
                proptest::prop_assert_eq!(sizes.l2_bound(c), Some(want));
                proptest::prop_assert_eq!(LengthProfile::Histogram(hist).l2_bound(c), Some(want));
            }
        }
    }

    #[test]
    fn l2_huge_sparse_lengths_take_the_sort_path() {
        // max_len far above n (no histogram): sorted distinct sizes, same bound as brute force
        // on a scaled-down copy (scaling every size and c by the same factor
        // preserves every J-set and every ceiling).
        let small = [7u32, 7, 3, 3, 3, 3, 6, 1, 9, 5];
        let k = 100_000u32;
        let big: Vec<u32> = small.iter().map(|&l| l * k).collect();
        assert_eq!(l2_bound(&big, 10 * k), brute_force_l2(&small, 10));
    }

    #[test]
    fn summary_is_population() {
        let s = Summary::of([1.0, 3.0].into_iter());
        assert_eq!((s.mean, s.std, s.min, s.max), (2.0, 1.0, 1.0, 3.0));
        let s = Summary::of_integers([1, 3].into_iter(), 2.0);
        assert_eq!((s.mean, s.std, s.min, s.max), (1.0, 0.5, 0.5, 1.5));
        assert_eq!(
            Summary::of_integers([].into_iter(), 1.0),
            Summary::default()
        );
    }

    proptest::proptest! {
        /// The integer form against the floating-point definition, including
        /// values near `u32::MAX` (where `x^2` needs 64 bits and the sums more).
        #[test]
        fn integer_summary_matches_float_summary(
            raw in proptest::collection::vec(proptest::prelude::any::<u32>(), 1..200),
            big in proptest::prelude::any::<bool>(),
            scale in 1u32..5000,
        ) {
            let values: Vec<u32> = raw.iter().map(|&x| if big { u32::MAX - x % 1000 } else { x % 5000 }).collect();
            let want = Summary::of(values.iter().map(|&v| v as f64 / scale as f64));
            let got = Summary::of_integers(values.iter().copied(), scale as f64);
            proptest::prop_assert_eq!((got.min, got.max), (want.min, want.max));
            let close = |a: f64, b: f64| (a - b).abs() <= 1e-12 * b.abs().max(1.0);
            proptest::prop_assert!(close(got.mean, want.mean), "mean {} vs {}", got.mean, want.mean);
            // Relative to the mean: the float form's own cancellation error
            // is of that order when the values are nearly equal.
            proptest::prop_assert!((got.std - want.std).abs() <= 1e-6 * want.mean.max(1e-300) + 1e-9, "std {} vs {}", got.std, want.std);
        }
    }
}
