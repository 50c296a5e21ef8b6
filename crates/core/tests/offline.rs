mod common;
use common::*;
use proptest::prelude::*;
use seqpack_core::algorithms::offline::{shuffled, sorted_decreasing, Pcg32, SizeClass};
use seqpack_core::{pack, Control, ErrorKind, OptionName, RequestBuilder, Strategy};

const OFFLINE: [&str; 4] = ["ffd", "bfd", "ffs", "mffd"];

fn seed(v: u64) -> impl FnOnce(RequestBuilder) -> RequestBuilder {
    move |b| b.seed(v)
}

/// 71/60 OPT + 1, in integers: bins * 60 <= 71 * opt + 60.
fn within_mffd_bound(bins: usize, opt: usize) -> bool {
    bins * 60 <= 71 * opt + 60
}

#[test]
fn ffd_and_bfd_golden() {
    // C = 10. Decreasing: 6(1) 6(2) 5(4) 3(0) 2(3).
    // FFD: 6->b0(4) 6->b1(4) 5->b2(5) 3->b0(1) 2->b1(2).
    // BFD: same until 3: bins 0 and 1 both have 4 left, the tie goes to the one
    // that reached 4 last (b1); then 2 -> b0 (4 left, tighter than b2's 5).
    let lengths = [3, 6, 6, 2, 5];
    assert_eq!(
        bins_of(&run("ffd", &lengths, 10)),
        vec![vec![1, 0], vec![2, 3], vec![4]]
    );
    assert_eq!(
        bins_of(&run("bfd", &lengths, 10)),
        vec![vec![1, 3], vec![2, 0], vec![4]]
    );
    // A perfect packing found by both: 8+2, 7+3, 5+4+1.
    let lengths = [2, 5, 4, 7, 1, 3, 8];
    let want = vec![vec![6, 0], vec![3, 5], vec![1, 2, 4]];
    assert_eq!(bins_of(&run("ffd", &lengths, 10)), want);
    assert_eq!(bins_of(&run("bfd", &lengths, 10)), want);
}

#[test]
fn mffd_golden() {
    // C = 60: large > 30, medium (20, 30], small (10, 20], tiny <= 10.
    let lengths = [12, 45, 3, 25, 31, 16, 10, 36, 19, 11, 33, 14, 8];
    // Step 1, A-bins: b0 45 (15 left), b1 36 (24), b2 33 (27), b3 31 (29).
    // Step 2, forward: the only medium, 25, fits first in b2 (b0, b1 too small).
    // Step 3, backward over b3, b1, b0 (no medium). Smalls ascending 11 12 14 16 19.
    //   b3 (29): 11 + the largest small <= 18, which is 16 -> 2 left.
    //   b1 (24): 12 + 14 = 26 does not fit: skip.  b0: fewer than two candidates left.
    // Steps 4-5, FFD of 19 14 12 10 8 3 onto 15 24 2 2: 19->b1 (5), 14->b0 (1),
    //   12 opens b4, 10->b4, 8->b4, 3->b1.
    let o = run("mffd", &lengths, 60);
    assert_valid(&o, &lengths, 60);
    assert_eq!(
        bins_of(&o),
        vec![
            vec![1, 11],
            vec![7, 8, 2],
            vec![10, 3],
            vec![4, 9, 5],
            vec![0, 6, 12]
        ]
    );
}

#[test]
fn mffd_pairs_the_smallest_small_item_with_the_largest_that_fits() {
    // C = 100: two large items of 61 (39 left each), small items 20 19 19 18.
    // FFD fills the first bin with 20 + 19 and the second with 19 + 18.
    // MFFD step 3 goes backward: b1 takes the smallest (18, index 5) and the
    // largest that fits beside it (20 <= 39 - 18); b0 takes 19 (index 4, the
    // smallest taken in descending index on ties) and the other 19.
    let lengths = [61, 61, 20, 19, 19, 18];
    assert_eq!(
        bins_of(&run("ffd", &lengths, 100)),
        vec![vec![0, 2, 3], vec![1, 4, 5]]
    );
    assert_eq!(
        bins_of(&run("mffd", &lengths, 100)),
        vec![vec![0, 4, 3], vec![1, 5, 2]]
    );
}

#[test]
fn size_classes_are_exact() {
    let c = |l| SizeClass::of(l, 60);
    assert_eq!(
        [c(60), c(31), c(30), c(21), c(20), c(11), c(10), c(1)],
        [
            SizeClass::Large,
            SizeClass::Large,
            SizeClass::Medium,
            SizeClass::Medium,
            SizeClass::Small,
            SizeClass::Small,
            SizeClass::Tiny,
            SizeClass::Tiny
        ]
    );
    // No overflow at the top of the range.
    assert_eq!(SizeClass::of(u32::MAX, u32::MAX), SizeClass::Large);
    assert_eq!(SizeClass::of(u32::MAX / 2, u32::MAX), SizeClass::Medium);
}

#[test]
fn pcg32_stream_is_pinned() {
    // The reference implementation's demo (pcg32_srandom_r(42, 54)) prints these.
    let mut r = Pcg32::new(42);
    let got: Vec<u32> = (0..6).map(|_| r.next_u32()).collect();
    assert_eq!(
        got,
        vec![0xa15c02b7, 0x7b47f409, 0xba1d3330, 0x83d2f293, 0xbfa4784b, 0xcbed606e]
    );
}

#[test]
fn bounded_sampling_is_in_range_and_unbiased() {
    let mut r = Pcg32::new(7);
    assert!((0..1000).all(|_| r.below(1) == 0));
    // A bound just above 2^31 is the worst case for modulo bias (almost half the
    // values would be twice as likely); with rejection both halves are even.
    let bound = (1u32 << 31) + (1 << 30);
    let mut low = 0;
    let n = 200_000;
    for _ in 0..n {
        let x = r.below(bound);
        assert!(x < bound);
        if x < (1 << 30) {
            low += 1;
        }
    }
    // Uniform: P(x < 2^30) = 1/3; modulo reduction would give 1/2.
    let p = low as f64 / n as f64;
    assert!((p - 1.0 / 3.0).abs() < 0.01, "{p}");
    // Small bounds: every value about equally often.
    let mut counts = [0u32; 6];
    for _ in 0..60_000 {
        counts[r.below(6) as usize] += 1;
    }
    assert!(
        counts.iter().all(|&c| (9_500..10_500).contains(&c)),
        "{counts:?}"
    );
}

#[test]
fn shuffle_is_a_pinned_permutation() {
    // Regression pin, cross-checked against an independent Python port of PCG32 +
    // Lemire + Fisher-Yates. Derived from the pinned stream above; changing the
    // shuffle would change every user's FFS packing for a given seed.
    assert_eq!(shuffled(10, 42), vec![0, 7, 1, 2, 9, 8, 3, 5, 4, 6]);
    for n in [0, 1, 2, 1000] {
        let mut s = shuffled(n, 3);
        s.sort_unstable();
        assert_eq!(s, (0..n as u32).collect::<Vec<_>>());
    }
}

#[test]
fn ffs_is_deterministic_and_seed_dependent() {
    let lengths = Lcg(11).lengths(50_000, 16, 512);
    let a = run_with("ffs", &lengths, 2048, seed(1234));
    let b = run_with("ffs", &lengths, 2048, seed(1234));
    let c = run_with("ffs", &lengths, 2048, seed(1235));
    assert_valid(&a, &lengths, 2048);
    assert_valid(&c, &lengths, 2048);
    assert_eq!(a.packing, b.packing);
    assert_ne!(a.packing.items, c.packing.items);
    // Default seed is 42.
    assert_eq!(
        run("ffs", &lengths, 2048).packing,
        run_with("ffs", &lengths, 2048, seed(42)).packing
    );
    // Largest seed accepted (2^53 - 1) works.
    let big = run_with("ffs", &lengths[..100], 2048, seed(9_007_199_254_740_991));
    assert_valid(&big, &lengths[..100], 2048);
}

#[test]
fn ffs_equals_first_fit_on_the_shuffled_order() {
    let lengths = Lcg(5).lengths(1500, 1, 900);
    for s in [0u64, 42, 99] {
        let o = run_with("ffs", &lengths, 1000, seed(s));
        assert_eq!(
            bins_of(&o),
            reference_any_fit(&lengths, &shuffled(lengths.len(), s), 1000, Fit::First)
        );
    }
}

#[test]
fn bfd_equals_obfd_and_the_reference_on_a_large_input() {
    let lengths = Lcg(9).lengths(3000, 1, 1000);
    let bfd = run("bfd", &lengths, 1024);
    assert_valid(&bfd, &lengths, 1024);
    assert_eq!(bfd.packing, run("obfd", &lengths, 1024).packing);
    let ffd = run("ffd", &lengths, 1024);
    assert_eq!(
        bins_of(&ffd),
        reference_any_fit(&lengths, &decreasing(&lengths), 1024, Fit::First)
    );
}

#[test]
fn mffd_meets_its_bound_on_known_optima() {
    let mut rng = Lcg(2024);
    for round in 0..300 {
        let cap = [60, 100, 120, 997, 2048, 4096][round % 6];
        let opt = 1 + (rng.next() % 60) as usize;
        let lengths = exactly_full_bins(&mut rng, opt, cap, 2 + (round % 6) as u32);
        let o = run("mffd", &lengths, cap);
        assert_valid(&o, &lengths, cap);
        assert!(
            within_mffd_bound(o.metrics.num_bins, opt),
            "cap {cap}: {} bins for OPT {opt}",
            o.metrics.num_bins
        );
    }
}

#[test]
fn sparse_capacity_and_errors() {
    let cap = (1u32 << 22) + 5;
    let lengths = Lcg(4).lengths(400, 1, cap);
    for s in OFFLINE {
        assert_valid(&run(s, &lengths, cap), &lengths, cap);
        assert_eq!(run(s, &[], 8).metrics.num_bins, 0, "{s}");
        assert_eq!(bins_of(&run(s, &[8], 8)), vec![vec![0]], "{s}");
        let e = pack(&[3, 4, 0], &request(s, 8), &Control::none()).unwrap_err();
        assert_eq!(
            (e.kind, e.index),
            (ErrorKind::InvalidLength, Some(2)),
            "{s}"
        );
    }
    assert_eq!(
        bins_of(&run("bfd", &lengths, cap)),
        bins_of(&run("obfd", &lengths, cap))
    );
}

#[test]
fn option_errors() {
    assert_eq!(
        request_with("ffs", 10, seed(0)).options(),
        &seqpack_core::Options::Shuffle { seed: 0 }
    );
    assert_eq!(
        request_with("ffs", 10, seed(u64::MAX)).options(),
        &seqpack_core::Options::Shuffle { seed: u64::MAX }
    );
    for s in ["ffd", "bfd", "mffd"] {
        let e = option_error(s, seed(1));
        assert_eq!(
            (e.kind, e.option),
            (ErrorKind::InvalidOption, Some(OptionName::Seed)),
            "{s}"
        );
        assert!(e.message().contains("does not apply"));
    }
    for opts in [|b: RequestBuilder| b.k(3), |b: RequestBuilder| b.threads(2)] {
        assert_eq!(option_error("ffs", opts).kind, ErrorKind::InvalidOption);
    }
}

#[test]
fn catalog_entries() {
    for s in OFFLINE {
        let info = strategy(s).info();
        assert_eq!(info.name, s);
        assert!(!info.online);
    }
    assert_eq!(Strategy::Ffs.info().options, &[OptionName::Seed]);
    assert!(Strategy::Mffd
        .info()
        .approximation
        .starts_with("71/60 OPT + 1"));
    assert!(Strategy::Ffd
        .info()
        .approximation
        .starts_with("11/9 OPT + 6/9"));
    assert!(Strategy::Bfd
        .info()
        .approximation
        .starts_with("11/9 OPT + 6/9"));
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]
    #[test]
    fn offline_packings_are_valid_and_match_the_reference(cap in 1u32..3000, s in any::<u64>(), n in 0usize..250) {
        let lengths = Lcg(s).lengths(n, 1, cap);
        for name in OFFLINE {
            assert_valid(&run(name, &lengths, cap), &lengths, cap);
        }
        let dec = decreasing(&lengths);
        prop_assert_eq!(sorted_decreasing(&lengths), dec.clone());
        prop_assert_eq!(bins_of(&run("ffd", &lengths, cap)), reference_any_fit(&lengths, &dec, cap, Fit::First));
        let bfd = run("bfd", &lengths, cap);
        prop_assert_eq!(bins_of(&bfd), reference_any_fit(&lengths, &dec, cap, Fit::Best));
        prop_assert_eq!(&bfd.packing, &run("obfd", &lengths, cap).packing);
        let seed_v = s % 1000;
        let ffs = run_with("ffs", &lengths, cap, seed(seed_v));
        prop_assert_eq!(bins_of(&ffs), reference_any_fit(&lengths, &shuffled(n, seed_v), cap, Fit::First));
        // Any-fit packings leave at most one bin at most half full (its items
        // would have fitted in the other one), so (B - 1) C < 2 * total.
        // (Not "never worse than Next-Fit": an input already in an optimal
        // order can give Next-Fit fewer bins than FFD.)
        let total: u64 = lengths.iter().map(|&l| l as u64).sum();
        for m in [&run("ffd", &lengths, cap).metrics, &bfd.metrics] {
            prop_assert!(m.num_bins == 0 || (m.num_bins as u64 - 1) * (cap as u64) < 2 * total);
            prop_assert!(m.num_bins as u64 >= m.lower_bound_l2);
        }
    }

    #[test]
    fn mffd_bound_on_random_exact_instances(s in any::<u64>(), cap in 6u32..500, opt in 1usize..40, pieces in 2u32..7) {
        let mut rng = Lcg(s);
        let lengths = exactly_full_bins(&mut rng, opt, cap, pieces);
        let o = run("mffd", &lengths, cap);
        assert_valid(&o, &lengths, cap);
        prop_assert!(within_mffd_bound(o.metrics.num_bins, opt), "{} bins, OPT {}", o.metrics.num_bins, opt);
    }
}

/// `strategy` on 60,000 seeded lengths in `lo..=hi` per `(seed, lo, hi, cap)`
/// case must give exactly the packing `reference` gives (bins, bin order,
/// in-bin order).
fn equals_reference_on_large_inputs(
    strategy: &str,
    cases: &[(u64, u32, u32, u32)],
    reference: impl Fn(&[u32], u32) -> seqpack_core::Packing,
) {
    for &(seed, lo, hi, cap) in cases {
        let lengths = Lcg(seed).lengths(60_000, lo, hi);
        let got = run(strategy, &lengths, cap);
        assert_eq!(
            got.packing,
            reference(&lengths, cap),
            "{strategy} seed {seed}"
        );
    }
}

/// FFD places whole runs of equal lengths per tree query; it must equal the
/// item-by-item first fit over the decreasing order exactly, on large inputs
/// with many distinct lengths and with very few (long runs, many ties).
#[test]
fn ffd_by_runs_equals_item_by_item_first_fit() {
    use seqpack_core::algorithms::order;
    use seqpack_core::placement;
    let first_fit = |lengths: &[u32], cap: u32| {
        let max = *lengths.iter().max().unwrap();
        placement::first_fit(
            lengths,
            order::decreasing(lengths, max),
            cap,
            &Control::none(),
        )
        .unwrap()
        .into_packing(lengths)
    };
    let cases = [
        (1, 1, 4096, 4096),
        (2, 16, 512, 2048),
        (3, 100, 103, 1000),
        (4, 1, 3, 7),
    ];
    equals_reference_on_large_inputs("ffd", &cases, first_fit);
}

/// The item-by-item MFFD (steps 4-5 one first-fit query per item), the
/// reference for the run-based `mffd` strategy.
fn mffd_item_by_item(lengths: &[u32], cap: u32) -> seqpack_core::Packing {
    use seqpack_core::algorithms::{offline, order};
    let max = lengths.iter().copied().max().unwrap_or(0);
    offline::mffd(
        lengths,
        cap,
        order::decreasing(lengths, max),
        &Control::none(),
    )
    .unwrap()
    .into_packing(lengths)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]
    /// MFFD by runs equals item-by-item MFFD exactly (bins, bin order, in-bin
    /// order), with the lengths skewed to each size class in turn so steps
    /// 1-3 (large, medium, small pairs, ties among equal lengths) all run.
    #[test]
    fn mffd_by_runs_equals_item_by_item(cap in 6u32..400, raw in prop::collection::vec(any::<u32>(), 0..300), mix in 0u32..5, distinct in 1u32..40) {
        let lengths: Vec<u32> = raw.iter().enumerate().map(|(i, &x)| {
            // Few distinct lengths per class, so equal lengths tie often.
            let q = x % distinct;
            let (lo, hi) = match (mix + i as u32) % 4 {
                0 => (cap / 2 + 1, cap),          // large
                1 => (cap / 3 + 1, cap / 2),      // medium
                2 => (cap / 6 + 1, cap / 3),      // small
                _ => (1, (cap / 6).max(1)),       // tiny
            };
            let (lo, hi) = (lo.max(1), hi.max(lo.max(1)));
            if mix == 4 { 1 + x % cap } else { lo + q * (hi - lo + 1) / distinct }
        }).collect();
        let got = run("mffd", &lengths, cap);
        prop_assert_eq!(&got.packing, &mffd_item_by_item(&lengths, cap));
        assert_valid(&got, &lengths, cap);
    }
}

#[test]
fn mffd_by_runs_equals_item_by_item_on_large_inputs() {
    let cases = [
        (1, 1, 4096, 4096),
        (2, 16, 512, 4096),
        (3, 300, 2100, 4096),
        (4, 20, 35, 100),
        (5, 1, 60, 60),
    ];
    equals_reference_on_large_inputs("mffd", &cases, mffd_item_by_item);
}
