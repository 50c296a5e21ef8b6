//! Item orders shared by the offline algorithms.

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
    let n = lengths.len();
    if histogram_pays(n, max_len) {
        if let Some(order) = counting_decreasing(lengths, max_len) {
            return order;
        }
    }
    let mut keys: Vec<u64> = lengths
        .iter()
        .enumerate()
        .map(|(i, &l)| ((!l as u64) << 32) | i as u64)
        .collect();
    keys.sort_unstable();
    keys.into_iter().map(|k| k as u32).collect()
}

/// The counting sort of [`decreasing`], or `None` if the lengths disagree
/// with `max_len` or changed between its two passes.
fn counting_decreasing(lengths: &[u32], max_len: u32) -> Option<Vec<u32>> {
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
    Some(order)
}

/// Whether a histogram over `0..=max_len` is cheap next to `n` items: then
/// counting sorts beat comparison sorts.
#[inline]
pub fn histogram_pays(n: usize, max_len: u32) -> bool {
    (max_len as usize) <= 4 * n + 65_536
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

    #[test]
    fn wrong_max_len_still_gives_a_permutation() {
        let lengths = [5, 9, 5, 1, 9, 3, 0];
        let want = vec![1, 4, 0, 2, 5, 3, 6];
        for max in [0, 1, 4, 8, 9, 100] {
            assert_eq!(decreasing(&lengths, max), want, "max_len {max}");
        }
    }
}
