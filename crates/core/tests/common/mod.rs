//! Shared helpers for the core's integration tests: request builders, a
//! reference (quadratic, obviously correct) any-fit packer, and checks.
#![allow(dead_code)]

use seqpack_core::{
    pack, Control, ErrorKind, Outcome, PackError, Request, RequestBuilder, Strategy,
};

/// Options set on a request builder, e.g. `|b| b.threads(2)`.
pub type Opts = fn(RequestBuilder) -> RequestBuilder;

pub fn strategy(name: &str) -> Strategy {
    name.parse().unwrap()
}

pub fn request(name: &str, capacity: u32) -> Request {
    Request::new(strategy(name), capacity).unwrap()
}

pub fn request_with(
    name: &str,
    capacity: u32,
    opts: impl FnOnce(RequestBuilder) -> RequestBuilder,
) -> Request {
    opts(Request::builder(strategy(name)).capacity(capacity))
        .build()
        .unwrap()
}

pub fn run(strategy: &str, lengths: &[u32], capacity: u32) -> Outcome {
    pack(lengths, &request(strategy, capacity), &Control::none()).unwrap()
}

/// Bins as vectors of input indices.
pub fn bins_of(o: &Outcome) -> Vec<Vec<u32>> {
    o.packing.bins().map(|b| b.to_vec()).collect()
}

/// Indices by decreasing length, ties by ascending index.
pub fn decreasing(lengths: &[u32]) -> Vec<u32> {
    let mut idx: Vec<u32> = (0..lengths.len() as u32).collect();
    idx.sort_by_key(|&i| std::cmp::Reverse(lengths[i as usize]));
    idx
}

#[derive(Clone, Copy, PartialEq)]
pub enum Fit {
    First,
    Best,
    Worst,
}

/// Reference any-fit by linear scan over all bins, O(n * bins).
/// Ties for best/worst fit go to the bin that reached its remaining value last.
pub fn reference_any_fit(lengths: &[u32], order: &[u32], capacity: u32, fit: Fit) -> Vec<Vec<u32>> {
    let mut bins: Vec<Vec<u32>> = Vec::new();
    let mut rem: Vec<u32> = Vec::new();
    let mut stamp: Vec<usize> = Vec::new();
    for (t, &i) in order.iter().enumerate() {
        let len = lengths[i as usize];
        let fits = (0..bins.len()).filter(|&b| rem[b] >= len);
        let chosen = match fit {
            Fit::First => fits.min(),
            Fit::Best => fits.min_by_key(|&b| (rem[b], std::cmp::Reverse(stamp[b]))),
            Fit::Worst => fits.max_by_key(|&b| (rem[b], stamp[b])),
        };
        let b = chosen.unwrap_or_else(|| {
            bins.push(Vec::new());
            rem.push(capacity);
            stamp.push(0);
            bins.len() - 1
        });
        bins[b].push(i);
        rem[b] -= len;
        stamp[b] = t;
    }
    bins
}

/// Every item exactly once, no bin over capacity, loads consistent, and the
/// bin count at least the lower bounds.
pub fn assert_valid(o: &Outcome, lengths: &[u32], capacity: u32) {
    o.packing.verify(lengths, capacity).unwrap();
    let total: u64 = lengths.iter().map(|&l| l as u64).sum();
    assert_eq!(o.metrics.total_tokens, total);
    assert!(o.metrics.num_bins as u64 >= total.div_ceil(capacity as u64));
    assert!(o.metrics.num_bins as u64 >= o.metrics.lower_bound_l2);
    assert!(o.metrics.lower_bound_l2 >= o.metrics.lower_bound_l1);
}

/// A deterministic pseudo-random length generator for tests (SplitMix64).
pub struct Lcg(pub u64);
impl Lcg {
    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    /// Uniform in `0..n` (modulo bias below `n / 2^64`, irrelevant to tests).
    pub fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    pub fn lengths(&mut self, n: usize, lo: u32, hi: u32) -> Vec<u32> {
        (0..n)
            .map(|_| lo + (self.next() % (hi - lo + 1) as u64) as u32)
            .collect()
    }
}

/// Packs with explicit options.
pub fn run_with(
    name: &str,
    lengths: &[u32],
    capacity: u32,
    opts: impl FnOnce(RequestBuilder) -> RequestBuilder,
) -> Outcome {
    pack(
        lengths,
        &request_with(name, capacity, opts),
        &Control::none(),
    )
    .unwrap()
}

/// The error the builder gives for these options (capacity 100).
pub fn option_error(
    name: &str,
    opts: impl FnOnce(RequestBuilder) -> RequestBuilder,
) -> seqpack_core::PackError {
    opts(Request::builder(strategy(name)).capacity(100))
        .build()
        .unwrap_err()
}

/// An instance whose optimum is known by construction: `bins` bins of
/// `capacity`, each cut at random points into 1..=`max_pieces` pieces (every
/// piece >= 1), shuffled. Every bin is exactly full, so OPT = `bins`.
pub fn exactly_full_bins(rng: &mut Lcg, bins: usize, capacity: u32, max_pieces: u32) -> Vec<u32> {
    let mut out = Vec::new();
    for _ in 0..bins {
        let pieces = 1 + (rng.next() % max_pieces.min(capacity) as u64) as u32;
        // `pieces - 1` distinct cut points in 1..capacity.
        let mut cuts: Vec<u32> = Vec::new();
        while cuts.len() < (pieces - 1) as usize {
            let c = 1 + (rng.next() % (capacity as u64 - 1)) as u32;
            if !cuts.contains(&c) {
                cuts.push(c);
            }
        }
        cuts.sort_unstable();
        let mut prev = 0;
        for c in cuts.into_iter().chain([capacity]) {
            out.push(c - prev);
            prev = c;
        }
    }
    for i in (1..out.len()).rev() {
        let j = (rng.next() % (i as u64 + 1)) as usize;
        out.swap(i, j);
    }
    out
}

/// Documents as flat tokens and `num_docs + 1` offsets, the layout `Docs` borrows.
pub fn flat(docs: &[Vec<i32>]) -> (Vec<i32>, Vec<u32>) {
    let mut tokens = Vec::new();
    let mut offsets = vec![0u32];
    for d in docs {
        tokens.extend_from_slice(d);
        offsets.push(tokens.len() as u32);
    }
    (tokens, offsets)
}

/// Asserts an error's kind, index and shown value in one comparison.
pub fn assert_error(e: &PackError, kind: ErrorKind, index: Option<usize>, value: Option<&str>) {
    assert_eq!(
        (e.kind, e.index, e.value.as_deref()),
        (kind, index, value),
        "{e}"
    );
}
