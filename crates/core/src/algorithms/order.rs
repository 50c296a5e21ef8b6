//! Item orders shared by the offline algorithms.

/// Input indices by decreasing length; equal lengths keep ascending index
/// (the tie-break of seqpacker and LightBinPack, which makes BFD and OBFD agree bin for bin).
///
/// Counting sort, `O(n + max_len)`, when `max_len` is small next to `n`
/// (the usual case: lengths are bounded by a context size); otherwise a
/// comparison sort of packed `(!len, index)` keys, `O(n log n)`, so a huge
/// capacity with few items never pays for a huge histogram.
pub fn decreasing(lengths: &[u32], max_len: u32) -> Vec<u32> {
    let n = lengths.len();
    if histogram_pays(n, max_len) {
        // count[v] = how many items have length v; then turn counts into the
        // first output slot of each length, longest first.
        let mut start = vec![0u32; max_len as usize + 1];
        for &l in lengths {
            start[l as usize] += 1;
        }
        let mut pos = 0u32;
        for v in (0..=max_len as usize).rev() {
            let c = start[v];
            start[v] = pos;
            pos += c;
        }
        let mut order = vec![0u32; n];
        for (i, &l) in lengths.iter().enumerate() {
            let slot = &mut start[l as usize];
            order[*slot as usize] = i as u32;
            *slot += 1;
        }
        order
    } else if n >= RADIX_MIN_ITEMS {
        radix_decreasing(lengths, max_len)
    } else {
        let mut keys: Vec<u64> = lengths
            .iter()
            .enumerate()
            .map(|(i, &l)| ((!l as u64) << 32) | i as u64)
            .collect();
        keys.sort_unstable();
        keys.into_iter().map(|k| k as u32).collect()
    }
}

/// Below this many items a comparison sort beats the radix sort's fixed
/// cost (one count array of up to 4096 entries per pass).
const RADIX_MIN_ITEMS: usize = 4096;

/// [`decreasing`] for a length range too wide for one histogram: an LSD
/// radix sort of `(max_len - len, index)` keys, `O(p (n + 2^d))` for `p =
/// ceil(bits(max_len) / 12)` passes of `d <= 12` bits (at most 3 passes for
/// any `u32`). Each pass is a stable counting sort on one digit, and the keys
/// start in index order, so equal lengths keep ascending index: the same
/// order as the comparison sort, without its `log n` (on a million lengths
/// up to 2^22 it replaces a sort of ~40 ns/item by two linear passes).
fn radix_decreasing(lengths: &[u32], max_len: u32) -> Vec<u32> {
    let n = lengths.len();
    let bits = (32 - max_len.leading_zeros()).max(1);
    let passes = bits.div_ceil(12);
    let digit = bits.div_ceil(passes);
    let mask = (1u64 << digit) - 1;
    let mut a: Vec<u64> = lengths
        .iter()
        .enumerate()
        .map(|(i, &l)| (((max_len - l) as u64) << 32) | i as u64)
        .collect();
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
    a.into_iter().map(|k| k as u32).collect()
}

/// Whether a histogram over `0..=max_len` is cheap next to `n` items: then
/// counting sorts beat comparison sorts. The slack is small (1024 entries,
/// 4 KiB) on purpose: a call with 16 items and lengths up to 4096 would
/// otherwise clear and sweep a 4096-entry histogram per pass, several times
/// the cost of sorting 16 items, which dominated small calls.
#[inline]
pub fn histogram_pays(n: usize, max_len: u32) -> bool {
    (max_len as usize) <= 4 * n + 1024
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
}
