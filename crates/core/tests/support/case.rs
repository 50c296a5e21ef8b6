//! One fuzz case: bytes in, a packing request decoded from them, every
//! invariant asserted (panics on a violation). Shared by the `cargo fuzz`
//! targets (`crates/core/fuzz/`) and the stable property campaign
//! (`tests/campaign.rs`), which feeds it pseudo-random bytes.
//!
//! Invariants checked on every successful packing: each input index exactly
//! once, every bin within its own capacity, loads equal to the sums of their
//! lengths, no empty bin outside grouped results, group structure (OGBFD:
//! every group has `groupSize` bins; OHGBFD: every group is the `capacities`
//! list, in order; OSHGBFD: every group is one of the `layouts`), and metrics
//! consistent with the packing (counts, tokens, capacity, padding, lower
//! bounds). Errors must be typed: invalid lengths name the first offender,
//! and nothing is ever `Internal`.

#![allow(dead_code)]

use seqpack_core::algorithms;
use seqpack_core::{pack, Control, ErrorKind, Options, Outcome, PackError, Request, STRATEGIES};

/// Reads numbers from the fuzz input; zeros once it runs out.
pub struct Bytes<'a> {
    data: &'a [u8],
    pos: usize,
}

impl<'a> Bytes<'a> {
    pub fn new(data: &'a [u8]) -> Self {
        Bytes { data, pos: 0 }
    }
    pub fn u8(&mut self) -> u8 {
        let b = self.data.get(self.pos).copied().unwrap_or(0);
        self.pos += 1;
        b
    }
    pub fn u16(&mut self) -> u16 {
        u16::from_le_bytes([self.u8(), self.u8()])
    }
    pub fn u32(&mut self) -> u32 {
        u32::from_le_bytes([self.u8(), self.u8(), self.u8(), self.u8()])
    }
    /// A value in `lo..=hi`.
    pub fn range(&mut self, lo: u32, hi: u32) -> u32 {
        lo + (self.u32() as u64 % (hi as u64 - lo as u64 + 1)) as u32
    }
}

/// What the case did, for the campaign's statistics.
#[derive(Debug, Default, Clone, Copy)]
pub struct Tally {
    pub packed: u64,
    pub rejected: u64,
}

fn capacity(b: &mut Bytes) -> u32 {
    match b.u8() % 8 {
        0 => b.range(1, 8),
        1 | 2 => b.range(1, 64),
        3 | 4 => b.range(64, 4096),
        5 => b.range(4096, 1 << 20),
        6 => (1 << 22) + b.range(0, 3), // around the dense/sparse switch
        _ => b.range(1 << 22, u32::MAX),
    }
}

fn lengths(b: &mut Bytes, cap: u32, n: usize) -> Vec<u32> {
    let mode = b.u8() % 6;
    let distinct: Vec<u32> = (0..4).map(|_| b.range(1, cap)).collect();
    (0..n)
        .map(|_| match mode {
            0 => b.range(1, cap),
            1 => distinct[b.u8() as usize % 4],
            2 => b.range(1, cap.min(16)),
            3 => cap - b.range(0, cap.min(16) - 1),
            4 => b.range(1, (cap / 3).max(1)),
            _ => b.range(1, cap.min(1 << 16)),
        })
        .collect()
}

fn weights(b: &mut Bytes, n: usize) -> Option<Vec<f64>> {
    let mode = b.u8() % 6;
    let w = (0..n).map(|i| match mode {
        1 => 0.0,
        2 => {
            if i % 2 == 0 {
                0.0
            } else {
                1e6
            }
        }
        3 => b.u16() as f64 / 7.0,
        4 => {
            if b.u8().is_multiple_of(2) {
                -0.0
            } else {
                1e300
            }
        }
        _ => b.u32() as f64,
    });
    if mode == 0 {
        None
    } else {
        Some(w.collect())
    }
}

fn cap_list(b: &mut Bytes, cap: u32, max: u32) -> Vec<u32> {
    let k = b.range(1, max);
    let mut v: Vec<u32> = (0..k).map(|_| b.range(1, cap)).collect();
    if b.u8().is_multiple_of(2) {
        v[0] = cap;
    }
    v
}

/// Decodes a request; `Err` when the options are (correctly) refused.
fn request(b: &mut Bytes, name: &str, cap: u32, n: usize) -> Result<Request, PackError> {
    let strategy = name.parse().expect("a catalogued name");
    let mut r = Request::builder(strategy);
    let mut give_cap = true;
    match name {
        "hk" => r = r.k(b.range(2, 40)),
        "ffs" => r = r.seed(b.u32() as u64),
        "obfdp" => {
            if let Some(t) = b.u8().checked_rem(5).filter(|&t| t > 0) {
                r = r.threads([1, 2, 3, 1024][t as usize - 1]);
            }
        }
        "ogbfd" | "ogbfdp" => {
            r = r.group_size(b.range(1, 9));
            if name == "ogbfdp" {
                r = r.threads([1, 2, 3, 8][b.u8() as usize % 4]);
            }
        }
        "ohgbfd" => {
            r = r.capacities(cap_list(b, cap, 6));
            if let Some(w) = weights(b, n) {
                r = r.weights(w);
            }
            give_cap = false;
        }
        "oshgbfd" => {
            let layouts = b.range(1, 3);
            r = r.layouts((0..layouts).map(|_| cap_list(b, cap, 4)).collect());
            if let Some(w) = weights(b, n) {
                r = r.weights(w);
            }
            give_cap = false;
        }
        _ => {}
    }
    if give_cap {
        r = r.capacity(cap);
    }
    r.build()
}

fn group_size(req: &Request) -> usize {
    match req.options() {
        Options::Groups { group_size, .. } => *group_size as usize,
        o => panic!("no group size in {o:?}"),
    }
}

fn layouts(req: &Request) -> &[Vec<u32>] {
    match req.options() {
        Options::Devices { layouts, .. } => layouts,
        _ => &[],
    }
}

fn weights_of(req: &Request) -> Option<&[f64]> {
    match req.options() {
        Options::Devices { weights, .. } => weights.as_deref(),
        _ => None,
    }
}

/// Asserts every invariant of a successful packing.
pub fn check_outcome(name: &str, o: &Outcome, lengths: &[u32], req: &Request) {
    let p = &o.packing;
    if let Err(e) = p.verify(lengths, req.capacity()) {
        panic!(
            "{name}: {e} (capacity {}, lengths {lengths:?})",
            req.capacity()
        );
    }
    let info = req.strategy().info();
    let bins = p.num_bins();
    match (info.grouped, &p.group_offsets) {
        (false, None) => assert!(p.bins().all(|b| !b.is_empty()), "{name}: empty bin"),
        (true, Some(g)) => {
            let caps = |range: std::ops::Range<usize>| -> Vec<u32> {
                range.map(|b| p.capacity_of(b, req.capacity())).collect()
            };
            for w in g.windows(2) {
                let (a, z) = (w[0] as usize, w[1] as usize);
                match name {
                    "ogbfd" | "ogbfdp" => {
                        assert_eq!(z - a, group_size(req), "{name}: group size")
                    }
                    "ohgbfd" => assert_eq!(caps(a..z), layouts(req)[0], "{name}: group layout"),
                    "oshgbfd" => assert!(
                        layouts(req).contains(&caps(a..z)),
                        "{name}: group is no layout"
                    ),
                    _ => unreachable!(),
                }
            }
        }
        _ => panic!(
            "{name}: group offsets present = {}",
            p.group_offsets.is_some()
        ),
    }
    let m = &o.metrics;
    let total: u64 = lengths.iter().map(|&l| l as u64).sum();
    let total_cap: u64 = (0..bins)
        .map(|b| p.capacity_of(b, req.capacity()) as u64)
        .sum();
    assert_eq!(m.num_bins, bins, "{name}: metrics.num_bins");
    assert_eq!(m.num_items, lengths.len(), "{name}: metrics.num_items");
    assert_eq!(m.total_tokens, total, "{name}: metrics.total_tokens");
    assert_eq!(
        m.total_capacity, total_cap,
        "{name}: metrics.total_capacity"
    );
    assert_eq!(
        m.padding_tokens,
        total_cap - total,
        "{name}: metrics.padding_tokens"
    );
    assert_eq!(
        m.lower_bound_l1,
        total.div_ceil(req.capacity() as u64),
        "{name}: L1"
    );
    assert!(m.lower_bound_l2 >= m.lower_bound_l1, "{name}: L2 < L1");
    if !info.grouped {
        assert!(
            bins as u64 >= m.lower_bound_l2,
            "{name}: fewer bins than the L2 bound"
        );
    }
    if let Some(gb) = &m.groups {
        assert_eq!(
            gb.num_groups + 1,
            p.group_offsets.as_ref().unwrap().len(),
            "{name}: group count"
        );
    }
}

/// Runs one case through the public entry point ([`pack`]) and, for every
/// tenth case, through the internal entry with a possibly false `max_len`
/// and possibly invalid lengths (validation bypassed).
pub fn run_case(data: &[u8]) -> Tally {
    let mut b = Bytes::new(data);
    let s = STRATEGIES[b.u8() as usize % STRATEGIES.len()];
    let name = s.name;
    let cap = capacity(&mut b);
    let n = (b.u16() % 700) as usize;
    let mut lens = lengths(&mut b, cap, n);
    // Sometimes an invalid length: 0, or above the capacity.
    let corrupt = b.u8();
    if corrupt % 16 == 15 && n > 0 {
        let at = b.u16() as usize % n;
        lens[at] = if corrupt % 32 == 31 {
            0
        } else {
            cap.saturating_add(1 + b.range(0, 9))
        };
    }
    let mut tally = Tally::default();
    let req = match request(&mut b, name, cap, n) {
        Ok(r) => r,
        Err(e) => {
            assert_eq!(e.kind, ErrorKind::InvalidOption, "{name}: {e}");
            if std::env::var_os("SEQPACK_CASE_DEBUG").is_some() {
                eprintln!("refused request: {e}");
            }
            tally.rejected += 1;
            return tally;
        }
    };
    let first_bad = lens.iter().position(|&l| l == 0 || l > req.capacity());
    match pack(&lens, &req, &Control::none()) {
        Ok(o) => {
            assert!(
                first_bad.is_none(),
                "{name}: packed an invalid length at {first_bad:?}"
            );
            check_outcome(name, &o, &lens, &req);
            tally.packed += 1;
        }
        Err(e) => {
            let weights_mismatch = weights_of(&req).is_some_and(|w| w.len() != n);
            match first_bad {
                Some(i) => {
                    assert!(
                        matches!(
                            e.kind,
                            ErrorKind::InvalidLength | ErrorKind::LengthExceedsCapacity
                        ),
                        "{name}: {e}"
                    );
                    assert_eq!(e.index, Some(i), "{name}: {e}");
                }
                None => assert!(weights_mismatch, "{name}: valid input refused: {e}"),
            }
            if std::env::var_os("SEQPACK_CASE_DEBUG").is_some() {
                eprintln!("refused packing: {e}");
            }
            tally.rejected += 1;
        }
    }
    // False facts: the internal entry with an arbitrary max_len.
    if b.u8().is_multiple_of(10) && n > 0 {
        let max_len = match b.u8() % 4 {
            0 => 0,
            1 => b.range(0, req.capacity()),
            2 => lens.iter().copied().max().unwrap_or(0).saturating_sub(1),
            _ => req.capacity(),
        };
        false_facts(name, &lens, &req, max_len);
    }
    tally
}

/// The internal entry (`algorithms::run`, validation bypassed) with a
/// `max_len` and lengths that may be false: the result must be a valid
/// packing of `lens` or a typed error about the input, never a panic or an
/// over-capacity bin.
pub fn false_facts(name: &str, lens: &[u32], req: &Request, max_len: u32) {
    let workers = algorithms::workers_for(req, lens.len());
    match algorithms::run(lens, req, max_len, &workers, &Control::none()) {
        Ok(p) => {
            if let Err(e) = p.verify(lens, req.capacity()) {
                panic!("{name}: false max_len {max_len} gave an invalid packing: {e}");
            }
        }
        Err(e) => assert!(
            matches!(
                e.kind,
                ErrorKind::InvalidLength
                    | ErrorKind::LengthExceedsCapacity
                    | ErrorKind::InputChanged
                    | ErrorKind::InvalidOption
            ),
            "{name}: false max_len {max_len}: {e}"
        ),
    }
}
