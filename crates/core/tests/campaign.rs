//! The stable property campaign: the fuzz targets' case decoder
//! (`support/case.rs`) fed with pseudo-random bytes, on stable Rust.
//!
//! Bounded by default so it fits CI (20,000 cases in a release build, 2,000
//! in a debug build, or 60 s, whichever comes first); longer on demand:
//!
//! ```sh
//! SEQPACK_CAMPAIGN_CASES=1000000 SEQPACK_CAMPAIGN_SECS=3600 \
//!   cargo test -p seqpack-core --release --test campaign -- --nocapture
//! ```
//!
//! `SEQPACK_CAMPAIGN_SEED` picks another stream (default: 1). A failing case
//! prints its seed and index, and `SEQPACK_CAMPAIGN_CASE=<index>` replays it.

#[path = "support/case.rs"]
mod case;

use std::time::{Duration, Instant};

fn env(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// SplitMix64: the bytes of case `i` of stream `seed`.
fn case_bytes(seed: u64, i: u64) -> Vec<u8> {
    let mut x = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ i;
    let mut next = || {
        x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = x;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    };
    let len = 16 + (next() % 8192) as usize;
    (0..len.div_ceil(8))
        .flat_map(|_| next().to_le_bytes())
        .take(len)
        .collect()
}

#[test]
fn property_campaign() {
    let seed = env("SEQPACK_CAMPAIGN_SEED", 1);
    if let Ok(i) = std::env::var("SEQPACK_CAMPAIGN_CASE") {
        let i: u64 = i.parse().expect("SEQPACK_CAMPAIGN_CASE is a case index");
        case::run_case(&case_bytes(seed, i));
        return;
    }
    let cases = env(
        "SEQPACK_CAMPAIGN_CASES",
        if cfg!(debug_assertions) {
            2_000
        } else {
            20_000
        },
    );
    let budget = Duration::from_secs(env("SEQPACK_CAMPAIGN_SECS", 60));
    let t0 = Instant::now();
    let mut total = case::Tally::default();
    let mut done = 0u64;
    for i in 0..cases {
        if t0.elapsed() > budget {
            break;
        }
        let bytes = case_bytes(seed, i);
        let r = std::panic::catch_unwind(|| case::run_case(&bytes));
        match r {
            Ok(t) => {
                total.packed += t.packed;
                total.rejected += t.rejected;
            }
            Err(e) => {
                let msg = e.downcast_ref::<String>().cloned().unwrap_or_default();
                panic!("case {i} of seed {seed} failed (replay: SEQPACK_CAMPAIGN_SEED={seed} SEQPACK_CAMPAIGN_CASE={i}): {msg}");
            }
        }
        done += 1;
    }
    println!(
        "campaign: {done} cases ({} packed, {} refused) in {:.1} s, seed {seed}",
        total.packed,
        total.rejected,
        t0.elapsed().as_secs_f64()
    );
    assert!(done > 0);
}
