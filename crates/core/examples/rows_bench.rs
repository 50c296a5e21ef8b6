//! Materialising packed rows next to a plain copy of the same tokens, in the
//! same process, rounds interleaved:
//!
//! ```text
//! cargo run --release -p seqpack-core --example rows_bench -- [docs] [tokens] [capacity] [rounds] [strategy]
//! ```
//!
//! Defaults: 100,000 documents, 20,000,000 tokens, capacity 4096, 7 rounds,
//! `obfd`. The documents are generated deterministically (a fixed-seed
//! [`Pcg32`]): lengths from a long-tailed mix, scaled to the token total, each
//! in `1..=capacity`. Each round times, in this order:
//! - `memcpy`: `tokens.to_vec()` (a fresh buffer, like `TypedArray.slice()`);
//! - `pack`: packing the lengths alone;
//! - `rows 1t`: [`pack_rows`] (cut, pack, metadata and all four arrays), one
//!   writer thread;
//! - `rows Nt`: the same with one writer per core (N = available cores);
//! - `stream nf`: pushing every length through a Next-Fit [`StreamPacker`].
//!
//! Prints the median of each in ns per token (ns per document for the
//! stream) and `rows / memcpy`.

use seqpack_core::algorithms::offline::Pcg32;
use seqpack_core::rows::{pack_rows, Docs, RowsOptions, StreamBins, StreamPacker};
use seqpack_core::{pack, Control, Request, Strategy};
use std::hint::black_box;
use std::time::Instant;

fn arg<T: std::str::FromStr>(args: &[String], i: usize, default: T) -> T {
    args.get(i)
        .map_or(default, |s| s.parse().ok().expect("numeric argument"))
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let num_docs: usize = arg(&args, 0, 100_000);
    let num_tokens: u64 = arg(&args, 1, 20_000_000);
    let capacity: u32 = arg(&args, 2, 4096);
    let rounds: usize = arg(&args, 3, 7);
    let strategy: String = args.get(4).cloned().unwrap_or_else(|| "obfd".into());

    // Lengths: 70% short (exponential-ish), 30% long (uniform to capacity),
    // then scaled so they sum to about `num_tokens`.
    let mut rng = Pcg32::new(2026);
    let raw: Vec<f64> = (0..num_docs)
        .map(|_| {
            if rng.below(10) < 7 {
                let u = (rng.next_u32() as f64 + 1.0) / 4294967297.0;
                -u.ln() * 100.0
            } else {
                rng.below(capacity) as f64
            }
        })
        .collect();
    let sum: f64 = raw.iter().sum();
    let scale = num_tokens as f64 / sum;
    let lengths: Vec<u32> = raw
        .iter()
        .map(|&x| ((x * scale).round() as u32).clamp(1, capacity))
        .collect();
    let mut offsets = Vec::with_capacity(num_docs + 1);
    offsets.push(0u32);
    for &l in &lengths {
        offsets.push(offsets.last().unwrap() + l);
    }
    let total = *offsets.last().unwrap() as usize;
    let tokens: Vec<i32> = (0..total).map(|_| rng.below(50_000) as i32).collect();
    let docs = Docs::new(&tokens, &offsets).unwrap();
    let req = Request::new(strategy.parse().unwrap(), capacity).unwrap();
    let mut opts = RowsOptions::new(req.clone());
    opts.threads = Some(1);
    let cores = std::thread::available_parallelism().map_or(1, |c| c.get());
    let mut opts_n = opts.clone();
    opts_n.threads = Some(cores);
    let nf = Strategy::Nf;
    let ctl = Control::none();

    let first = pack_rows(&docs, &opts, &ctl).unwrap();
    println!(
        "docs {num_docs}, tokens {total}, capacity {capacity}, strategy {strategy}: {} rows, efficiency {:.4}, output {} MB vs input {} MB",
        first.num_rows,
        first.metrics.efficiency,
        first.num_rows * capacity as usize * 13 / 1_000_000,
        total * 4 / 1_000_000
    );
    drop(first);

    let mut t = [vec![], vec![], vec![], vec![], vec![]];
    for _ in 0..rounds {
        let t0 = Instant::now();
        black_box(black_box(&tokens).to_vec());
        t[0].push(t0.elapsed().as_nanos() as f64);

        let t0 = Instant::now();
        black_box(pack(&lengths, &req, &ctl).unwrap());
        t[1].push(t0.elapsed().as_nanos() as f64);

        let t0 = Instant::now();
        black_box(pack_rows(&docs, &opts, &ctl).unwrap());
        t[2].push(t0.elapsed().as_nanos() as f64);

        let t0 = Instant::now();
        black_box(pack_rows(&docs, &opts_n, &ctl).unwrap());
        t[4].push(t0.elapsed().as_nanos() as f64);

        let t0 = Instant::now();
        let mut sp = StreamPacker::online(nf, capacity).unwrap();
        let mut out = StreamBins::new();
        sp.push_all(&lengths, &mut out).unwrap();
        sp.flush(&mut out).unwrap();
        black_box(&out);
        t[3].push(t0.elapsed().as_nanos() as f64);
    }
    let median = |v: &mut Vec<f64>| {
        v.sort_by(|a, b| a.partial_cmp(b).unwrap());
        v[v.len() / 2]
    };
    let [m, p, r, s, rn] = t.map(|mut v| median(&mut v));
    let per = |x: f64| x / total as f64;
    println!("memcpy     {:8.3} ns/token", per(m));
    println!("pack       {:8.3} ns/token", per(p));
    println!(
        "rows 1t    {:8.3} ns/token   rows / memcpy = {:.2}x",
        per(r),
        r / m
    );
    println!(
        "rows {cores}t    {:8.3} ns/token   rows / memcpy = {:.2}x",
        per(rn),
        rn / m
    );
    println!(
        "stream nf  {:8.2} ns/doc     = {:.1} M docs/s",
        s / num_docs as f64,
        num_docs as f64 / s * 1e3
    );
}
