mod common;
use common::*;
use proptest::prelude::*;
use seqpack_core::algorithms::online::HarmonicK;
use seqpack_core::{pack, Control, ErrorKind, OptionName, Options, Request, RequestBuilder};

const ONLINE: [&str; 5] = ["nf", "ff", "bf", "wf", "hk"];

fn identity(n: usize) -> Vec<u32> {
    (0..n as u32).collect()
}

fn hk(lengths: &[u32], capacity: u32, k: u32) -> seqpack_core::Outcome {
    run_with("hk", lengths, capacity, |b| b.k(k))
}

// Golden cases, worked by hand. C = 10, items in input order: 6 5 4 7 3 3 2.
const GOLDEN: [u32; 7] = [6, 5, 4, 7, 3, 3, 2];

#[test]
fn next_fit_golden() {
    // 6 | 5 4 (7 does not fit in 1 left) | 7 3 | 3 2
    assert_eq!(
        bins_of(&run("nf", &GOLDEN, 10)),
        vec![vec![0], vec![1, 2], vec![3, 4], vec![5, 6]]
    );
}

#[test]
fn first_fit_golden() {
    // 6->b0(4) 5->b1(5) 4->b0(0) 7->b2(3) 3->b1(2) 3->b2(0) 2->b1(0)
    assert_eq!(
        bins_of(&run("ff", &GOLDEN, 10)),
        vec![vec![0, 2], vec![1, 4, 6], vec![3, 5]]
    );
}

#[test]
fn best_fit_golden() {
    // 6->b0(4) 5->b1(5) 4->b0(0) 7->b2(3) 3->b2(0) (tighter than b1) 3->b1(2) 2->b1(0)
    assert_eq!(
        bins_of(&run("bf", &GOLDEN, 10)),
        vec![vec![0, 2], vec![1, 5, 6], vec![3, 4]]
    );
}

#[test]
fn worst_fit_golden() {
    // 6->b0(4) 5 > 4 opens b1(5) 4->b1(1) (roomiest) 7->b2(3) 3->b0(1) (roomiest, 4)
    // 3->b2(0) 2: the roomiest bin has 1 left -> b3
    assert_eq!(
        bins_of(&run("wf", &GOLDEN, 10)),
        vec![vec![0, 4], vec![1, 2], vec![3, 5], vec![6]]
    );
}

#[test]
fn harmonic_k_golden() {
    // C = 12, k = 3: lengths 7..=12 class 0 (1 per bin), 5..=6 class 1 (2 per bin),
    // <= 4 class 2 (catch-all, next fit).
    // 7: b0 closed at once. 5: b1. 3: b2 (9 left). 6: b1 now has 2, closed.
    // 8: b3 closed. 4, 4: b2 (1 left). 2: does not fit b2, which closes; b4.
    // 6: b5. 1: b4.
    let lengths = [7, 5, 3, 6, 8, 4, 4, 2, 6, 1];
    let o = hk(&lengths, 12, 3);
    assert_eq!(
        bins_of(&o),
        vec![
            vec![0],
            vec![1, 3],
            vec![2, 5, 6],
            vec![4],
            vec![7, 9],
            vec![8]
        ]
    );
    // The class-0 bin holding 7 had room for a 5, but classes never mix.
    assert_eq!(o.metrics.num_bins, 6);
}

#[test]
fn harmonic_k_closes_exactly_full_catch_all_and_counts_per_class() {
    // Three 4s fill a catch-all bin exactly: closed, the fourth opens a new one.
    assert_eq!(
        bins_of(&hk(&[4, 4, 4, 4], 12, 3)),
        vec![vec![0, 1, 2], vec![3]]
    );
    // k = 2: class 0 is > C/2, everything else is the catch-all.
    assert_eq!(
        bins_of(&hk(&[7, 6, 5, 1], 12, 2)),
        vec![vec![0], vec![1, 2, 3]]
    );
    // Default k = 10, C = 12: a 4 is class 12/4 - 1 = 2 (three per bin), a 3 is
    // class 3 (four per bin); the two classes fill separate bins.
    let o = run("hk", &[4, 3, 4, 3, 4, 3, 3, 3], 12);
    assert_eq!(bins_of(&o), vec![vec![0, 2, 4], vec![1, 3, 5, 6], vec![7]]);
}

#[test]
fn harmonic_k_classes() {
    let h = HarmonicK::new(100, 4);
    let cls: Vec<usize> = [100, 51, 50, 34, 33, 26, 25, 1]
        .iter()
        .map(|&l| h.class_of(l))
        .collect();
    assert_eq!(cls, vec![0, 0, 1, 1, 2, 2, 3, 3]);
}

#[test]
fn harmonic_k_is_truly_bounded_space() {
    for k in [2u32, 3, 5, 10, 40] {
        let lengths = Lcg(k as u64).lengths(20_000, 1, 1000);
        let mut h = HarmonicK::new(1000, k);
        let mut closed = vec![false; lengths.len() + 1];
        let mut max_open = 0;
        // Bins seen open after the previous item. A bin can only become open by
        // receiving an item, so every other bin is closed.
        let mut tracked: Vec<u32> = Vec::new();
        for &l in &lengths {
            let b = h.push(l);
            assert!(
                !closed[b as usize],
                "k={k}: item put in bin {b}, which had been closed"
            );
            if !tracked.contains(&b) {
                tracked.push(b);
            }
            tracked.retain(|&x| {
                let open = h.is_open(x);
                closed[x as usize] |= !open;
                open
            });
            assert_eq!(h.open_bins(), tracked.len());
            assert!(h.open_bins() <= k as usize);
            max_open = max_open.max(h.open_bins());
        }
        // Class 0 bins (one item) close at once, so at most k - 1 are ever open together.
        assert!(
            max_open < k as usize && max_open >= 1,
            "k={k}: {max_open} open at once"
        );
        // And the whole packing agrees with the streaming packer.
        let o = hk(&lengths, 1000, k);
        assert_valid(&o, &lengths, 1000);
        assert_eq!(o.metrics.num_bins, h.num_bins());
    }
}

#[test]
fn any_fit_rules_equal_the_quadratic_reference_on_a_large_input() {
    let lengths = Lcg(7).lengths(2000, 1, 700);
    for (s, fit) in [("ff", Fit::First), ("bf", Fit::Best), ("wf", Fit::Worst)] {
        let o = run(s, &lengths, 1000);
        assert_valid(&o, &lengths, 1000);
        assert_eq!(
            bins_of(&o),
            reference_any_fit(&lengths, &identity(lengths.len()), 1000, fit),
            "{s}"
        );
    }
}

#[test]
fn sparse_capacity_works_for_every_online_strategy() {
    let cap = (1u32 << 22) + 77;
    let lengths = Lcg(3).lengths(500, 1, cap);
    for s in ONLINE {
        let o = run(s, &lengths, cap);
        assert_valid(&o, &lengths, cap);
    }
    for (s, fit) in [("ff", Fit::First), ("bf", Fit::Best), ("wf", Fit::Worst)] {
        assert_eq!(
            bins_of(&run(s, &lengths, cap)),
            reference_any_fit(&lengths, &identity(lengths.len()), cap, fit)
        );
    }
}

#[test]
fn empty_single_and_zero_length() {
    for s in ONLINE {
        let o = run(s, &[], 8);
        assert_eq!(o.metrics.num_bins, 0, "{s}");
        assert_eq!(bins_of(&run(s, &[8], 8)), vec![vec![0]], "{s}");
        let e = pack(&[3, 0], &request(s, 8), &Control::none()).unwrap_err();
        assert_eq!(
            (e.kind, e.index),
            (ErrorKind::InvalidLength, Some(1)),
            "{s}"
        );
        let e = pack(&[9], &request(s, 8), &Control::none()).unwrap_err();
        assert_eq!(e.kind, ErrorKind::LengthExceedsCapacity, "{s}");
    }
}

#[test]
fn option_errors() {
    let k = |v: u32| move |b: RequestBuilder| b.k(v);
    for bad in [0, 1, 65_537, u32::MAX] {
        let e = option_error("hk", k(bad));
        assert_eq!(
            (e.kind, e.option),
            (ErrorKind::InvalidOption, Some(OptionName::K)),
            "k = {bad}"
        );
        assert!(e.message().contains('k'), "{}", e.message());
    }
    assert_eq!(
        request_with("hk", 10, k(2)).options(),
        &Options::HarmonicK { k: 2 }
    );
    assert_eq!(
        request_with("hk", 10, k(65_536)).options(),
        &Options::HarmonicK { k: 65_536 }
    );
    assert_eq!(request("hk", 10).options(), &Options::HarmonicK { k: 10 });
    // Options the strategy does not take.
    for s in ["nf", "ff", "bf", "wf"] {
        assert_eq!(option_error(s, k(3)).kind, ErrorKind::InvalidOption, "{s}");
    }
    for opts in [
        |b: RequestBuilder| b.seed(1),
        |b: RequestBuilder| b.threads(2),
        |b: RequestBuilder| b.group_size(2),
    ] {
        let e = option_error("hk", opts);
        assert_eq!(e.kind, ErrorKind::InvalidOption);
        assert!(e.message().contains("does not apply"), "{}", e.message());
    }
}

#[test]
fn catalog_entries() {
    for s in ONLINE {
        let req = Request::new(strategy(s), 10).unwrap();
        let info = req.strategy().info();
        assert_eq!(info.name, s);
        assert!(info.online);
        assert!(
            !info.full_name.is_empty()
                && !info.time_complexity.is_empty()
                && !info.approximation.is_empty()
        );
    }
    assert_eq!(seqpack_core::Strategy::Hk.info().options, &[OptionName::K]);
    assert_eq!(seqpack_core::Strategy::Nf.info().approximation, "2 OPT");
    assert_eq!(seqpack_core::Strategy::Ff.info().approximation, "1.7 OPT");
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]
    #[test]
    fn online_packings_are_valid(cap in 1u32..3000, seed in any::<u64>(), n in 0usize..250, k in 2u32..12) {
        let lengths = Lcg(seed).lengths(n, 1, cap);
        for s in ["nf", "ff", "bf", "wf"] {
            let o = run(s, &lengths, cap);
            assert_valid(&o, &lengths, cap);
        }
        let o = hk(&lengths, cap, k);
        assert_valid(&o, &lengths, cap);
        // Items are placed in input order: within every bin, indices ascend.
        for s in ONLINE {
            let o = run(s, &lengths, cap);
            for b in o.packing.bins() {
                prop_assert!(b.windows(2).all(|w| w[0] < w[1]), "{}", s);
            }
        }
        let order = identity(n);
        prop_assert_eq!(bins_of(&run("ff", &lengths, cap)), reference_any_fit(&lengths, &order, cap, Fit::First));
        prop_assert_eq!(bins_of(&run("bf", &lengths, cap)), reference_any_fit(&lengths, &order, cap, Fit::Best));
        prop_assert_eq!(bins_of(&run("wf", &lengths, cap)), reference_any_fit(&lengths, &order, cap, Fit::Worst));
    }

    #[test]
    fn next_fit_bins_only_close_when_the_next_item_does_not_fit(cap in 1u32..500, seed in any::<u64>(), n in 1usize..200) {
        let lengths = Lcg(seed).lengths(n, 1, cap);
        let o = run("nf", &lengths, cap);
        assert_valid(&o, &lengths, cap);
        let bins = bins_of(&o);
        // Consecutive runs of the input, and each bin + the next bin's first item overflows.
        prop_assert_eq!(bins.concat(), identity(n));
        for w in 0..bins.len().saturating_sub(1) {
            prop_assert!(o.packing.bin_loads[w] + lengths[bins[w + 1][0] as usize] > cap);
        }
    }
}
