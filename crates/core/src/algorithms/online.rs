//! The online family: items are placed in input order, each decided before the
//! next one is seen (nothing is sorted, nothing is looked ahead).
//!
//! | strategy | rule | open bins | time |
//! |---|---|---|---|
//! | `nf` Next-Fit | the single open bin, else close it and open a new one | 1 | `O(n)` |
//! | `ff` First-Fit | earliest-opened bin that fits ([`FirstFitRule`], a [`MaxTree`]) | all | `O(n log B)` |
//! | `bf` Best-Fit | fullest bin that fits ([`IndexRule`], a [`RemainingIndex`]) | all | `O(n log C)` |
//! | `wf` Worst-Fit | emptiest bin, if it fits ([`IndexRule`]) | all | `O(n log C)` |
//! | `hk` Harmonic-K | one bin per size class ([`HarmonicK`]) | `<= k` | `O(n)` |
//!
//! Every rule is an incremental state machine ([`OnlineRule`]): `push` one
//! length, learn its bin and which bins just closed. The batch [`run`] is the
//! plain loop over `push`, and the streaming packer
//! ([`crate::rows::StreamPacker`]) drives the very same structs, so a stream
//! gives exactly the bins of the batch run by construction.
//!
//! # When a bin closes
//! A closed bin never receives another item, so a stream can emit it.
//! - `nf`: when an item does not fit (a new bin replaces it), or as soon as it
//!   is exactly full.
//! - `hk`: a class-`i < k-1` bin when it holds `i + 1` items or is exactly
//!   full; the catch-all bin when the next catch-all item does not fit, or
//!   when exactly full.
//! - `ff`, `bf`, `wf`: when exactly full (no item has length 0). Otherwise a
//!   bin may still take a short item later, so the rule keeps every other bin
//!   open and memory grows with the open bins: in practice a handful for
//!   `ff`/`bf` (they fill the fullest or earliest bins first, which then close),
//!   but `wf` spreads items over the emptiest bins and can keep tens of
//!   thousands open on a long stream. [`OnlinePacker::new`] takes an
//!   optional `max_open` bound: when a new bin must open and `max_open` bins
//!   are open, the fullest open bin (least remaining; ties: earliest opened
//!   for `ff`, most recently changed for `bf`/`wf`) is closed first. That is a
//!   different (bounded-space) algorithm, so its bins differ from the
//!   unbounded batch run; `max_open = 1` is exactly Next-Fit.
//! - every rule: all open bins at [`OnlineRule::finish`], in opening order.
//!
//! Bins are numbered in the order they open, as `u64` (a stream may outlive
//! `u32`). Open bins live in *slots* whose number of entries is bounded by
//! the open bins (plus a constant), never by the bins ever opened: `nf` one,
//! `hk` `k`, `bf`/`wf` a free list of slots, `ff` a compacted array that
//! keeps slots in opening order (first fit needs that order).

use super::order;
use crate::control::Control;
use crate::error::{ErrorKind, PackError, Result};
use crate::packing::Packing;
use crate::placement::{
    bins_estimate, DenseIndex, MaxTree, RemainingIndex, SparseIndex, DENSE_LIMIT,
};
use crate::strategy::{OptionName, Strategy};

/// Runs a strategy of this family: the batch loop over its [`OnlineRule`].
/// `k` is read by `hk` only.
pub fn run(
    strategy: Strategy,
    lengths: &[u32],
    capacity: u32,
    k: u32,
    ctl: &Control,
) -> Result<Packing> {
    let hint = bins_estimate(lengths, capacity);
    let packer = OnlinePacker::with_hint(strategy, capacity, k, None, hint)?;
    let packing = match packer {
        OnlinePacker::Nf(r) => batch(r, lengths, capacity, ctl)?,
        OnlinePacker::Ff(r) => batch(r, lengths, capacity, ctl)?,
        OnlinePacker::BfDense(r) => batch(r, lengths, capacity, ctl)?,
        OnlinePacker::BfSparse(r) => batch(r, lengths, capacity, ctl)?,
        OnlinePacker::WfDense(r) => batch(r, lengths, capacity, ctl)?,
        OnlinePacker::WfSparse(r) => batch(r, lengths, capacity, ctl)?,
        OnlinePacker::Hk(r) => batch(r, lengths, capacity, ctl)?,
    };
    Ok(packing)
}

/// Next-Fit straight to a [`Packing`], one pass. Its bins hold consecutive
/// runs of the input (bin numbers never decrease), so the items are the
/// identity and a bin starts where its number first appears: no assignment
/// to scatter into bins afterwards, which on a rule this cheap cost more than
/// the packing itself. Same [`NextFitRule`] as the stream drives, so the bins
/// are those of [`run`] and of a stream by construction. `O(n)`.
pub fn next_fit_packing(lengths: &[u32], capacity: u32, ctl: &Control) -> Result<Packing> {
    let mut rule = NextFitRule::new(capacity);
    // No pre-sizing from the total length: summing the input first would be
    // a second pass over it, while growing the two bin-sized vectors costs
    // `O(bins)` copies in all.
    let mut bin_offsets = Vec::new();
    let mut bin_loads: Vec<u32> = Vec::new();
    for (i, &len) in lengths.iter().enumerate() {
        ctl.checkpoint(i)?;
        crate::guard::check_length(i as u32, len, capacity)?;
        if rule.push(len, &mut ()).bin as usize == bin_loads.len() {
            bin_offsets.push(i as u32);
            bin_loads.push(0);
        }
        // At most `capacity`: the rule opened a new bin rather than overfill.
        *bin_loads.last_mut().expect("a bin is open") += len;
    }
    bin_offsets.push(lengths.len() as u32);
    Ok(Packing::uniform(order::identity(lengths.len()), bin_offsets, bin_loads))
}

/// The batch loop: every item in input order through `rule`, straight to a
/// [`Packing`]. Bins are numbered in the order the rule opens them and hold
/// their items in input order, so each bin's load and size are known while it
/// fills: one pass places and counts, a second scatters the indices into bin
/// order. Why not an `Assignment`: its identity `order` vector and its second
/// read of every length (to sum the loads) were about a tenth of a best-fit
/// call at `N = 100k`. Each length is read once and checked against
/// `1..=capacity` (one compare, [`crate::guard`]): the rules' arithmetic needs
/// it, and the lengths may have changed since validation. `O(n)` pushes plus
/// `O(n + bins)`.
fn batch<R: OnlineRule>(
    mut rule: R,
    lengths: &[u32],
    capacity: u32,
    ctl: &Control,
) -> Result<Packing> {
    let mut bin_of = vec![0u32; lengths.len()];
    let mut counts: Vec<u32> = Vec::new();
    let mut bin_loads: Vec<u32> = Vec::new();
    for (i, (&len, bin)) in lengths.iter().zip(bin_of.iter_mut()).enumerate() {
        ctl.checkpoint(i)?;
        crate::guard::check_length(i as u32, len, capacity)?;
        let b = rule.push(len, &mut ()).bin as usize;
        if b == bin_loads.len() {
            bin_loads.push(0);
            counts.push(0);
        }
        // The rule never fills a bin past `capacity`, so no overflow.
        bin_loads[b] += len;
        counts[b] += 1;
        *bin = b as u32;
    }
    let mut bin_offsets = Vec::with_capacity(counts.len() + 1);
    let mut at = 0u32;
    bin_offsets.push(0);
    for &c in &counts {
        at += c;
        bin_offsets.push(at);
    }
    // `counts` becomes each bin's write cursor.
    let mut cursor = counts;
    let bins = cursor.len();
    cursor.copy_from_slice(&bin_offsets[..bins]);
    let mut items = vec![0u32; lengths.len()];
    for (i, &b) in bin_of.iter().enumerate() {
        let c = &mut cursor[b as usize];
        items[*c as usize] = i as u32;
        *c += 1;
    }
    Ok(Packing::uniform(items, bin_offsets, bin_loads))
}

/// Receives the bins a rule closes *before* placing the current item
/// (the item's own bin closing is reported in [`Placed::closes`]).
pub trait CloseSink {
    fn closed(&mut self, slot: u32, bin: u64);
}

/// The batch run does not care which bins close.
impl CloseSink for () {
    #[inline(always)]
    fn closed(&mut self, _slot: u32, _bin: u64) {}
}

/// Where an item went.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Placed {
    /// Bin number (bins are numbered in opening order from 0).
    pub bin: u64,
    /// Slot the bin occupies while open; a slot is reused only after its bin
    /// was reported closed.
    pub slot: u32,
    /// The bin closed right after taking this item.
    pub closes: bool,
}

/// An online packing rule as an incremental state machine.
pub trait OnlineRule {
    /// Places an item of length `len` (`1..=capacity`, checked by the
    /// caller). Bins closed to make room are reported to `sink` first.
    fn push<S: CloseSink>(&mut self, len: u32, sink: &mut S) -> Placed;
    /// Closes every open bin, reporting them in opening order.
    fn finish<S: CloseSink>(&mut self, sink: &mut S);
    /// Bins open now.
    fn open_bins(&self) -> usize;
    /// Bins opened so far.
    fn num_bins(&self) -> u64;
}

/// Next-Fit: only the most recently opened bin is a candidate. `O(1)` per
/// item, one open bin; worst case 2 OPT.
#[derive(Clone, Debug)]
pub struct NextFitRule {
    capacity: u32,
    /// `(bin, remaining)` of the open bin.
    current: Option<(u64, u32)>,
    next_bin: u64,
}

impl NextFitRule {
    pub fn new(capacity: u32) -> Self {
        NextFitRule {
            capacity,
            current: None,
            next_bin: 0,
        }
    }
}

impl OnlineRule for NextFitRule {
    #[inline]
    fn push<S: CloseSink>(&mut self, len: u32, sink: &mut S) -> Placed {
        let (bin, remaining) = match self.current {
            Some((b, r)) if r >= len => (b, r),
            other => {
                if let Some((b, _)) = other {
                    sink.closed(0, b);
                }
                self.next_bin += 1;
                (self.next_bin - 1, self.capacity)
            }
        };
        let remaining = remaining - len;
        let closes = remaining == 0;
        self.current = if closes { None } else { Some((bin, remaining)) };
        Placed {
            bin,
            slot: 0,
            closes,
        }
    }
    fn finish<S: CloseSink>(&mut self, sink: &mut S) {
        if let Some((b, _)) = self.current.take() {
            sink.closed(0, b);
        }
    }
    fn open_bins(&self) -> usize {
        self.current.is_some() as usize
    }
    fn num_bins(&self) -> u64 {
        self.next_bin
    }
}

/// A bin in [`FirstFitRule`]'s opening-order array.
#[derive(Clone, Copy, Debug)]
struct Slot {
    bin: u64,
    remaining: u32,
    open: bool,
    /// The stable slot number reported to callers (reused after closing).
    id: u32,
}

/// First-Fit: the earliest-opened open bin that fits, through a
/// [`MaxTree`] over the bins in opening order. When at least half of that
/// array (and 64 entries) are closed bins, the open ones are moved to the
/// front in the same order and the tree is rebuilt: `O(open)`, amortised
/// over the closures since the last compaction, so memory is `O(open bins)`.
/// Callers see stable slot numbers from a free list, unaffected by
/// compaction. `O(log open)` per item.
#[derive(Clone, Debug)]
pub struct FirstFitRule {
    capacity: u32,
    tree: MaxTree,
    /// Bins in opening order (position = leaf of `tree`).
    slots: Vec<Slot>,
    /// Stable ids handed out so far.
    ids: u32,
    free_ids: Vec<u32>,
    open: usize,
    next_bin: u64,
    max_open: Option<usize>,
}

impl FirstFitRule {
    pub fn new(capacity: u32, bins_hint: usize, max_open: Option<usize>) -> Self {
        FirstFitRule {
            capacity,
            tree: MaxTree::new(bins_hint.min(1 << 20)),
            slots: Vec::new(),
            ids: 0,
            free_ids: Vec::new(),
            open: 0,
            next_bin: 0,
            max_open,
        }
    }

    fn close(&mut self, p: usize) {
        let s = &mut self.slots[p];
        s.open = false;
        self.free_ids.push(s.id);
        self.tree.set(p as u32, 0);
        self.open -= 1;
    }

    #[cold]
    fn compact(&mut self) {
        self.slots.retain(|s| s.open);
        self.tree = MaxTree::new(self.slots.len() * 2);
        for (p, s) in self.slots.iter().enumerate() {
            self.tree.set(p as u32, s.remaining);
        }
    }
}

impl OnlineRule for FirstFitRule {
    #[inline]
    fn push<S: CloseSink>(&mut self, len: u32, sink: &mut S) -> Placed {
        let p = match self.tree.leftmost_at_least(len) {
            Some(p) => p as usize,
            None => {
                if self.max_open == Some(self.open) {
                    // Fullest open bin, ties to the earliest opened.
                    let (p, _) = self
                        .slots
                        .iter()
                        .enumerate()
                        .filter(|(_, s)| s.open)
                        .min_by_key(|(p, s)| (s.remaining, *p))
                        .expect("max_open >= 1 bins are open");
                    sink.closed(self.slots[p].id, self.slots[p].bin);
                    self.close(p);
                }
                let closed = self.slots.len() - self.open;
                if closed >= 64 && closed >= self.open {
                    self.compact();
                }
                let id = self.free_ids.pop().unwrap_or_else(|| {
                    self.ids += 1;
                    self.ids - 1
                });
                self.slots.push(Slot {
                    bin: self.next_bin,
                    remaining: self.capacity,
                    open: true,
                    id,
                });
                self.next_bin += 1;
                self.open += 1;
                self.slots.len() - 1
            }
        };
        let slot = &mut self.slots[p];
        slot.remaining -= len;
        let (bin, remaining, id) = (slot.bin, slot.remaining, slot.id);
        self.tree.set(p as u32, remaining);
        let closes = remaining == 0;
        if closes {
            self.slots[p].open = false;
            self.free_ids.push(id);
            self.open -= 1;
        }
        Placed {
            bin,
            slot: id,
            closes,
        }
    }
    fn finish<S: CloseSink>(&mut self, sink: &mut S) {
        for s in &self.slots {
            if s.open {
                sink.closed(s.id, s.bin);
            }
        }
        self.slots.clear();
        self.ids = 0;
        self.free_ids.clear();
        self.tree = MaxTree::new(16);
        self.open = 0;
    }
    fn open_bins(&self) -> usize {
        self.open
    }
    fn num_bins(&self) -> u64 {
        self.next_bin
    }
}

/// Best-Fit (`WORST = false`: the fullest bin that fits) or Worst-Fit
/// (`WORST = true`: the emptiest bin, if it fits) over a [`RemainingIndex`]
/// keyed by remaining capacity; equal remaining values go to the bin that
/// reached that value last (the index's LIFO stacks). Only open bins are in
/// the index, so slot numbers carry no meaning and a closed bin's slot is
/// reused at once (a free list). `O(log C)` per item (dense index).
pub struct IndexRule<I, const WORST: bool> {
    capacity: u32,
    index: I,
    /// `(bin, remaining)` per slot.
    slots: Vec<(u64, u32)>,
    free: Vec<u32>,
    open: usize,
    next_bin: u64,
    max_open: Option<usize>,
}

impl<I: RemainingIndex, const WORST: bool> IndexRule<I, WORST> {
    pub fn new(capacity: u32, bins_hint: usize, max_open: Option<usize>) -> Self {
        IndexRule {
            capacity,
            // A bin enters the index only after an item went in, so its
            // remaining is below `capacity`: keying `0..capacity` rather than
            // `0..=capacity` keeps a power-of-two capacity one bitset level
            // lower (4096 values are 2 levels of 64-bit words, 4097 are 3),
            // a level less on most searches. A search for a length of
            // `capacity` then finds no bin, as it must.
            index: I::new(capacity.saturating_sub(1), bins_hint.min(1 << 20)),
            slots: Vec::new(),
            free: Vec::new(),
            open: 0,
            next_bin: 0,
            max_open,
        }
    }
}

impl<I: RemainingIndex, const WORST: bool> OnlineRule for IndexRule<I, WORST> {
    #[inline]
    fn push<S: CloseSink>(&mut self, len: u32, sink: &mut S) -> Placed {
        let found = if WORST {
            self.index.take_max(len)
        } else {
            self.index.take_ceil(len)
        };
        let s = match found {
            Some((_, s)) => s,
            None => {
                if self.max_open == Some(self.open) {
                    // Every open bin is in the index (remaining > 0): the
                    // smallest key is the fullest.
                    let (_, s) = self
                        .index
                        .take_ceil(1)
                        .expect("max_open >= 1 bins are open");
                    sink.closed(s, self.slots[s as usize].0);
                    self.open -= 1;
                    self.free.push(s);
                }
                let bin = (self.next_bin, self.capacity);
                self.next_bin += 1;
                self.open += 1;
                match self.free.pop() {
                    Some(s) => {
                        self.slots[s as usize] = bin;
                        s
                    }
                    None => {
                        self.slots.push(bin);
                        (self.slots.len() - 1) as u32
                    }
                }
            }
        };
        let slot = &mut self.slots[s as usize];
        slot.1 -= len;
        let (bin, remaining) = *slot;
        let closes = remaining == 0;
        if closes {
            self.open -= 1;
            self.free.push(s);
        } else {
            self.index.insert(remaining, s);
        }
        Placed {
            bin,
            slot: s,
            closes,
        }
    }
    fn finish<S: CloseSink>(&mut self, sink: &mut S) {
        let mut open: Vec<(u64, u32)> = Vec::with_capacity(self.open);
        while let Some((_, s)) = self.index.take_ceil(1) {
            open.push((self.slots[s as usize].0, s));
        }
        open.sort_unstable();
        for (bin, s) in open {
            sink.closed(s, bin);
        }
        self.slots.clear();
        self.free.clear();
        self.open = 0;
    }
    fn open_bins(&self) -> usize {
        self.open
    }
    fn num_bins(&self) -> u64 {
        self.next_bin
    }
}

/// Any online rule, chosen at run time. The batch run matches once and runs
/// the monomorphic loop; a stream pays one predictable branch per item.
pub enum OnlinePacker {
    Nf(NextFitRule),
    Ff(FirstFitRule),
    BfDense(IndexRule<DenseIndex, false>),
    BfSparse(IndexRule<SparseIndex, false>),
    WfDense(IndexRule<DenseIndex, true>),
    WfSparse(IndexRule<SparseIndex, true>),
    Hk(HarmonicK),
}

impl OnlinePacker {
    /// A packer for `strategy` (one of `nf`, `ff`, `bf`, `wf`, `hk`) with
    /// bins of `capacity`; `k` is used by `hk` only. `max_open` bounds the
    /// open bins of `ff`/`bf`/`wf` (see the module docs); it must be at least
    /// 1, and is rejected for `nf` (always one open bin) and `hk` (at most `k`).
    pub fn new(strategy: Strategy, capacity: u32, k: u32, max_open: Option<usize>) -> Result<Self> {
        Self::with_hint(strategy, capacity, k, max_open, 16)
    }

    fn with_hint(
        strategy: Strategy,
        capacity: u32,
        k: u32,
        max_open: Option<usize>,
        hint: usize,
    ) -> Result<Self> {
        if capacity == 0 {
            return Err(PackError::new(
                ErrorKind::InvalidCapacity,
                "capacity must be at least 1",
            ));
        }
        if let Some(m) = max_open {
            if matches!(strategy, Strategy::Nf | Strategy::Hk) {
                return Err(PackError::option(
                    OptionName::MaxOpen,
                    "",
                    m,
                    "only ff, bf and wf take it: nf keeps one open bin, hk at most k",
                ));
            }
            if m == 0 {
                return Err(PackError::zero_option(OptionName::MaxOpen));
            }
        }
        let dense = capacity <= DENSE_LIMIT;
        Ok(match strategy {
            Strategy::Nf => OnlinePacker::Nf(NextFitRule::new(capacity)),
            Strategy::Ff => OnlinePacker::Ff(FirstFitRule::new(capacity, hint, max_open)),
            Strategy::Bf if dense => {
                OnlinePacker::BfDense(IndexRule::new(capacity, hint, max_open))
            }
            Strategy::Bf => OnlinePacker::BfSparse(IndexRule::new(capacity, hint, max_open)),
            Strategy::Wf if dense => {
                OnlinePacker::WfDense(IndexRule::new(capacity, hint, max_open))
            }
            Strategy::Wf => OnlinePacker::WfSparse(IndexRule::new(capacity, hint, max_open)),
            Strategy::Hk => {
                if k < 2 {
                    return Err(PackError::option(
                        OptionName::K,
                        "",
                        k,
                        "it must be at least 2",
                    ));
                }
                OnlinePacker::Hk(HarmonicK::new(capacity, k))
            }
            other => {
                return Err(PackError::option(
                    OptionName::Strategy,
                    "",
                    other.info().name,
                    "it is not an online strategy (nf, ff, bf, wf, hk)",
                ))
            }
        })
    }
}

macro_rules! each_rule {
    ($self:expr, $r:ident => $e:expr) => {
        match $self {
            OnlinePacker::Nf($r) => $e,
            OnlinePacker::Ff($r) => $e,
            OnlinePacker::BfDense($r) => $e,
            OnlinePacker::BfSparse($r) => $e,
            OnlinePacker::WfDense($r) => $e,
            OnlinePacker::WfSparse($r) => $e,
            OnlinePacker::Hk($r) => $e,
        }
    };
}

impl OnlineRule for OnlinePacker {
    #[inline]
    fn push<S: CloseSink>(&mut self, len: u32, sink: &mut S) -> Placed {
        each_rule!(self, r => OnlineRule::push(r, len, sink))
    }
    fn finish<S: CloseSink>(&mut self, sink: &mut S) {
        each_rule!(self, r => r.finish(sink))
    }
    fn open_bins(&self) -> usize {
        each_rule!(self, r => OnlineRule::open_bins(r))
    }
    fn num_bins(&self) -> u64 {
        each_rule!(self, r => OnlineRule::num_bins(r))
    }
}

/// One open bin of a Harmonic-K class.
#[derive(Clone, Copy, Debug)]
struct OpenBin {
    bin: u64,
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
/// observe it). Bins are numbered in the order they are opened; a class's
/// open bin lives in slot = class.
///
/// `O(1)` per item. Asymptotic worst case tends to ~1.691 OPT as `k` grows.
#[derive(Clone, Debug)]
pub struct HarmonicK {
    capacity: u32,
    /// `open[i]`: the open bin of class `i`, if any. Length `k`.
    open: Vec<Option<OpenBin>>,
    open_count: usize,
    next_bin: u64,
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
        OnlineRule::push(self, len, &mut ()).bin as u32
    }

    /// Bins currently open (never more than `k`).
    pub fn open_bins(&self) -> usize {
        self.open_count
    }

    /// Whether `bin` is open, i.e. may still receive items. `O(k)`.
    pub fn is_open(&self, bin: u32) -> bool {
        self.open.iter().flatten().any(|b| b.bin == bin as u64)
    }

    /// Bins opened so far.
    pub fn num_bins(&self) -> usize {
        self.next_bin as usize
    }
}

impl OnlineRule for HarmonicK {
    #[inline]
    fn push<S: CloseSink>(&mut self, len: u32, sink: &mut S) -> Placed {
        let class = self.class_of(len);
        let catch_all = class == self.open.len() - 1;
        // A non-catch-all open bin always has room: it holds fewer than
        // `class + 1` items of length <= C/(class+1), else it would be closed.
        let slot = &mut self.open[class];
        let b = match slot {
            Some(b) if !catch_all || b.remaining >= len => b,
            _ => {
                match slot {
                    None => self.open_count += 1,
                    // The catch-all bin cannot take it: it closes and is replaced.
                    Some(old) => sink.closed(class as u32, old.bin),
                }
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
        let closes = b.remaining == 0 || (!catch_all && b.items as usize == class + 1);
        if closes {
            *slot = None;
            self.open_count -= 1;
        }
        Placed {
            bin,
            slot: class as u32,
            closes,
        }
    }
    fn finish<S: CloseSink>(&mut self, sink: &mut S) {
        let mut open: Vec<(u64, u32)> = self
            .open
            .iter_mut()
            .enumerate()
            .filter_map(|(c, b)| b.take().map(|b| (b.bin, c as u32)))
            .collect();
        open.sort_unstable();
        for (bin, c) in open {
            sink.closed(c, bin);
        }
        self.open_count = 0;
    }
    fn open_bins(&self) -> usize {
        self.open_count
    }
    fn num_bins(&self) -> u64 {
        self.next_bin
    }
}
