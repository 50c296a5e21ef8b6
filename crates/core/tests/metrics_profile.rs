//! The metrics computed from a packing's own view of the lengths (the
//! counting sort's histogram, the radix sort's sorted sizes) must equal the
//! metrics computed by reading the input, field for field, for every
//! strategy, and the profile itself must describe the input exactly.
mod common;

use common::{request_with, Lcg, Opts};
use proptest::prelude::*;
use seqpack_core::metrics::LengthProfile;
use seqpack_core::{algorithms, pack, Control, Metrics};
use std::collections::BTreeMap;

/// Every strategy with one capacity for all bins (the heterogeneous ones
/// bound by L1 and take no profile), with the options they need.
const STRATEGIES: &[(&str, Opts)] = &[
    ("nf", |b| b),
    ("ff", |b| b),
    ("bf", |b| b),
    ("wf", |b| b),
    ("ffd", |b| b),
    ("bfd", |b| b),
    ("ffs", |b| b),
    ("mffd", |b| b),
    ("obfd", |b| b),
    ("obfdp", |b| b.threads(3)),
    ("ogbfd", |b| b.group_size(2)),
    ("ogbfdp", |b| b.group_size(3).threads(2)),
];

/// Strategies that sort by decreasing length and so must hand a profile over.
const SORTING: &[&str] = &["ffd", "bfd", "mffd", "obfd", "obfdp", "ogbfd", "ogbfdp"];

/// The multiset of `lengths` as (length, count), counted here independently.
fn multiset(lengths: &[u32]) -> Vec<(u32, u32)> {
    let mut m = BTreeMap::new();
    for &l in lengths {
        *m.entry(l).or_insert(0u32) += 1;
    }
    m.into_iter().collect()
}

/// The profile as (length, count) pairs with a non-zero count.
fn profile_multiset(p: &LengthProfile) -> Option<Vec<(u32, u32)>> {
    match p {
        LengthProfile::Unknown => None,
        LengthProfile::Histogram(h) => Some(
            h.iter()
                .enumerate()
                .filter(|&(_, &c)| c > 0)
                .map(|(v, &c)| (v as u32, c))
                .collect(),
        ),
        LengthProfile::Sizes(s) => Some(s.clone()),
    }
}

fn check(lengths: &[u32], capacity: u32) -> Result<(), TestCaseError> {
    let ctl = Control::none();
    let max = lengths.iter().copied().max().unwrap_or(0);
    for &(name, opts) in STRATEGIES {
        let req = request_with(name, capacity, opts);
        let workers = algorithms::workers_for(&req, lengths.len());
        let (packing, profile) =
            algorithms::run_profiled(lengths, &req, max, &workers, &ctl).unwrap();
        if SORTING.contains(&name) {
            prop_assert_eq!(
                profile_multiset(&profile),
                Some(multiset(lengths)),
                "{} profile",
                name
            );
            if let LengthProfile::Histogram(h) = &profile {
                prop_assert_eq!(h.len(), max as usize + 1, "{} histogram width", name);
            }
        }
        let read = Metrics::compute_known_max(&packing, lengths, capacity, max, &workers);
        let reused =
            Metrics::compute_profiled(&packing, lengths, capacity, max, &workers, &profile);
        prop_assert_eq!(&reused, &read, "{} metrics", name);
        // `pack` goes through the profile; its numbers are the same too.
        let out = pack(lengths, &req, &ctl).unwrap();
        prop_assert_eq!(&out.metrics, &read, "{} pack metrics", name);
        // And the profile's bound equals the sequential read of the input.
        if let Some(l2) = profile.l2_bound(capacity) {
            prop_assert_eq!(l2, seqpack_core::metrics::l2_bound(lengths, capacity));
        }
    }
    Ok(())
}

proptest! {
    /// Small capacities: the histogram paths (counting sort, run engine).
    #[test]
    fn histogram_path_equals_reading_the_input(
        cap in 1u32..700,
        raw in prop::collection::vec(any::<u32>(), 1..300),
        full in any::<bool>(),
    ) {
        let mut lengths: Vec<u32> = raw.iter().map(|&x| 1 + x % cap).collect();
        if full {
            let at = raw[0] as usize % lengths.len();
            lengths[at] = cap; // max length = C
        }
        check(&lengths, cap)?;
    }

    /// Capacities up to 2^31 and beyond with lengths over the whole range
    /// (the sort paths: comparison sort below 4096 items), max length = C
    /// half the time, and a few distinct values so sizes repeat.
    #[test]
    fn sorted_sizes_path_equals_reading_the_input(
        shift in 20u32..=32,
        raw in prop::collection::vec(any::<u32>(), 1..200),
        distinct in 1u32..40,
        full in any::<bool>(),
    ) {
        let cap = if shift == 32 { u32::MAX } else { 1u32 << shift };
        let mut lengths: Vec<u32> = raw
            .iter()
            .map(|&x| {
                let v = (x % distinct) as u64 + 1;
                (v * cap as u64 / distinct as u64).max(1) as u32
            })
            .collect();
        if full {
            lengths[0] = cap;
        }
        check(&lengths, cap)?;
    }
}

/// The radix-sort path (at least 4096 items, a length range too wide for a
/// histogram) and the histogram path with a huge capacity, each against
/// reading the input.
#[test]
fn large_inputs_on_every_sort_path_agree() {
    let mut rng = Lcg(7);
    for &(n, cap, lo, hi) in &[
        (6_000usize, 1u32 << 31, 1u32 << 23, 1u32 << 31), // radix path, max = C possible
        (6_000, u32::MAX, 1, u32::MAX),                   // radix path, all 3 digits
        (20_000, 1 << 31, 1, 50_000),                     // histogram path, sparse index
        (20_000, 4096, 16, 4096),                         // histogram path, dense index
    ] {
        let mut lengths: Vec<u32> = (0..n)
            .map(|_| lo + (rng.next() % (hi as u64 - lo as u64 + 1)) as u32)
            .collect();
        lengths[n / 2] = hi.min(cap);
        check(&lengths, cap).unwrap();
    }
}
