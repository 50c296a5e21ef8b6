//! How close OBFD is to the memory floor: times `seqpack_core::pack` (OBFD,
//! with validation and metrics) against a counting sort of the same input
//! (histogram + scatter of the indices by length, the least work any
//! packing by length has to do), interleaved round by round, and prints
//! both medians and their ratio.
//!
//! ```text
//! cargo run --release -p seqpack-core --example floor -- [N] [C] [ROUNDS]
//! ```
//! Lengths: seeded uniform 16..=512 (the benchmarks' default workload).
mod support;

use seqpack_core::{pack, Control, Request, Strategy};
use std::hint::black_box;
use std::time::Instant;

/// Indices by decreasing length: histogram, prefix, scatter.
fn counting_sort(lengths: &[u32], max_len: u32) -> Vec<u32> {
    let mut start = vec![0u32; max_len as usize + 1];
    for &l in lengths {
        start[l as usize] += 1;
    }
    let mut pos = 0u32;
    for v in (0..=max_len as usize).rev() {
        let c = start[v];
        start[v] = pos;
        pos += c;
    }
    let mut out = vec![0u32; lengths.len()];
    for (i, &l) in lengths.iter().enumerate() {
        let s = &mut start[l as usize];
        out[*s as usize] = i as u32;
        *s += 1;
    }
    out
}

fn main() {
    let mut args = std::env::args().skip(1);
    let (lengths, cap) = support::uniform_lengths(&mut args);
    let n = lengths.len();
    let rounds: usize = args.next().map_or(31, |a| a.parse().expect("ROUNDS"));
    let max_len = *lengths.iter().max().unwrap_or(&0);
    let req = Request::new(Strategy::Obfd, cap).expect("request");
    let ctl = Control::none();
    let (mut t_pack, mut t_sort) = (Vec::new(), Vec::new());
    for round in 0..rounds + 2 {
        // Alternate which goes first, so neither always runs on a warm cache.
        for which in if round % 2 == 0 { [0, 1] } else { [1, 0] } {
            let t0 = Instant::now();
            if which == 0 {
                black_box(pack(black_box(&lengths), &req, &ctl).expect("pack"));
            } else {
                black_box(counting_sort(black_box(&lengths), max_len));
            }
            let ns = t0.elapsed().as_nanos() as f64 / n as f64;
            if round >= 2 {
                if which == 0 {
                    t_pack.push(ns)
                } else {
                    t_sort.push(ns)
                }
            }
        }
    }
    let med = |v: &mut Vec<f64>| {
        v.sort_by(f64::total_cmp);
        v[v.len() / 2]
    };
    let (p, c) = (med(&mut t_pack), med(&mut t_sort));
    println!(
        "N={n} C={cap}: obfd pack {p:.2} ns/item, counting sort {c:.2} ns/item, ratio {:.2}x (target <= 3x), median of {rounds}",
        p / c
    );
}
