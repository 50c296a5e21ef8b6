//! OBFDP runs OBFD's linear passes on several workers: its bins must be
//! OBFD's, byte for byte, for every thread count and on every internal path
//! (dense index, sparse index above `DENSE_LIMIT`, comparison-sort fallback
//! for huge lengths), and so must its metrics.
mod common;
use common::*;
use proptest::prelude::*;
use seqpack_core::algorithms::adaptive_threads;
use seqpack_core::placement::DENSE_LIMIT;
use seqpack_core::{pack, Control, ErrorKind, OptionName, RequestBuilder, Strategy};
use std::sync::atomic::AtomicBool;

fn threads(t: usize) -> impl FnOnce(RequestBuilder) -> RequestBuilder {
    move |b| b.threads(t)
}

/// `obfdp` with every thread count (and the adaptive default) equals `obfd`.
fn assert_same_as_obfd(lengths: &[u32], capacity: u32) {
    let obfd = run("obfd", lengths, capacity);
    assert_valid(&obfd, lengths, capacity);
    for t in [None, Some(1), Some(2), Some(3), Some(8)] {
        let o = match t {
            None => run("obfdp", lengths, capacity),
            Some(t) => run_with("obfdp", lengths, capacity, threads(t)),
        };
        assert_eq!(o.packing, obfd.packing, "threads {t:?}, C = {capacity}");
        assert_eq!(o.metrics, obfd.metrics, "threads {t:?}, C = {capacity}");
    }
}

#[test]
fn identical_to_obfd_on_large_inputs() {
    // Large enough that the input is split into several chunks per worker.
    assert_same_as_obfd(&Lcg(42).lengths(300_000, 16, 512), 2048);
    // Skewed: many long items, many distinct lengths.
    let skewed: Vec<u32> = Lcg(8)
        .lengths(250_000, 1, 4000)
        .into_iter()
        .map(|l| l.max(l * l / 4000))
        .collect();
    assert_same_as_obfd(&skewed, 4096);
    // Few distinct lengths: long runs spanning many chunks.
    let few: Vec<u32> = Lcg(5)
        .lengths(200_000, 0, 3)
        .into_iter()
        .map(|x| 100 + 300 * x)
        .collect();
    assert_same_as_obfd(&few, 1000);
}

#[test]
fn identical_to_obfd_on_the_sparse_and_fallback_paths() {
    // Capacity above DENSE_LIMIT: runs over the sparse index.
    assert_same_as_obfd(&Lcg(9).lengths(150_000, 1, 5000), DENSE_LIMIT + 1);
    // max_len > 4n + 65536: the histogram does not pay, comparison-sort path.
    let huge: Vec<u32> = Lcg(10)
        .lengths(70_000, 1, 1_000_000)
        .into_iter()
        .map(|l| l * 1000)
        .collect();
    assert_same_as_obfd(&huge, u32::MAX);
}

#[test]
fn one_thread_is_exactly_obfd() {
    let lengths = Lcg(1).lengths(5000, 1, 1000);
    assert_eq!(
        run_with("obfdp", &lengths, 1024, threads(1)).packing,
        run("obfd", &lengths, 1024).packing
    );
}

#[test]
fn more_threads_than_items_and_tiny_inputs() {
    for n in 0..12 {
        let lengths = Lcg(n as u64).lengths(n, 1, 50);
        let obfd = run("obfd", &lengths, 50);
        for t in [1, 2, 5, 64] {
            let o = run_with("obfdp", &lengths, 50, threads(t));
            assert_valid(&o, &lengths, 50);
            assert_eq!(o.packing, obfd.packing);
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
fn errors_name_the_first_offender_with_parallel_validation() {
    let mut lengths = Lcg(2).lengths(200_000, 1, 512);
    lengths[150_000] = 0;
    lengths[190_000] = 9999;
    let req = request_with("obfdp", 512, threads(4));
    let e = pack(&lengths, &req, &Control::none()).unwrap_err();
    assert_eq!((e.kind, e.index), (ErrorKind::InvalidLength, Some(150_000)));
    lengths[150_000] = 7;
    lengths[120_001] = 513;
    let e = pack(&lengths, &req, &Control::none()).unwrap_err();
    assert_error(
        &e,
        ErrorKind::LengthExceedsCapacity,
        Some(120_001),
        Some("513"),
    );
}

#[test]
fn cancellation_and_option_errors() {
    let flag = AtomicBool::new(true);
    let lengths = Lcg(1).lengths(200_000, 1, 512);
    for t in [1, 3] {
        let e = pack(
            &lengths,
            &request_with("obfdp", 512, threads(t)),
            &Control::with_flag(&flag),
        )
        .unwrap_err();
        assert_eq!(e.kind, ErrorKind::Aborted, "threads {t}");
    }
    let e = pack(&[1, 0, 2], &request("obfdp", 8), &Control::none()).unwrap_err();
    assert_eq!((e.kind, e.index), (ErrorKind::InvalidLength, Some(1)));
    for bad in [0, 1025] {
        let e = option_error("obfdp", threads(bad));
        assert_eq!(e.kind, ErrorKind::InvalidOption, "threads = {bad}");
        assert!(e.message().contains("threads"), "{}", e.message());
    }
    assert_eq!(
        request_with("obfdp", 10, threads(1024)).threads(),
        Some(1024)
    );
    for s in ["obfd", "nf", "ffd", "hk", "ffs"] {
        assert_eq!(
            option_error(s, threads(2)).kind,
            ErrorKind::InvalidOption,
            "{s}"
        );
    }
    for opts in [|b: RequestBuilder| b.k(3), |b: RequestBuilder| b.seed(3)] {
        assert_eq!(option_error("obfdp", opts).kind, ErrorKind::InvalidOption);
    }
    let info = Strategy::Obfdp.info();
    assert_eq!(
        (info.name, info.options, info.online),
        ("obfdp", &[OptionName::Threads][..], false)
    );
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(100))]
    #[test]
    fn obfdp_is_obfd(cap in 1u32..2000, s in any::<u64>(), n in 0usize..400, t in 1usize..9) {
        let lengths = Lcg(s).lengths(n, 1, cap);
        let o = run_with("obfdp", &lengths, cap, threads(t));
        assert_valid(&o, &lengths, cap);
        prop_assert_eq!(o.packing, run("obfd", &lengths, cap).packing);
    }
}
