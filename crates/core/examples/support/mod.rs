//! The examples' shared workload: what they measure must be the same input.
#![allow(dead_code)]

/// `n` lengths drawn uniformly from `lo..=hi` by a fixed-seed 64-bit LCG
/// (its high bits), so every run and every example sees the same input.
pub fn uniform(n: usize, lo: u64, hi: u64) -> Vec<u32> {
    let mut s = 42u64;
    (0..n)
        .map(|_| {
            s = s
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (lo + (s >> 33) % (hi - lo + 1)) as u32
        })
        .collect()
}

/// Reads `[N] [C]` from `args` (defaults 1,000,000 items, capacity 4096):
/// `N` [`uniform`] lengths in 16..=512 (the benchmarks' default workload),
/// capped at `C`, and `C`.
pub fn uniform_lengths(args: &mut impl Iterator<Item = String>) -> (Vec<u32>, u32) {
    let n: usize = args.next().map_or(1_000_000, |a| a.parse().expect("N"));
    let cap: u32 = args.next().map_or(4096, |a| a.parse().expect("C"));
    let mut lengths = uniform(n, 16, 512);
    for l in &mut lengths {
        *l = (*l).min(cap);
    }
    (lengths, cap)
}
