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
}
