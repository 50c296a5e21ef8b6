#![no_main]
//! The internal entry (`algorithms::run`) with validation bypassed: lengths
//! may be 0 or above the capacity and `max_len` may be anything. The result
//! must be a valid packing of the lengths or a typed error; never a panic,
//! a hang or an over-capacity bin.

#[path = "../../tests/support/case.rs"]
mod case;

use seqpack_core::{Request, STRATEGIES};

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let mut b = case::Bytes::new(data);
    let s = STRATEGIES[b.u8() as usize % STRATEGIES.len()];
    let hi = if b.u8() % 4 == 0 { u32::MAX } else { 5000 };
    let cap = b.range(1, hi);
    let r = Request::builder(s.strategy);
    let r = match s.name {
        "ogbfd" | "ogbfdp" => r.group_size(b.range(1, 5)).capacity(cap),
        "ohgbfd" => r.capacities(vec![cap, b.range(1, cap)]),
        "oshgbfd" => r.layouts(vec![vec![b.range(1, cap)], vec![cap, 1]]),
        _ => r.capacity(cap),
    };
    let req = r.build().expect("valid options");
    let n = (b.u16() % 400) as usize;
    let lengths: Vec<u32> = (0..n)
        .map(|_| match b.u8() % 8 {
            0 => 0,
            1 => b.u32(),
            2 => cap.saturating_add(1),
            _ => b.range(1, cap),
        })
        .collect();
    let max_len = match b.u8() % 3 {
        0 => b.u32() % (cap.saturating_add(2)),
        1 => lengths.iter().copied().max().unwrap_or(0),
        _ => cap,
    };
    case::false_facts(s.name, &lengths, &req, max_len);
});
