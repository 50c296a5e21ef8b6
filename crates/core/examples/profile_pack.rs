//! A fixed workload for valgrind (callgrind/cachegrind): packs seeded uniform
//! 16..=512 lengths once with OBFD. `cargo build --profile profiling -p
//! seqpack-core --example profile_pack`, then
//! `valgrind --tool=callgrind --toggle-collect='*measured*' target/profiling/examples/profile_pack [N] [C]`
//! (the toggle counts only the library call, not input generation).
mod support;

use seqpack_core::{pack, Control, Outcome, Request, Strategy};

#[inline(never)]
fn measured(lengths: &[u32], req: &Request) -> Outcome {
    pack(lengths, req, &Control::none()).expect("pack")
}

fn main() {
    let mut args = std::env::args().skip(1);
    let (lengths, cap) = support::uniform_lengths(&mut args);
    let n = lengths.len();
    let req = Request::new(Strategy::Obfd, cap).expect("request");
    // Optional third argument: time that many rounds and print the median
    // ns/item (the core alone).
    if let Some(rounds) = args.next().map(|a| a.parse::<usize>().expect("rounds")) {
        let reps = (2_000_000 / n).max(1);
        let mut t: Vec<f64> = (0..rounds)
            .map(|_| {
                let t0 = std::time::Instant::now();
                for _ in 0..reps {
                    std::hint::black_box(measured(&lengths, &req));
                }
                t0.elapsed().as_nanos() as f64 / (reps * n) as f64
            })
            .collect();
        t.sort_by(f64::total_cmp);
        println!(
            "core N={n} C={cap}: {:.2} ns/item (median of {rounds})",
            t[rounds / 2]
        );
    }
    let out = measured(&lengths, &req);
    println!(
        "{} bins, L2 {}",
        out.metrics.num_bins, out.metrics.lower_bound_l2
    );
}
