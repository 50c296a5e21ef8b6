mod common;
use common::*;
use proptest::prelude::*;
use seqpack_core::algorithms::adaptive_threads;
use seqpack_core::{pack, Control, ErrorKind, RawOptions, Strategy};
use std::sync::atomic::AtomicBool;

fn threads(t: usize) -> RawOptions {
    threads_raw(t as f64)
}

fn threads_raw(v: f64) -> RawOptions {
    RawOptions {
        threads: Some(v),
        ..Default::default()
    }
}

#[test]
fn within_half_a_percent_of_obfd_on_large_inputs() {
    let lengths = Lcg(42).lengths(200_000, 16, 512);
    let obfd = run("obfd", &lengths, 2048).metrics.num_bins;
    for t in [None, Some(2), Some(3), Some(8)] {
        let o = match t {
            None => run("obfdp", &lengths, 2048), // adaptive: 4 workers at 200k
            Some(t) => run_with("obfdp", &lengths, 2048, threads(t)),
        };
        assert_valid(&o, &lengths, 2048);
        let bins = o.metrics.num_bins;
        println!("200k uniform[16,512] C=2048: obfd {obfd}, obfdp threads={t:?} {bins}");
        assert!(
            bins * 1000 <= obfd * 1005,
            "threads {t:?}: {bins} bins vs OBFD {obfd}"
        );
    }
    // A skewed distribution (many long items) too.
    let lengths: Vec<u32> = Lcg(8)
        .lengths(250_000, 1, 4000)
        .into_iter()
        .map(|l| l.max(l * l / 4000))
        .collect();
    let obfd = run("obfd", &lengths, 4096).metrics.num_bins;
    let o = run_with("obfdp", &lengths, 4096, threads(4));
    assert_valid(&o, &lengths, 4096);
    assert!(
        o.metrics.num_bins * 1000 <= obfd * 1005,
        "{} vs {obfd}",
        o.metrics.num_bins
    );
}

#[test]
fn one_thread_is_exactly_obfd() {
    let lengths = Lcg(1).lengths(5000, 1, 1000);
    assert_eq!(
        run_with("obfdp", &lengths, 1024, threads(1)).packing,
        run("obfd", &lengths, 1024).packing
    );
    // Adaptive picks 1 worker below 20k items.
    assert_eq!(
        run("obfdp", &lengths, 1024).packing,
        run("obfd", &lengths, 1024).packing
    );
}

#[test]
fn deterministic_for_a_thread_count() {
    let lengths = Lcg(3).lengths(60_000, 1, 700);
    let a = run_with("obfdp", &lengths, 1000, threads(4));
    for _ in 0..3 {
        assert_eq!(
            run_with("obfdp", &lengths, 1000, threads(4)).packing,
            a.packing
        );
    }
}

#[test]
fn golden_two_workers() {
    // C = 10, decreasing 9(0) 8(1) 6(2) 5(3) 3(4) 2(5) 1(6), dealt round-robin:
    // worker 0 gets 9 6 3 1, worker 1 gets 8 5 2.
    // Worker 0 BFD: [9] [6 3 1]... 9->b0(1), 6->b1(4), 3->b1(1), 1: both bins
    //   have 1 left, b1 reached it last -> b1. Bins [9] (9) and [6 3 1] (10).
    // Worker 1 BFD: 8->b0(2), 5->b1(5), 2->b0(0). Bins [8 2] (10), [5] (5).
    // Least-full: worker 0's [9], worker 1's [5]; repacked: 9->(1), 5 -> new bin.
    let lengths = [9, 8, 6, 5, 3, 2, 1];
    let o = run_with("obfdp", &lengths, 10, threads(2));
    assert_eq!(
        bins_of(&o),
        vec![vec![2, 4, 6], vec![1, 5], vec![0], vec![3]]
    );
    assert_valid(&o, &lengths, 10);
}

#[test]
fn more_threads_than_items_and_tiny_inputs() {
    for n in 0..12 {
        let lengths = Lcg(n as u64).lengths(n, 1, 50);
        for t in [1, 2, 5, 64] {
            let o = run_with("obfdp", &lengths, 50, threads(t));
            assert_valid(&o, &lengths, 50);
        }
    }
}

#[test]
fn adaptive_thread_thresholds() {
    assert_eq!(
        [
            adaptive_threads(0),
            adaptive_threads(20_000),
            adaptive_threads(20_001)
        ],
        [1, 1, 2]
    );
    assert_eq!(
        [
            adaptive_threads(100_000),
            adaptive_threads(100_001),
            adaptive_threads(500_000)
        ],
        [2, 4, 4]
    );
    let all = std::thread::available_parallelism().map_or(1, |c| c.get());
    assert_eq!(adaptive_threads(500_001), all);
}

#[test]
fn cancellation_and_errors() {
    let flag = AtomicBool::new(true);
    let lengths = Lcg(1).lengths(200_000, 1, 512);
    let e = pack(
        &lengths,
        &request_with("obfdp", 512, threads(3)),
        &Control::with_flag(&flag),
    )
    .unwrap_err();
    assert_eq!(e.kind, ErrorKind::Aborted);
    let e = pack(&[1, 0, 2], &request("obfdp", 8), &Control::none()).unwrap_err();
    assert_eq!((e.kind, e.index), (ErrorKind::InvalidLength, Some(1)));
    for bad in [0.0, -1.0, 1.5, f64::NAN, 1025.0] {
        let e = option_error("obfdp", threads_raw(bad));
        assert_eq!(e.kind, ErrorKind::InvalidOption, "threads = {bad}");
        assert!(e.message.contains("threads"), "{}", e.message);
    }
    assert_eq!(request_with("obfdp", 10, threads(1024)).threads, Some(1024));
    for s in ["obfd", "nf", "ffd", "hk", "ffs"] {
        assert_eq!(
            option_error(s, threads(2)).kind,
            ErrorKind::InvalidOption,
            "{s}"
        );
    }
    for raw in [
        RawOptions {
            k: Some(3.0),
            ..Default::default()
        },
        RawOptions {
            seed: Some(3.0),
            ..Default::default()
        },
    ] {
        assert_eq!(option_error("obfdp", raw).kind, ErrorKind::InvalidOption);
    }
    let info = Strategy::Obfdp.info();
    assert_eq!(
        (info.name, info.options, info.online),
        ("obfdp", &["threads"][..], false)
    );
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(100))]
    #[test]
    fn obfdp_packings_are_valid(cap in 1u32..2000, s in any::<u64>(), n in 0usize..400, t in 1usize..9) {
        let lengths = Lcg(s).lengths(n, 1, cap);
        let o = run_with("obfdp", &lengths, cap, threads(t));
        assert_valid(&o, &lengths, cap);
        // Never more bins than the workers' bins put side by side: at most one extra per worker.
        let obfd = run("obfd", &lengths, cap).metrics.num_bins;
        prop_assert!(o.metrics.num_bins <= obfd + t);
    }
}
