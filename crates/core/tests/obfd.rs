mod common;
use common::*;
use proptest::prelude::*;
use seqpack_core::{pack, Control, ErrorKind, Request, Strategy};
use std::sync::atomic::AtomicBool;

#[test]
fn readme_example_gives_four_exact_bins() {
    let lengths = [1000, 800, 600, 500, 400, 300, 200, 100];
    let o = run("obfd", &lengths, 1024);
    // 1000 alone; 600+400; 500+300 leaves 224, as does 800 alone: the 200 goes to
    // the bin that reached 224 last (500+300), and the 100 to the 800.
    assert_eq!(
        bins_of(&o),
        vec![vec![0], vec![1, 7], vec![2, 4], vec![3, 5, 6]]
    );
    assert_eq!(o.packing.bin_loads, vec![1000, 900, 1000, 1000]);
    assert_eq!(o.metrics.padding_tokens, 4 * 1024 - 3900);
}

#[test]
fn ties_equal_lengths_in_index_order_and_latest_bin_first() {
    // Three 6s each open a bin with remaining 4 (bins 0,1,2 reach 4 in that order).
    // The 4s then go to the bin that reached remaining 4 last: bin 2, then 1, then 0.
    let lengths = [4, 6, 4, 6, 6, 4];
    let o = run("obfd", &lengths, 10);
    assert_eq!(bins_of(&o), vec![vec![1, 5], vec![3, 2], vec![4, 0]]);
}

#[test]
fn empty_and_single() {
    let o = run("obfd", &[], 8);
    assert_eq!(o.metrics.num_bins, 0);
    assert_eq!(o.packing.bin_offsets, vec![0]);
    let o = run("obfd", &[8], 8);
    assert_eq!(bins_of(&o), vec![vec![0]]);
    assert_eq!(o.metrics.efficiency, 1.0);
}

#[test]
fn huge_capacity_uses_little_memory_and_agrees() {
    // 2^31 would need 8 GiB for a dense index; the sparse index is used instead.
    let cap = 1u32 << 31;
    let lengths = [cap, cap / 2, cap / 2 + 1, 3, cap / 2 - 1];
    let o = run("obfd", &lengths, cap);
    assert_valid(&o, &lengths, cap);
    let want = reference_any_fit(&lengths, &decreasing(&lengths), cap, Fit::Best);
    assert_eq!(bins_of(&o), want);
    let o = run("obfd", &[1, 2, 3], u32::MAX);
    assert_eq!(o.metrics.num_bins, 1);
}

#[test]
fn errors_name_the_offender() {
    let req = request("obfd", 100);
    let e = pack(&[5, 101], &req, &Control::none()).unwrap_err();
    assert_eq!(
        (e.kind, e.index),
        (ErrorKind::LengthExceedsCapacity, Some(1))
    );
    let e = pack(&[0], &req, &Control::none()).unwrap_err();
    assert_eq!(e.kind, ErrorKind::InvalidLength);
    let e = "nope".parse::<Strategy>().unwrap_err();
    assert_eq!(e.kind, ErrorKind::UnknownStrategy);
    assert!(e.message().contains("obfd"));
    let e = Request::builder(Strategy::Obfd)
        .capacity(10)
        .k(3)
        .build()
        .unwrap_err();
    assert_eq!(e.kind, ErrorKind::InvalidOption);
    for bad in [
        Request::new(Strategy::Obfd, 0),
        Request::builder(Strategy::Obfd).build(),
    ] {
        assert_eq!(bad.unwrap_err().kind, ErrorKind::InvalidCapacity);
    }
}

#[test]
fn cancellation_is_honoured() {
    let flag = AtomicBool::new(true);
    let lengths = Lcg(1).lengths(200_000, 1, 512);
    let e = pack(&lengths, &request("obfd", 512), &Control::with_flag(&flag)).unwrap_err();
    assert_eq!(e.kind, ErrorKind::Aborted);
}

#[test]
fn large_random_input_matches_reference_bin_count() {
    let lengths = Lcg(42).lengths(3000, 16, 512);
    let o = run("obfd", &lengths, 1024);
    assert_valid(&o, &lengths, 1024);
    let want = reference_any_fit(&lengths, &decreasing(&lengths), 1024, Fit::Best);
    assert_eq!(bins_of(&o), want);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]
    #[test]
    fn obfd_equals_plain_bfd(cap in 1u32..2000, seed in any::<u64>(), n in 0usize..300) {
        let lengths = Lcg(seed).lengths(n, 1, cap);
        let o = run("obfd", &lengths, cap);
        assert_valid(&o, &lengths, cap);
        let want = reference_any_fit(&lengths, &decreasing(&lengths), cap, Fit::Best);
        prop_assert_eq!(o.metrics.num_bins, want.len());
        prop_assert_eq!(bins_of(&o), want);
    }

    #[test]
    fn obfd_sparse_index_equals_plain_bfd(seed in any::<u64>(), n in 0usize..200) {
        let cap = (1u32 << 22) + 12_345; // above DENSE_LIMIT
        let lengths = Lcg(seed).lengths(n, 1, cap);
        let o = run("obfd", &lengths, cap);
        assert_valid(&o, &lengths, cap);
        prop_assert_eq!(bins_of(&o), reference_any_fit(&lengths, &decreasing(&lengths), cap, Fit::Best));
    }
}
