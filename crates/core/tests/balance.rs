//! Context-parallel balance: loads recomputed token by token, exact optimum
//! against brute force, the heuristic against its own starting points, 64-bit
//! lengths.

mod common;

use common::Lcg;
use seqpack_core::balance::{balance, node_loads, Balance};
use seqpack_core::ErrorKind;

/// Loads by the definition, one token at a time: the token at offset `t` of
/// its document attends to `t + 1` keys, i.e. adds `(t+1)^2 - t^2 = 2t + 1`;
/// chunk `j` of `K = 2n` holds `T/K` tokens, one more for the first `T % K`;
/// node `i` owns chunks `i` and `K - 1 - i`.
fn loads_by_token(seq: &[u32], nodes: usize) -> Vec<u128> {
    let total: usize = seq.iter().map(|&l| l as usize).sum();
    let k = 2 * nodes;
    let mut owner = Vec::with_capacity(total);
    for j in 0..k {
        let size = total / k + usize::from(j < total % k);
        let node = if j < nodes { j } else { k - 1 - j };
        owner.resize(owner.len() + size, node);
    }
    let mut loads = vec![0u128; nodes];
    let mut p = 0;
    for &l in seq {
        for t in 0..l as u128 {
            loads[owner[p]] += 2 * t + 1;
            p += 1;
        }
    }
    loads
}

fn scaled_dev(loads: &[u128], total: u128) -> u128 {
    let n = loads.len() as u128;
    loads
        .iter()
        .map(|&l| (l * n).abs_diff(total))
        .max()
        .unwrap()
}

fn lengths_in(b: &Balance, lengths: &[u32]) -> Vec<u32> {
    b.order.iter().map(|&i| lengths[i as usize]).collect()
}

fn assert_consistent(b: &Balance, lengths: &[u32], nodes: usize) {
    let mut seen = b.order.clone();
    seen.sort_unstable();
    assert_eq!(
        seen,
        (0..lengths.len() as u32).collect::<Vec<_>>(),
        "order is a permutation"
    );
    let seq = lengths_in(b, lengths);
    assert_eq!(b.loads, loads_by_token(&seq, nodes));
    let total: u128 = lengths.iter().map(|&l| (l as u128).pow(2)).sum();
    assert_eq!(b.loads.iter().sum::<u128>(), total);
    let mean = total as f64 / nodes as f64;
    assert_eq!(b.mean, mean);
    let dev = b
        .loads
        .iter()
        .map(|&l| (l as f64 - mean).abs())
        .fold(0.0, f64::max);
    assert_eq!(b.max_deviation, dev);
}

/// Every permutation (Heap's algorithm), the best scaled deviation.
fn brute_force(lengths: &[u32], nodes: usize) -> u128 {
    let total: u128 = lengths.iter().map(|&l| (l as u128).pow(2)).sum();
    let mut a = lengths.to_vec();
    let mut best = scaled_dev(&loads_by_token(&a, nodes), total);
    let n = a.len();
    let mut c = vec![0usize; n];
    let mut i = 0;
    while i < n {
        if c[i] < i {
            if i % 2 == 0 {
                a.swap(0, i)
            } else {
                a.swap(c[i], i)
            }
            best = best.min(scaled_dev(&loads_by_token(&a, nodes), total));
            c[i] += 1;
            i = 0;
        } else {
            c[i] = 0;
            i += 1;
        }
    }
    best
}

#[test]
fn golden_two_nodes() {
    // 4 chunks of 3 tokens over [6, 3, 3]; node 0 gets chunks 0 and 3, node 1 chunks 1 and 2.
    // Order 3,6,3: chunk0 = doc a [0,3) -> 9; chunk1 = doc b [0,3) -> 9;
    // chunk2 = doc b [3,6) -> 27; chunk3 = doc c [0,3) -> 9. Node 0: 18, node 1: 36.
    // Order 6,3,3: node 0: 9 + 9 = 18, node 1: 27 + 9 = 36 as well. Order 3,3,6:
    // node 0: 9 + 27 = 36, node 1: 9 + 9 = 18. Every order has deviation 9: the
    // first tried (longest first) is kept.
    let b = balance(&[3, 6, 3], 2).unwrap();
    assert_eq!(b.order, vec![1, 0, 2]);
    assert_eq!(b.loads, vec![18, 36]);
    assert_eq!((b.mean, b.max_deviation, b.exact), (27.0, 9.0, true));
}

#[test]
fn golden_perfect_balance() {
    // [4, 2, 2], 2 nodes, chunks of 2: order 2,4,2 gives chunk loads 4, 4, 12, 4:
    // node 0 = 4 + 4 = 8, node 1 = 4 + 12 = 16. Order 4,2,2: 4 + 4 = 8 vs 12 + 4 = 16.
    // Order 2,2,4: node 0 = 4 + 12 = 16, node 1 = 4 + 4 = 8. All deviate by 4;
    // but [1, 1, 2] on 1 node is always perfect.
    let b = balance(&[1, 1, 2], 1).unwrap();
    assert_eq!((b.max_deviation, b.loads.clone()), (0.0, vec![6]));
    assert_consistent(&b, &[1, 1, 2], 1);
    let b = balance(&[4, 2, 2], 2).unwrap();
    assert_eq!(b.max_deviation, 4.0);
}

#[test]
fn exact_matches_brute_force() {
    let mut rng = Lcg(5);
    for case in 0..120 {
        let n = 1 + (case % 7);
        let nodes = 1 + (rng.next() % 4) as usize;
        let lengths = rng.lengths(n, 1, 40);
        let b = balance(&lengths, nodes as u32).unwrap();
        assert!(b.exact);
        assert_consistent(&b, &lengths, nodes);
        let total: u128 = lengths.iter().map(|&l| (l as u128).pow(2)).sum();
        assert_eq!(
            scaled_dev(&b.loads, total),
            brute_force(&lengths, nodes),
            "{lengths:?} on {nodes} nodes"
        );
    }
}

#[test]
fn eight_documents_with_repeats_are_exact() {
    let lengths = [50, 50, 50, 20, 20, 7, 7, 300];
    let b = balance(&lengths, 3).unwrap();
    assert!(b.exact);
    assert_consistent(&b, &lengths, 3);
    let total: u128 = lengths.iter().map(|&l| (l as u128).pow(2)).sum();
    assert_eq!(scaled_dev(&b.loads, total), brute_force(&lengths, 3));
}

#[test]
fn heuristic_beats_its_starting_points_and_is_deterministic() {
    let lengths = Lcg(17).lengths(40, 16, 2000);
    let b = balance(&lengths, 4).unwrap();
    assert!(!b.exact);
    assert_consistent(&b, &lengths, 4);
    let total: u128 = lengths.iter().map(|&l| (l as u128).pow(2)).sum();
    let mut desc = lengths.clone();
    desc.sort_unstable_by(|a, b| b.cmp(a));
    for start in [
        lengths.clone(),
        desc.clone(),
        desc.iter().rev().copied().collect(),
    ] {
        assert!(
            scaled_dev(&b.loads, total) <= scaled_dev(&node_loads(start.iter().copied(), 4), total)
        );
    }
    assert_eq!(balance(&lengths, 4).unwrap(), b);
}

#[test]
fn sixty_four_bit_lengths() {
    // Above 46,340 (i32 overflow of len^2) and above 2^16 (u32 overflow of len^2).
    let lengths = [100_000, 70_000, 50_000, 46_341, 65_537];
    let b = balance(&lengths, 2).unwrap();
    assert_consistent(&b, &lengths, 2);
    let total: u128 = lengths.iter().map(|&l| (l as u128).pow(2)).sum();
    assert!(total > u32::MAX as u128);
    assert_eq!(scaled_dev(&b.loads, total), brute_force(&lengths, 2));
    // Beyond 2^32 tokens in total, loads beyond 2^64.
    let huge = [u32::MAX, u32::MAX, 3];
    let b = balance(&huge, 2).unwrap();
    assert_eq!(
        b.loads.iter().sum::<u128>(),
        2 * (u32::MAX as u128).pow(2) + 9
    );
    assert_eq!(b.loads, node_loads(lengths_in(&b, &huge), 2));
}

#[test]
fn edge_cases() {
    let b = balance(&[], 3).unwrap();
    assert_eq!(
        (b.order.len(), b.loads.clone(), b.mean, b.max_deviation),
        (0, vec![0, 0, 0], 0.0, 0.0)
    );
    // Fewer tokens than chunks: some chunks are empty.
    let b = balance(&[1, 2], 4).unwrap();
    assert_consistent(&b, &[1, 2], 4);
    let e = balance(&[3, 0], 2).unwrap_err();
    assert_eq!((e.kind, e.index), (ErrorKind::InvalidLength, Some(1)));
    assert_eq!(balance(&[3], 0).unwrap_err().kind, ErrorKind::InvalidOption);
}
