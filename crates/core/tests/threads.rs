//! Thread use: one worker pool per process, never more threads than the
//! machine has, whatever `threads` asks for. A single test in its own binary,
//! so no other test starts threads while it counts them.

use seqpack_core::parallel::{machine_threads, pools_built};
use seqpack_core::{pack, Control, Request};

/// OS threads of this process (Linux); `None` elsewhere.
fn os_threads() -> Option<usize> {
    let s = std::fs::read_to_string("/proc/self/status").ok()?;
    s.lines()
        .find_map(|l| l.strip_prefix("Threads:"))
        .and_then(|v| v.trim().parse().ok())
}

#[test]
fn threads_are_capped_and_the_pool_is_built_once() {
    let before = os_threads();
    let big: Vec<u32> = (0..300_000u32).map(|i| 1 + (i * 7919) % 4000).collect();
    let tiny = [5u32, 6, 7];
    for (round, t) in [1024, 2, 3, 1024, 7, 2, 64].into_iter().enumerate() {
        for (name, lengths) in [
            ("obfdp", &big[..]),
            ("obfdp", &tiny[..]),
            ("ogbfdp", &big[..]),
            ("ogbfdp", &tiny[..]),
        ] {
            let mut r = Request::builder(name.parse().unwrap())
                .capacity(4096)
                .threads(t);
            if name == "ogbfdp" {
                r = r.group_size(4);
            }
            let req = r.build().unwrap();
            let o = pack(lengths, &req, &Control::none()).unwrap();
            o.packing.verify(lengths, 4096).unwrap();
        }
        assert!(pools_built() <= 1, "round {round}: {} pools", pools_built());
        if let (Some(b), Some(now)) = (before, os_threads()) {
            assert!(
                now <= b + machine_threads(),
                "round {round}: {b} threads before, {now} now"
            );
        }
    }
}
