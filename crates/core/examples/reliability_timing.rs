//! Times the inputs of the reliability defects, one case per process, so two
//! builds (before/after) can be run interleaved by a script and compared by
//! median (`scripts/reliability-timing.sh`). Prints `case ms checksum`.
//!
//! Cases: `balance-equal-320k`, `balance-equal-80k`, `ohgbfd-adversarial-48k`,
//! `ohgbfd-default-48k`, `ohgbfd-30k-capacities`; and the guarded hot paths,
//! to show the defences cost nothing measurable: `obfd-1m`, `ffd-1m`,
//! `ogbfd-1m`, `bf-1m` (1M lengths 16..4015, capacity 4096).

use seqpack_core::{balance::balance, pack, Control, Request, Strategy};
use std::time::Instant;

fn lengths(n: u32) -> Vec<u32> {
    (0..n)
        .map(|i| 16 + (i.wrapping_mul(2_654_435_761) >> 20) % 4000)
        .collect()
}

fn ohgbfd(n: u32, caps: Vec<u32>, weights: Option<Vec<f64>>) -> u64 {
    let mut r = Request::builder(Strategy::Ohgbfd).capacities(caps);
    if let Some(w) = weights {
        r = r.weights(w);
    }
    let req = r.build().unwrap();
    let o = pack(&lengths(n), &req, &Control::none()).unwrap();
    o.packing.num_bins() as u64
}

fn main() {
    let case = std::env::args().nth(1).expect("a case name");
    let t = Instant::now();
    let check = match case.as_str() {
        "balance-equal-320k" => balance(&vec![100; 320_000], 3).unwrap().order.len() as u64,
        "balance-equal-80k" => balance(&vec![100; 80_000], 3).unwrap().order.len() as u64,
        "ohgbfd-adversarial-48k" => {
            let w = (0..48_000)
                .map(|i| if i % 2 == 0 { 0.0 } else { 1e6 })
                .collect();
            ohgbfd(48_000, vec![8192, 4096, 4096, 2048], Some(w))
        }
        "ohgbfd-default-48k" => ohgbfd(48_000, vec![8192, 4096, 4096, 2048], None),
        "ohgbfd-30k-capacities" => {
            let caps = (0..30_000).map(|i| 4016 + i).collect();
            ohgbfd(2_000, caps, None)
        }
        "obfd-1m" | "ffd-1m" | "ogbfd-1m" | "bf-1m" => {
            let name = case.trim_end_matches("-1m");
            let mut r = Request::builder(name.parse().unwrap()).capacity(4096);
            if name == "ogbfd" {
                r = r.group_size(8);
            }
            let req = r.build().unwrap();
            let l = lengths(1_000_000);
            let t = Instant::now();
            let o = pack(&l, &req, &Control::none()).unwrap();
            println!(
                "{case} {:.1} {}",
                t.elapsed().as_secs_f64() * 1e3,
                o.packing.num_bins()
            );
            return;
        }
        other => panic!("unknown case {other}"),
    };
    println!("{case} {:.1} {check}", t.elapsed().as_secs_f64() * 1e3);
}
