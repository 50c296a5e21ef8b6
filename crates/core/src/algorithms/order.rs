//! Item orders shared by the offline algorithms.

use crate::metrics::LengthProfile;

/// Input indices by decreasing length; equal lengths keep ascending index
/// (the tie-break of seqpacker and LightBinPack, which makes BFD and OBFD agree bin for bin).
///
/// Counting sort, `O(n + max_len)`, when `max_len` is small next to `n`
/// (the usual case: lengths are bounded by a context size); otherwise a
/// comparison sort of packed `(!len, index)` keys, `O(n log n)`, so a huge
/// capacity with few items never pays for a huge histogram.
///
/// Always a permutation of `0..n`, even when `max_len` is wrong or the
/// lengths change between the counting sort's two reads: lengths outside
/// `1..=max_len` go to an overflow bucket, every write is bounded by its
/// length's segment, and any mismatch falls back to the comparison sort,
/// which reads each length once (see [`guard`](crate::guard)).
pub fn decreasing(lengths: &[u32], max_len: u32) -> Vec<u32> {
    sort_decreasing(lengths, max_len, false, false).order
}

/// [`decreasing`] together with the multiset of lengths it sorted, for the
/// metrics ([`LengthProfile`]): the counting sort's histogram, or the
/// distinct sizes read off the sorted keys (one extra sequential pass over
/// them, where the metrics would otherwise sort the input again).
///
/// The profile is taken from the very values that were sorted, so it
/// describes the order exactly even if `lengths` changes meanwhile.
pub fn decreasing_profiled(lengths: &[u32], max_len: u32) -> (Vec<u32>, LengthProfile) {
    let s = sort_decreasing(lengths, max_len, true, false);
    (s.order, s.profile)
}

/// An order of [`decreasing`] with what the sort learned on the way.
pub struct Sorted {
    /// Input indices by decreasing length, ties by ascending index.
    pub order: Vec<u32>,
    /// `ordered[k]` is the length of item `order[k]`, as the sort read it.
    pub ordered: Vec<u32>,
    /// The multiset of those lengths.
    pub profile: LengthProfile,
}

/// [`decreasing_profiled`] plus the lengths in processing order, read off
/// the sort (the radix keys hold them; the counting sort's histogram
/// expands to them) instead of gathered from the input at random: on a
/// million items spread over a wide range that gather missed the cache on
/// almost every item.
pub fn decreasing_sorted(lengths: &[u32], max_len: u32) -> Sorted {
    sort_decreasing(lengths, max_len, true, true)
}

/// The sort; with `profile` also the profile (else `Unknown`), with
/// `gather` also the ordered lengths (else empty).
fn sort_decreasing(lengths: &[u32], max_len: u32, profile: bool, gather: bool) -> Sorted {
    let n = lengths.len();
    if histogram_pays(n, max_len) {
        if let Some((order, hist)) = counting_decreasing(lengths, max_len, profile || gather) {
            let Some(hist) = hist else {
                return Sorted {
                    order,
                    ordered: Vec::new(),
                    profile: LengthProfile::Unknown,
                };
            };
            let mut ordered = Vec::with_capacity(if gather { n } else { 0 });
            if gather {
                for (v, &c) in hist.iter().enumerate().rev() {
                    ordered.extend(std::iter::repeat_n(v as u32, c as usize));
                }
            }
            return Sorted {
                order,
                ordered,
                profile: LengthProfile::Histogram(hist),
            };
        }
    }
    let keys = if n >= RADIX_MIN_ITEMS {
        radix_decreasing(lengths)
    } else {
        let mut keys = keys_of(lengths);
        keys.sort_unstable();
        keys
    };
    let len_of = |k: &u64| !((*k >> 32) as u32);
    let ordered: Vec<u32> = match gather {
        true => keys.iter().map(len_of).collect(),
        false => Vec::new(),
    };
    let sizes = match profile {
        true => LengthProfile::from_sorted(keys.iter().map(len_of), false),
        false => LengthProfile::Unknown,
    };
    Sorted {
        order: keys.into_iter().map(|k| k as u32).collect(),
        ordered,
        profile: sizes,
    }
}

/// Sort keys `(!len, index)`: ascending keys are decreasing lengths, equal
/// lengths by ascending index.
fn keys_of(lengths: &[u32]) -> Vec<u64> {
    lengths
        .iter()
        .enumerate()
        .map(|(i, &l)| ((!l as u64) << 32) | i as u64)
        .collect()
}

/// The counting sort of [`decreasing`], or `None` if the lengths disagree
/// with `max_len` or changed between its two passes. With `profile`, also
/// the histogram (`max_len + 1` slots) it sorted by.
fn counting_decreasing(
    lengths: &[u32],
    max_len: u32,
    profile: bool,
) -> Option<(Vec<u32>, Option<Vec<u32>>)> {
    let n = lengths.len();
    // Bucket `max_len + 1` collects lengths above `max_len`; with bucket 0
    // it must stay empty.
    let top = max_len as usize + 1;
    let bucket = |l: u32| (l as usize).min(top);
    // seg[v] = [next slot, end] of length v's segment, longest first.
    let mut seg = vec![[0u32; 2]; top + 1];
    for &l in lengths {
        seg[bucket(l)][1] += 1;
    }
    if seg[0][1] != 0 || seg[top][1] != 0 {
        return None;
    }
    let mut pos = 0u32;
    for v in (0..top).rev() {
        let c = seg[v][1];
        seg[v] = [pos, pos + c];
        pos += c;
    }
    let mut order = vec![0u32; n];
    for (i, &l) in lengths.iter().enumerate() {
        let s = &mut seg[bucket(l)];
        if s[0] == s[1] {
            return None; // more items of this length than counted
        }
        order[s[0] as usize] = i as u32;
        s[0] += 1;
    }
    // n writes, none past its segment's end: every segment is exactly full,
    // so every slot was written once.
    // Segments are laid out longest first from slot 0, so length `v`'s
    // segment starts where that of `v + 1` ends (the empty overflow bucket
    // `top` ends at 0).
    let hist = profile.then(|| (0..top).map(|v| seg[v][1] - seg[v + 1][1]).collect());
    Some((order, hist))
}

/// Below this many items a comparison sort beats the radix sort's fixed
/// cost (one count array of up to 4096 entries per pass).
const RADIX_MIN_ITEMS: usize = 4096;

/// The sorted keys (see [`keys_of`]) of [`decreasing`] for a length range
/// too wide for one histogram: an LSD
/// radix sort of `(!len, index)` keys, three passes of 11 bits, `O(n)`
/// each; a pass whose digit every key shares (the high bits when lengths are
/// below 2^22) is skipped after its count. Each length is read once, so the
/// result is a permutation whatever `max_len` said. Each pass is a stable counting sort on one digit, and the keys
/// start in index order, so equal lengths keep ascending index: the same
/// order as the comparison sort, without its `log n` (on a million lengths
/// up to 2^22 it replaces a sort of ~40 ns/item by two linear passes).
fn radix_decreasing(lengths: &[u32]) -> Vec<u64> {
    let n = lengths.len();
    let (passes, digit) = (3u32, 11u32);
    let mask = (1u64 << digit) - 1;
    let mut a = keys_of(lengths);
    let mut b = vec![0u64; n];
    let mut count = vec![0u32; 1 << digit];
    for p in 0..passes {
        let shift = 32 + p * digit;
        count.fill(0);
        for &x in &a {
            count[((x >> shift) & mask) as usize] += 1;
        }
        // A digit shared by every key leaves the order as it is.
        if count.iter().any(|&c| c as usize == n) {
            continue;
        }
        let mut sum = 0u32;
        for c in count.iter_mut() {
            let t = *c;
            *c = sum;
            sum += t;
        }
        for &x in &a {
            let slot = &mut count[((x >> shift) & mask) as usize];
            b[*slot as usize] = x;
            *slot += 1;
        }
        std::mem::swap(&mut a, &mut b);
    }
    a
}

/// Whether a histogram over `0..=max_len` is cheap next to `n` items: then
/// counting sorts beat comparison sorts. The slack is small (at most 1024
/// entries, 4 KiB, and at most 16 per item) on purpose: a call with 16 items
/// and lengths up to 4096 would otherwise clear and sweep a 4096-entry
/// histogram per pass, several times the cost of sorting 16 items, which
/// dominated small calls; even 513 entries for lengths up to 512 cost ten
/// times the sort.
#[inline]
pub fn histogram_pays(n: usize, max_len: u32) -> bool {
    (max_len as usize) <= 4 * n + (16 * n).min(1024)
}

/// Input indices in input order (the online algorithms).
pub fn identity(n: usize) -> Vec<u32> {
    (0..n as u32).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_paths_agree_and_are_stable() {
        let lengths = [5, 9, 5, 1, 9, 3];
        let want = vec![1, 4, 0, 2, 5, 3];
        assert_eq!(decreasing(&lengths, 9), want);
        let big: Vec<u32> = lengths.iter().map(|&l| l * 100_000).collect();
        assert_eq!(decreasing(&big, 900_000), want); // comparison path
    }

    /// The radix path (many items, a range too wide for a histogram) against
    /// a stable comparison sort written here, for ranges needing 1, 2 and 3
    /// digit passes, with many ties.
    #[test]
    fn radix_path_matches_a_stable_sort() {
        let mut state = 0x9e37_79b9_7f4a_7c15u64;
        let mut next = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        for &(n, max) in &[
            (5_000usize, 40_000u32),
            (20_000, 1 << 22),
            (9_000, u32::MAX),
            (6_000, 1 << 24),
        ] {
            // Few distinct values (ties) half the time.
            let distinct = if n % 2 == 0 { 50 } else { u32::MAX };
            let lengths: Vec<u32> = (0..n)
                .map(|_| {
                    let v = (next() % distinct.min(max) as u64) as u32;
                    1 + (v as u64 * (max as u64 - 1) / distinct.min(max).max(1) as u64) as u32
                })
                .collect();
            let max_len = *lengths.iter().max().unwrap();
            assert!(!histogram_pays(n, max_len), "must take the wide-range path");
            let mut want: Vec<u32> = (0..n as u32).collect();
            want.sort_by(|&a, &b| lengths[b as usize].cmp(&lengths[a as usize]));
            assert_eq!(decreasing(&lengths, max_len), want, "n={n} max={max}");
        }
    }

    #[test]
    fn wrong_max_len_still_gives_a_permutation() {
        let lengths = [5, 9, 5, 1, 9, 3, 0];
        let want = vec![1, 4, 0, 2, 5, 3, 6];
        for max in [0, 1, 4, 8, 9, 100] {
            assert_eq!(decreasing(&lengths, max), want, "max_len {max}");
        }
    }
}
