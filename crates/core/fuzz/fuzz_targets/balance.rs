#![no_main]
//! balance(): a permutation of the input, loads that add up to sum(len^2),
//! the deviation consistent with the loads; errors only for invalid input.

#[path = "../../tests/support/case.rs"]
mod case;

use seqpack_core::balance::{balance, node_loads};

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let mut b = case::Bytes::new(data);
    let hi = if b.u8() % 8 == 0 { 1 << 16 } else { 16 };
    let nodes = b.range(1, hi);
    let n = (b.u16() % 3000) as usize;
    let max = b.range(1, u32::MAX);
    let equal = b.u8() % 4 == 0;
    let first = b.range(1, max);
    let lengths: Vec<u32> = (0..n)
        .map(|_| if equal { first } else { b.range(0, max) })
        .collect();
    match balance(&lengths, nodes) {
        Ok(r) => {
            assert!(lengths.iter().all(|&l| l > 0));
            let mut seen = vec![false; n];
            for &i in &r.order {
                assert!(
                    !std::mem::replace(&mut seen[i as usize], true),
                    "index {i} twice"
                );
            }
            assert_eq!(r.order.len(), n);
            let total: u128 = lengths.iter().map(|&l| (l as u128) * (l as u128)).sum();
            assert_eq!(r.loads.iter().sum::<u128>(), total);
            assert_eq!(
                r.loads,
                node_loads(r.order.iter().map(|&i| lengths[i as usize]), nodes)
            );
        }
        Err(e) => assert_eq!(e.index, lengths.iter().position(|&l| l == 0), "{e}"),
    }
});
