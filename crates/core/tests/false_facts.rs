//! The algorithms rely on facts that validation establishes (each length in
//! `1..=capacity`, the largest being `max_len`). Here those facts are false,
//! as they are when validation is bypassed or when the input memory changes
//! while it is read: every strategy must return a valid packing or a typed
//! error, in bounded time (a hang guard fails the test instead of hanging).

mod common;

use seqpack_core::algorithms;
use seqpack_core::{Control, ErrorKind, Packing};
use seqpack_core::{Request, STRATEGIES};
use std::sync::mpsc;
use std::time::Duration;

fn request(name: &str, capacity: u32) -> Request {
    let r = Request::builder(name.parse().unwrap());
    let r = match name {
        "ogbfd" | "ogbfdp" => r.group_size(3),
        "ohgbfd" => r.capacities(vec![capacity, (capacity / 2).max(1)]),
        "oshgbfd" => r.layouts(vec![vec![(capacity / 2).max(1)], vec![capacity; 2]]),
        "obfdp" => r.threads(2),
        _ => r,
    };
    let r = if matches!(name, "ohgbfd" | "oshgbfd") {
        r
    } else {
        r.capacity(capacity)
    };
    r.build().unwrap()
}

/// Runs the internal entry on another thread with a hang guard.
fn run_bounded(
    name: &str,
    lengths: Vec<u32>,
    capacity: u32,
    max_len: u32,
) -> Result<Packing, seqpack_core::PackError> {
    let (tx, rx) = mpsc::channel();
    let req = request(name, capacity);
    let l2 = lengths.clone();
    std::thread::spawn(move || {
        let r = std::panic::catch_unwind(|| {
            let workers = algorithms::workers_for(&req, l2.len());
            algorithms::run(&l2, &req, max_len, &workers, &Control::none())
        });
        let _ = tx.send(r);
    });
    match rx.recv_timeout(Duration::from_secs(20)) {
        Ok(Ok(r)) => r,
        Ok(Err(_)) => panic!(
            "{name}: panicked on {} lengths {:?}.. with max_len {max_len}",
            lengths.len(),
            &lengths[..lengths.len().min(12)]
        ),
        Err(_) => panic!("{name}: did not finish within 20 s on false facts (max_len {max_len})"),
    }
}

/// Valid packing of `lengths` (each index once, no bin over its capacity),
/// or an error of a kind that names the input.
fn assert_valid_or_typed(
    name: &str,
    lengths: &[u32],
    capacity: u32,
    r: Result<Packing, seqpack_core::PackError>,
) {
    match r {
        Ok(p) => {
            let check = p.verify(lengths, capacity);
            assert_eq!(
                check,
                Ok(()),
                "{name}: invalid packing of {} lengths {:?}..",
                lengths.len(),
                &lengths[..lengths.len().min(12)]
            );
        }
        Err(e) => assert!(
            matches!(
                e.kind,
                ErrorKind::LengthExceedsCapacity
                    | ErrorKind::InvalidLength
                    | ErrorKind::InputChanged
            ),
            "{name}: unexpected error {e}"
        ),
    }
}

#[test]
fn a_length_above_capacity_is_an_error_not_a_hang() {
    // ffd, obfd and obfdp used to open empty bins forever here; nf, mffd and
    // the grouped strategies returned bins over capacity.
    for s in STRATEGIES.iter() {
        let cap = 100;
        let lengths = vec![30, 250, 70, 100, 5, 101, 60];
        let r = run_bounded(s.name, lengths.clone(), cap, cap);
        assert!(r.is_err(), "{}: packed a length above capacity", s.name);
        let e = r.unwrap_err();
        assert_eq!(e.kind, ErrorKind::LengthExceedsCapacity, "{}: {e}", s.name);
        assert!(matches!(e.index, Some(1) | Some(5)), "{}: {e:?}", s.name);
    }
}

#[test]
fn max_len_below_the_true_maximum() {
    for s in STRATEGIES.iter() {
        let cap = 1000;
        let lengths: Vec<u32> = (0..500u32).map(|i| 1 + (i * 7919) % 900).collect();
        for max_len in [1, 17, 450, 899] {
            let r = run_bounded(s.name, lengths.clone(), cap, max_len);
            assert_valid_or_typed(s.name, &lengths, cap, r);
        }
        // Too high is merely wasteful: must still pack correctly.
        let r = run_bounded(s.name, lengths.clone(), cap, cap);
        assert_valid_or_typed(s.name, &lengths, cap, r);
    }
}

#[test]
fn zero_lengths_and_huge_lengths_are_typed_errors() {
    for s in STRATEGIES.iter() {
        let cap = 64;
        for lengths in [
            vec![5, 0, 9],
            vec![u32::MAX, 3],
            vec![0],
            vec![64, 64, u32::MAX - 1, 1],
        ] {
            for max_len in [0, 1, 64] {
                let r = run_bounded(s.name, lengths.clone(), cap, max_len);
                assert!(r.is_err(), "{}: packed {lengths:?}", s.name);
                assert_valid_or_typed(s.name, &lengths, cap, r);
            }
        }
    }
}

#[test]
fn many_items_above_capacity_stay_bounded() {
    // A long run of too-long items: one error, not millions of empty bins.
    for name in ["ffd", "obfd", "obfdp", "nf", "mffd", "ogbfd", "ohgbfd"] {
        let mut lengths = vec![300u32; 200_000];
        lengths.extend([10, 20, 30]);
        let r = run_bounded(name, lengths.clone(), 100, 100);
        assert_eq!(
            r.unwrap_err().kind,
            ErrorKind::LengthExceedsCapacity,
            "{name}"
        );
    }
}
