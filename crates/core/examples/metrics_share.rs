//! What the metrics cost inside a `pack()` call, and how OBFD's time per item
//! moves with the capacity. Interleaved medians; prints one line per case.
//!
//! ```text
//! cargo run --release -p seqpack-core --example metrics_share -- [ROUNDS]
//! ```
//! Part 1: OBFD on seeded uniform 16..=512 lengths, C = 4096, N = 1k, 10k, 1M:
//! the whole `pack` call and the metrics as `pack` computes them
//! (`Metrics::compute_profiled` on the length profile the packing returns),
//! alternated, and the metrics' share of the call; for comparison the
//! metrics reading the input again (`compute_known_max`, the path of the
//! strategies without a profile).
//! Part 2: N = 1M lengths uniform in `[C/256, C/8]` (the same shape scaled
//! to the capacity) for C = 2^12 .. 2^31: OBFD ns per item, and the ratio to
//! C = 2^12.
mod support;

use seqpack_core::parallel::Workers;
use seqpack_core::{pack, Control, Metrics, Request, Strategy};
use std::hint::black_box;
use std::time::Instant;

fn median(v: &mut [f64]) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn main() {
    let rounds: usize = std::env::args()
        .nth(1)
        .map_or(21, |a| a.parse().expect("ROUNDS"));
    let ctl = Control::none();
    let seq = Workers::sequential();
    for n in [1_000usize, 10_000, 1_000_000] {
        let l = support::uniform(n, 16, 512);
        let max = *l.iter().max().unwrap();
        let req = Request::new(Strategy::Obfd, 4096).unwrap();
        let (packing, profile) =
            seqpack_core::algorithms::run_profiled(&l, &req, max, &seq, &ctl).unwrap();
        let reps = (1_000_000 / n).max(1);
        let (mut tp, mut tm, mut tr) = (Vec::new(), Vec::new(), Vec::new());
        // Mean time of one call over `reps` calls.
        let per_call = |f: &dyn Fn()| {
            let t0 = Instant::now();
            for _ in 0..reps {
                f();
            }
            t0.elapsed().as_nanos() as f64 / reps as f64
        };
        for _ in 0..rounds {
            tp.push(per_call(&|| {
                black_box(pack(black_box(&l), &req, &ctl).unwrap());
            }));
            tm.push(per_call(&|| {
                let p = black_box(&profile);
                black_box(Metrics::compute_profiled(&packing, &l, 4096, max, &seq, p));
            }));
            tr.push(per_call(&|| {
                black_box(Metrics::compute_known_max(
                    black_box(&packing),
                    &l,
                    4096,
                    max,
                    &seq,
                ));
            }));
        }
        let (p, m, r) = (median(&mut tp), median(&mut tm), median(&mut tr));
        println!(
            "metrics share N={n} C=4096: pack {:.1} us, metrics {:.2} us, share {:.1}% (target <= 10%); reading the input: {:.2} us, {:.1}%",
            p / 1e3,
            m / 1e3,
            100.0 * m / p,
            r / 1e3,
            100.0 * r / p
        );
    }
    let n = 1_000_000;
    let caps: [u64; 5] = [1 << 12, 1 << 16, 1 << 20, 1 << 22, 1 << 31];
    let inputs: Vec<(u64, Vec<u32>, Request)> = caps
        .iter()
        .map(|&c| {
            let req = Request::new(Strategy::Obfd, c as u32).unwrap();
            (c, support::uniform(n, (c / 256).max(1), c / 8), req)
        })
        .collect();
    let mut t = vec![Vec::new(); caps.len()];
    for _ in 0..rounds.min(9) {
        for (i, (_, l, req)) in inputs.iter().enumerate() {
            let t0 = Instant::now();
            black_box(pack(black_box(l), req, &ctl).unwrap());
            t[i].push(t0.elapsed().as_nanos() as f64 / n as f64);
        }
    }
    let base = median(&mut t[0].clone());
    for (i, (c, _, _)) in inputs.iter().enumerate() {
        let v = median(&mut t[i]);
        println!(
            "obfd N=1M lengths [C/256, C/8], C=2^{}: {v:.1} ns/item, {:.2}x of C=2^12",
            63 - c.leading_zeros(),
            v / base
        );
    }
}
