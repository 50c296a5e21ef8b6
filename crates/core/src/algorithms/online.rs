//! The online family: items are placed in input order, each decided before the
//! next one is seen (nothing is sorted, nothing is looked ahead).
//!
//! | strategy | rule | open bins | time |
//! |---|---|---|---|
//! | `nf` Next-Fit | the single open bin, else close it and open a new one | 1 | `O(n)` |
//! | `ff` First-Fit | earliest-opened bin that fits ([`placement::first_fit`]) | all | `O(n log B)` |
//! | `bf` Best-Fit | fullest bin that fits ([`placement::best_fit`]) | all | `O(n log C)` |
//! | `wf` Worst-Fit | emptiest bin, if it fits ([`placement::worst_fit`]) | all | `O(n log C)` |
//! | `hk` Harmonic-K | one bin per size class ([`HarmonicK`]) | `<= k` | `O(n)` |
//!
//! FF, BF and WF are the shared any-fit loop in input order, straight to the
//! flat packing ([`placement::any_fit_packing`]); NF is the same loop with a
//! one-bin [`Placement`] ([`NextFit`]). Harmonic-K is not an
//! any-fit rule (an item may open a new bin although an open bin of another
//! class could hold it), so it has its own small state machine.

use super::{order, Family, Request, Strategy, StrategyInfo};
use crate::control::Control;
use crate::error::Result;
use crate::packing::{Assignment, Packing};
use crate::placement::{self, FirstFit, Placement};

const fn online(
    strategy: Strategy,
    name: &'static str,
    full_name: &'static str,
    time_complexity: &'static str,
    approximation: &'static str,
    options: &'static [&'static str],
) -> StrategyInfo {
    StrategyInfo {
        strategy,
        family: Family::Online,
        name,
        full_name,
        online: true,
        time_complexity,
        approximation,
        options,
        grouped: false,
    }
}

/// Strategies of this family.
pub const CATALOG: &[StrategyInfo] = &[
    online(Strategy::Nf, "nf", "Next-Fit", "O(n)", "2 OPT", &[]),
    online(
        Strategy::Ff,
        "ff",
        "First-Fit",
        "O(n log B), B = bins",
        "1.7 OPT",
        &[],
    ),
    online(Strategy::Bf, "bf", "Best-Fit", "O(n log C)", "1.7 OPT", &[]),
    online(Strategy::Wf, "wf", "Worst-Fit", "O(n log C)", "2 OPT", &[]),
    online(
        Strategy::Hk,
        "hk",
        "Harmonic-K",
        "O(n) time, O(k) open bins",
        "~1.691 OPT as k -> infinity (Lee & Lee 1985)",
        &["k"],
    ),
];

/// Runs a strategy of this family.
pub fn run(
    strategy: Strategy,
    lengths: &[u32],
    req: &Request,
    _max_len: u32,
    ctl: &Control,
) -> Result<Packing> {
    let c = req.capacity;
    // The any-fit rules go straight to the flat packing, in input order.
    match strategy {
        Strategy::Nf => placement::any_fit_packing::<NextFit>(lengths, None, c, ctl),
        Strategy::Ff => placement::any_fit_packing::<FirstFit>(lengths, None, c, ctl),
        Strategy::Bf => placement::best_fit_packing(lengths, None, c, ctl),
        Strategy::Wf => placement::worst_fit_packing(lengths, None, c, ctl),
        Strategy::Hk => Ok(harmonic_k(lengths, c, req.k, ctl)?.into_packing(lengths)),
        other => unreachable!("{other:?} is not in the online family"),
    }
}

/// Next-Fit as a [`Placement`]: only the most recently opened bin is a
/// candidate. When an item does not fit, `find` says so, the any-fit loop opens
/// a new bin and reports it with `set`, which replaces (closes) the old one.
///
/// `O(1)` per item, one open bin; worst case 2 OPT.
pub struct NextFit {
    /// `(bin, remaining)` of the open bin.
    current: Option<(u32, u32)>,
}

impl Placement for NextFit {
    fn new(_capacity: u32, _bins_hint: usize) -> Self {
        NextFit { current: None }
    }
    #[inline(always)]
    fn find(&mut self, len: u32) -> Option<u32> {
        match self.current {
            Some((bin, remaining)) if remaining >= len => Some(bin),
            _ => None,
        }
    }
    #[inline(always)]
    fn set(&mut self, bin: u32, remaining: u32) {
        self.current = Some((bin, remaining));
    }
}

/// One open bin of a Harmonic-K class.
#[derive(Clone, Copy, Debug)]
struct OpenBin {
    bin: u32,
    items: u32,
    remaining: u32,
}

/// Harmonic-K (Lee & Lee 1985), a bounded-space online packer.
///
/// An item of length `len` belongs to class `clamp(floor(C / len) - 1, 0, k - 1)`:
/// class `i < k - 1` holds lengths in `(C/(i+2), C/(i+1)]`, so exactly `i + 1` of
/// them always fit in one bin and a class-`i` bin is closed as soon as it holds
/// `i + 1` items. Class `k - 1` is the catch-all for `len <= C/k`, packed
/// next-fit: its bin is closed when the next catch-all item does not fit (or it
/// is exactly full).
///
/// Invariant (truly bounded space): at most one open bin per class, so at most
/// `k` open bins at any time, and a closed bin is never looked at again. The
/// state is `O(k)` whatever the input length ([`HarmonicK::open_bins`] lets tests
/// observe it). Bins are numbered in the order they are opened.
///
/// `O(1)` per item. Asymptotic worst case tends to ~1.691 OPT as `k` grows.
#[derive(Clone, Debug)]
pub struct HarmonicK {
    capacity: u32,
    /// `open[i]`: the open bin of class `i`, if any. Length `k`.
    open: Vec<Option<OpenBin>>,
    open_count: usize,
    next_bin: u32,
}

impl HarmonicK {
    /// A packer for bins of `capacity` with `k >= 2` classes.
    pub fn new(capacity: u32, k: u32) -> Self {
        assert!(k >= 2, "Harmonic-K needs k >= 2 (validated by Request)");
        HarmonicK {
            capacity,
            open: vec![None; k as usize],
            open_count: 0,
            next_bin: 0,
        }
    }

    /// The class of an item, `clamp(floor(C / len) - 1, 0, k - 1)`; `len` in `1..=C`.
    #[inline]
    pub fn class_of(&self, len: u32) -> usize {
        ((self.capacity / len).saturating_sub(1) as usize).min(self.open.len() - 1)
    }

    /// Places an item of length `len` (in `1..=C`) and returns its bin.
    pub fn push(&mut self, len: u32) -> u32 {
        let class = self.class_of(len);
        let catch_all = class == self.open.len() - 1;
        // A non-catch-all open bin always has room: it holds fewer than
        // `class + 1` items of length <= C/(class+1), else it would be closed.
        let slot = &mut self.open[class];
        let b = match slot {
            Some(b) if !catch_all || b.remaining >= len => b,
            _ => {
                if slot.is_none() {
                    self.open_count += 1;
                } // else the catch-all bin cannot take it: it is closed and replaced
                let bin = self.next_bin;
                self.next_bin += 1;
                slot.insert(OpenBin {
                    bin,
                    items: 0,
                    remaining: self.capacity,
                })
            }
        };
        b.items += 1;
        b.remaining -= len;
        let bin = b.bin;
        let full = b.remaining == 0 || (!catch_all && b.items as usize == class + 1);
        if full {
            *slot = None;
            self.open_count -= 1;
        }
        bin
    }

    /// Bins currently open (never more than `k`).
    pub fn open_bins(&self) -> usize {
        self.open_count
    }

    /// Whether `bin` is open, i.e. may still receive items. `O(k)`.
    pub fn is_open(&self, bin: u32) -> bool {
        self.open.iter().flatten().any(|b| b.bin == bin)
    }

    /// Bins opened so far.
    pub fn num_bins(&self) -> usize {
        self.next_bin as usize
    }
}

/// Packs `lengths` in input order with [`HarmonicK`].
pub fn harmonic_k(lengths: &[u32], capacity: u32, k: u32, ctl: &Control) -> Result<Assignment> {
    let mut hk = HarmonicK::new(capacity, k);
    let mut bin_of = Vec::with_capacity(lengths.len());
    for (i, &len) in lengths.iter().enumerate() {
        ctl.checkpoint(i)?;
        bin_of.push(hk.push(len));
    }
    Ok(Assignment {
        order: order::identity(lengths.len()),
        bin_of,
        num_bins: hk.num_bins(),
    })
}
