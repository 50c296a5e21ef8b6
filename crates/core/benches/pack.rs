//! Criterion benchmarks of the core, with no JavaScript in the timed region, so
//! the napi boundary's cost can be read off against `bench/ab.mjs`.
//!
//! Inputs are the four synthetic distributions of seqpacker and LightBinPack (seeded): uniform
//! 16..=512, log-normal mean 128 sd 64, exponential mean 128, bimodal
//! 70% N(64, 12.8) + 30% N(512, 102.4); lengths are clamped to `1..=C`.
//!
//! Groups:
//! - `obfd/<dist>/<C>/<N>`: the whole `seqpack_core::pack` path (validation,
//!   sort, placement, flat output, metrics), N = 10k, 100k, 1M; C = 512..8192.
//! - `placement/<policy>/<N>`: the any-fit loop alone (best fit, first fit) on
//!   a precomputed decreasing order, uniform, C = 4096.
//! - `phases/<phase>`: each stage of OBFD at N = 1M, C = 4096, uniform.
//!
//! Sample sizes are small so a full run takes about two minutes; filter with
//! e.g. `cargo bench -p seqpack-core --bench pack -- obfd/uniform/4096`.
//! Throughput is reported per item (elements/s).

use criterion::measurement::WallTime;
use criterion::{
    criterion_group, criterion_main, BenchmarkGroup, BenchmarkId, Criterion, Throughput,
};
use seqpack_core::algorithms::{obfd, order};
use seqpack_core::{pack, placement, Control, Metrics, Request, Strategy};
use std::hint::black_box;
use std::time::Duration;

/// SplitMix64: small, seeded, good enough for synthetic lengths.
struct Rng(u64);

impl Rng {
    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    /// Uniform in [0, 1).
    fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }
    /// Standard normal (Box-Muller).
    fn normal(&mut self) -> f64 {
        let (u1, u2) = (1.0 - self.unit(), self.unit());
        (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
    }
}

const DISTS: [&str; 4] = ["uniform", "lognormal", "exponential", "bimodal"];

fn lengths(dist: &str, n: usize, capacity: u32, seed: u64) -> Vec<u32> {
    let mut r = Rng(seed);
    let sigma2 = (1.0f64 + (64.0f64 / 128.0).powi(2)).ln();
    let mu = 128f64.ln() - sigma2 / 2.0;
    (0..n)
        .map(|_| {
            let v = match dist {
                "uniform" => 16.0 + (r.unit() * 497.0).floor(),
                "lognormal" => (mu + sigma2.sqrt() * r.normal()).exp().round(),
                "exponential" => (-128.0 * (1.0 - r.unit()).ln()).ceil(),
                "bimodal" => {
                    if r.unit() < 0.7 {
                        (64.0 + 12.8 * r.normal()).round()
                    } else {
                        (512.0 + 102.4 * r.normal()).round()
                    }
                }
                _ => unreachable!("unknown distribution {dist}"),
            };
            v.clamp(1.0, capacity as f64) as u32
        })
        .collect()
}

fn request(capacity: u32) -> Request {
    Request::new(Strategy::Obfd, capacity).expect("valid request")
}

/// A group with the settings every group here uses: 10 samples after a
/// short warm-up, so the whole suite stays a smoke-level check in CI.
fn quick_group<'a>(c: &'a mut Criterion, name: &str) -> BenchmarkGroup<'a, WallTime> {
    let mut g = c.benchmark_group(name);
    g.sample_size(10)
        .warm_up_time(Duration::from_millis(300))
        .measurement_time(Duration::from_millis(800));
    g
}

fn bench_obfd(c: &mut Criterion) {
    let mut g = quick_group(c, "obfd");
    for dist in DISTS {
        for cap in [512u32, 2048, 4096, 8192] {
            for n in [10_000usize, 100_000, 1_000_000] {
                let input = lengths(dist, n, cap, 42);
                let req = request(cap);
                g.throughput(Throughput::Elements(n as u64));
                g.bench_with_input(
                    BenchmarkId::new(format!("{dist}/{cap}"), n),
                    &input,
                    |b, input| {
                        b.iter(|| pack(black_box(input), &req, &Control::none()).expect("packs"))
                    },
                );
            }
        }
    }
    g.finish();
}

fn bench_placement(c: &mut Criterion) {
    let mut g = quick_group(c, "placement");
    let cap = 4096;
    for n in [10_000usize, 100_000, 1_000_000] {
        let input = lengths("uniform", n, cap, 42);
        let max = *input.iter().max().unwrap();
        let ord = order::decreasing(&input, max);
        g.throughput(Throughput::Elements(n as u64));
        g.bench_with_input(BenchmarkId::new("best_fit", n), &ord, |b, ord| {
            b.iter(|| {
                placement::best_fit(&input, ord.clone(), cap, &Control::none()).expect("packs")
            })
        });
        g.bench_with_input(BenchmarkId::new("first_fit", n), &ord, |b, ord| {
            b.iter(|| {
                placement::first_fit(&input, ord.clone(), cap, &Control::none()).expect("packs")
            })
        });
    }
    g.finish();
}

fn bench_phases(c: &mut Criterion) {
    let mut g = quick_group(c, "phases");
    let (n, cap) = (1_000_000usize, 4096u32);
    let input = lengths("uniform", n, cap, 42);
    let max = *input.iter().max().unwrap();
    let req = request(cap);
    g.throughput(Throughput::Elements(n as u64));
    g.bench_function("validate", |b| {
        b.iter(|| seqpack_core::input::validate_u32(black_box(&input), cap))
    });
    g.bench_function("sort", |b| {
        b.iter(|| order::decreasing(black_box(&input), max))
    });
    g.bench_function("assign", |b| {
        b.iter(|| obfd::obfd(black_box(&input), cap, max, &Control::none()))
    });
    let packing = obfd::obfd(&input, cap, max, &Control::none())
        .unwrap()
        .into_packing(&input);
    g.bench_function("assign+flatten", |b| {
        b.iter(|| {
            obfd::obfd(black_box(&input), cap, max, &Control::none())
                .unwrap()
                .into_packing(&input)
        })
    });
    g.bench_function("metrics", |b| {
        b.iter(|| Metrics::compute(black_box(&packing), &input, cap))
    });
    g.bench_function("pack", |b| {
        b.iter(|| pack(black_box(&input), &req, &Control::none()))
    });
    g.finish();
}

criterion_group!(benches, bench_obfd, bench_placement, bench_phases);
criterion_main!(benches);
