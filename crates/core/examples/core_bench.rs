//! Times the core alone (no napi, no JS), so the benchmarks can show what the
//! Node boundary costs on top of it. Used by `bench/peers.mjs`:
//!
//! ```text
//! cargo run --release -p seqpack-core --example core_bench -- <strategy> <rounds> <lengths.u32> <capacity> [<lengths.u32> <capacity> ...]
//! ```
//!
//! Each file holds little-endian u32 lengths. The timed region is
//! `seqpack_core::pack` (validation, algorithm, flat packing, metrics): the
//! same work the JS `pack()` call does, minus argument conversion and handing
//! the arrays to JS. Cases are interleaved round by round after one warm-up
//! call each; prints one JSON line per case with the median nanoseconds.
//! With `rounds = 0` each case is packed once and only `bins` is printed
//! (used to measure peak memory from outside with /usr/bin/time).
//! `ohgbfd` packs into groups of devices `[2C, C, C, C/2]`, `oshgbfd` into
//! that layout or `[C, C, C, C]` (C = the case's capacity), as the peers
//! benchmark does.

use seqpack_core::{pack, Control, Request, Strategy};
use std::time::Instant;

/// Reads little-endian u32s in 64 KiB chunks, so the peak memory of the
/// process holds the input once (not once as bytes and once as u32s).
fn read_u32_le(path: &str) -> Vec<u32> {
    use std::io::Read;
    let mut f = std::fs::File::open(path).unwrap_or_else(|e| panic!("cannot read {path}: {e}"));
    let len = f.metadata().map(|m| m.len() as usize / 4).unwrap_or(0);
    let mut out = Vec::with_capacity(len);
    let mut buf = vec![0u8; 1 << 16];
    let mut carry = 0usize; // bytes of an incomplete u32 left at the start of `buf`
    loop {
        let got = f
            .read(&mut buf[carry..])
            .unwrap_or_else(|e| panic!("cannot read {path}: {e}"));
        if got == 0 {
            break;
        }
        let have = carry + got;
        let whole = have / 4 * 4;
        out.extend(
            buf[..whole]
                .chunks_exact(4)
                .map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]])),
        );
        buf.copy_within(whole..have, 0);
        carry = have - whole;
    }
    out
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.len() < 4 || !args[2..].chunks_exact(2).remainder().is_empty() {
        eprintln!("usage: core_bench <strategy> <rounds> <lengths.u32> <capacity> [<lengths.u32> <capacity> ...]");
        std::process::exit(2);
    }
    let strategy: Strategy = args[0].parse().unwrap_or_else(|e| panic!("{e}"));
    let rounds: usize = args[1].parse().expect("rounds must be an integer");
    let cases: Vec<(String, Vec<u32>, Request)> = args[2..]
        .chunks(2)
        .map(|c| {
            let lengths = read_u32_le(&c[0]);
            let capacity: u32 = c[1].parse().expect("capacity must be an integer");
            // The heterogeneous strategies get the device capacities that
            // bench/peers.mjs (GROUPED_OPTIONS) derives from the capacity.
            let first = vec![2 * capacity, capacity, capacity, capacity / 2];
            let req = match strategy {
                Strategy::Ohgbfd => Request::builder(strategy).capacities(first).build(),
                Strategy::Oshgbfd => Request::builder(strategy)
                    .layouts(vec![first, vec![capacity; 4]])
                    .build(),
                _ => Request::new(strategy, capacity),
            }
            .unwrap_or_else(|e| panic!("{e}"));
            (c[0].clone(), lengths, req)
        })
        .collect();

    let ctl = Control::none();
    let mut bins = Vec::with_capacity(cases.len());
    for (_, lengths, req) in &cases {
        bins.push(
            pack(lengths, req, &ctl)
                .expect("pack failed")
                .packing
                .num_bins(),
        );
    }
    let mut samples = vec![Vec::with_capacity(rounds); cases.len()];
    for _ in 0..rounds {
        for (i, (_, lengths, req)) in cases.iter().enumerate() {
            let t0 = Instant::now();
            let out = pack(lengths, req, &ctl).expect("pack failed");
            let ns = t0.elapsed().as_nanos() as u64;
            std::hint::black_box(&out);
            samples[i].push(ns);
        }
    }
    for (i, (file, lengths, _)) in cases.iter().enumerate() {
        let s = &mut samples[i];
        s.sort_unstable();
        let median = if s.is_empty() { 0 } else { s[s.len() / 2] };
        println!(
            r#"{{"file":{file:?},"n":{},"bins":{},"rounds":{},"median_ns":{median}}}"#,
            lengths.len(),
            bins[i],
            s.len()
        );
    }
}
