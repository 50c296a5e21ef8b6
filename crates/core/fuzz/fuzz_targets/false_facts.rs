#![no_main]
//! The internal entry (`algorithms::run`) with validation bypassed: lengths
//! may be 0 or above the capacity and `max_len` may be anything. The result
//! must be a valid packing of the lengths or a typed error; never a panic,
//! a hang or an over-capacity bin.

#[path = "../../tests/support/case.rs"]
mod case;

use seqpack_core::algorithms::{self, RawOptions, Request, STRATEGIES};
use seqpack_core::{Control, ErrorKind};

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let mut b = case::Bytes::new(data);
    let s = STRATEGIES[b.u8() as usize % STRATEGIES.len()];
    let hi = if b.u8() % 4 == 0 { u32::MAX } else { 5000 };
    let cap = b.range(1, hi);
    let mut raw = RawOptions::default();
    let mut given = Some(cap as f64);
    match s.name {
        "ogbfd" | "ogbfdp" => raw.group_size = Some(b.range(1, 5) as f64),
        "ohgbfd" => {
            raw.capacities = Some(vec![cap as f64, b.range(1, cap) as f64]);
            given = None;
        }
        "oshgbfd" => {
            raw.layouts = Some(vec![vec![b.range(1, cap) as f64], vec![cap as f64, 1.0]]);
            given = None;
        }
        _ => {}
    }
    let req = Request::new(Some(s.name), given, &raw).expect("valid options");
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
    match algorithms::run(&lengths, &req, max_len, &Control::none()) {
        Ok(p) => {
            if let Err(e) = p.verify(&lengths, req.capacity) {
                panic!("{}: invalid packing with max_len {max_len}: {e}", s.name);
            }
        }
        Err(e) => assert!(
            matches!(
                e.kind,
                ErrorKind::InvalidLength
                    | ErrorKind::LengthExceedsCapacity
                    | ErrorKind::InvalidInput
                    | ErrorKind::InvalidOption
            ),
            "{}: {e}",
            s.name
        ),
    }
});
