//! Where does the next item go? The search structures shared by all algorithms.
//!
//! Every any-fit algorithm (FF, BF, WF and their sorted/offline versions,
//! OBFD included) is the same loop, [`any_fit`]: take items in some order, ask
//! a [`Placement`] for an open bin that can hold the item, open a new bin when
//! there is none. Algorithms differ only in the order and the placement policy,
//! so each policy is written once here and every algorithm module reuses it:
//!
//! | policy | structure | query |
//! |---|---|---|
//! | [`BestFit`] | [`RemainingIndex`] by remaining capacity | smallest remaining `>= len` |
//! | [`WorstFit`] | [`RemainingIndex`] by remaining capacity | largest remaining, if `>= len` |
//! | [`FirstFit`] | [`MaxTree`] by bin position | leftmost bin with remaining `>= len` |
//!
//! The grouped strategies reuse [`RemainingIndex`] directly, keyed by a group's
//! largest remaining capacity instead of a bin's; the heterogeneous ones
//! search by ratio with [`RatioIndex`] (smallest weight per capacity among
//! the bins with room).

pub mod bitset;
pub mod first_fit;
pub mod ratio;
pub mod remaining;

pub use first_fit::MaxTree;
pub use ratio::RatioIndex;
pub use remaining::{DenseIndex, RemainingIndex, SparseIndex, TinyIndex, DENSE_LIMIT, TINY_ITEMS};

use crate::control::Control;
use crate::error::Result;
use crate::packing::{Assignment, Packing};

/// A bin-selection policy over the currently open bins.
///
/// Protocol: [`Placement::find`] proposes a bin (and may detach it from the
/// structure); the caller then always reports that bin's new remaining capacity
/// with [`Placement::set`]. A freshly opened bin is reported with `set` too.
pub trait Placement {
    /// A structure for bins of `capacity`, expecting about `bins_hint` bins.
    fn new(capacity: u32, bins_hint: usize) -> Self;
    /// An open bin that can take `len` more tokens, by this policy; `None` opens a new bin.
    fn find(&mut self, len: u32) -> Option<u32>;
    /// Records that `bin` now has `remaining` free tokens.
    fn set(&mut self, bin: u32, remaining: u32);
    /// [`Placement::find`] for a caller placing runs of equal lengths in
    /// decreasing order, which knows that no open bin has remaining capacity
    /// in `len..from` (`from >= len`). Best fit uses it to restart its
    /// successor search at `from`; the default ignores the hint.
    #[inline(always)]
    fn find_from(&mut self, len: u32, from: u32) -> Option<u32> {
        let _ = from;
        self.find(len)
    }
}

/// The two policies over a [`RemainingIndex`]: best fit (`BEST`) takes the
/// bin with the least room that still fits, worst fit the bin with the most
/// room, if it fits. Ties go to the bin that reached that remaining value
/// last. Full bins leave the index for good. `BEST` is a const parameter so
/// each policy compiles to its own loop with no branch on the policy.
pub struct ByRemaining<I, const BEST: bool>(I);

/// Best fit: the bin with the least room that still fits (see [`ByRemaining`]).
pub type BestFit<I> = ByRemaining<I, true>;

/// Worst fit: the bin with the most room, if it fits (see [`ByRemaining`]).
pub type WorstFit<I> = ByRemaining<I, false>;

impl<I: RemainingIndex, const BEST: bool> Placement for ByRemaining<I, BEST> {
    fn new(capacity: u32, bins_hint: usize) -> Self {
        ByRemaining(I::new(capacity, bins_hint))
    }
    #[inline(always)]
    fn find(&mut self, len: u32) -> Option<u32> {
        match BEST {
            true => self.0.take_ceil(len),
            false => self.0.take_max(len),
        }
        .map(|(_, bin)| bin)
    }
    /// Best fit restarts its successor search at `from`; worst fit's
    /// largest bin does not depend on the hint.
    #[inline(always)]
    fn find_from(&mut self, len: u32, from: u32) -> Option<u32> {
        match BEST {
            true => self.0.take_ceil(from),
            false => self.0.take_max(len),
        }
        .map(|(_, bin)| bin)
    }
    #[inline(always)]
    fn set(&mut self, bin: u32, remaining: u32) {
        if remaining > 0 {
            self.0.insert(remaining, bin);
        }
    }
}

/// First fit: the earliest-opened bin that fits.
pub struct FirstFit(MaxTree);

impl Placement for FirstFit {
    fn new(_capacity: u32, bins_hint: usize) -> Self {
        FirstFit(MaxTree::new(bins_hint))
    }
    #[inline(always)]
    fn find(&mut self, len: u32) -> Option<u32> {
        self.0.leftmost_at_least(len)
    }
    #[inline(always)]
    fn set(&mut self, bin: u32, remaining: u32) {
        self.0.set(bin, remaining);
    }
}

/// A rough bin count to pre-size structures: `sum / capacity + 1`, and never
/// more than one bin per item (lengths above the capacity, which validation
/// excludes, must not turn into a huge allocation).
pub fn bins_estimate(lengths: &[u32], capacity: u32) -> usize {
    let total: u64 = lengths.iter().map(|&l| l as u64).sum();
    ((total / capacity as u64) as usize + 1).min(lengths.len() + 1)
}

/// The any-fit loop: places `lengths[order[0]], lengths[order[1]], ...` one by one.
///
/// `O(n * cost(find + set))`. Bins are numbered in the order they open; an item
/// goes to a new bin exactly when `find` returns `None`. A length outside
/// `1..=capacity` (validation bypassed, or the input changed) is a typed
/// error, never a wrapped remaining capacity.
pub fn any_fit<P: Placement>(
    lengths: &[u32],
    order: Vec<u32>,
    capacity: u32,
    ctl: &Control,
) -> Result<Assignment> {
    let hint = bins_estimate(lengths, capacity);
    let at = |k: usize| {
        let item = order[k];
        (item, lengths[item as usize])
    };
    let (bin_of, remaining) = place_each::<P>(order.len(), at, capacity, hint, ctl, |_| {})?;
    Ok(Assignment {
        order,
        bin_of,
        num_bins: remaining.len(),
    })
}

/// The loop both any-fit forms share: the `k`-th placement is `at(k)`
/// = `(item, length)`, and `placed(bin)` hears of each one as it happens
/// (a bin's first placement is the one that opened it). Returns each
/// placement's bin and every bin's remaining capacity. Inlined, so each
/// caller's closures compile into its own loop.
#[inline(always)]
fn place_each<P: Placement>(
    n: usize,
    at: impl Fn(usize) -> (u32, u32),
    capacity: u32,
    hint: usize,
    ctl: &Control,
    mut placed: impl FnMut(u32),
) -> Result<(Vec<u32>, Vec<u32>)> {
    let mut placement = P::new(capacity, hint);
    let mut remaining: Vec<u32> = Vec::with_capacity(hint);
    let mut bin_of: Vec<u32> = Vec::with_capacity(n);
    for k in 0..n {
        ctl.checkpoint(k)?;
        // Each length is read once and checked, so `remaining - len` cannot
        // wrap and no structure sees a length outside `1..=capacity` (see
        // `guard`).
        let (item, len) = at(k);
        crate::guard::check_length(item, len, capacity)?;
        let bin = match placement.find(len) {
            Some(b) => b,
            None => {
                remaining.push(capacity);
                (remaining.len() - 1) as u32
            }
        };
        let r = &mut remaining[bin as usize];
        *r -= len;
        placement.set(bin, *r);
        placed(bin);
        bin_of.push(bin);
    }
    Ok((bin_of, remaining))
}

/// [`any_fit`] straight to the flat [`Packing`]: the same bins, in the same
/// in-bin order, as `any_fit(..).into_packing(..)`, with the items taken in
/// `order` (`None`: input order, without materialising it).
///
/// Cheaper than the two-step form because the bin sizes are counted while
/// placing and the loads are `capacity - remaining`, so the second pass
/// neither re-reads `lengths` at random nor recounts: `O(n * cost(find +
/// set))` plus one scatter of `n` indices.
pub fn any_fit_packing<P: Placement>(
    lengths: &[u32],
    order: Option<&[u32]>,
    capacity: u32,
    ctl: &Control,
) -> Result<Packing> {
    match order {
        None => any_fit_packing_by::<P>(lengths, lengths, |k| k as u32, capacity, ctl),
        Some(order) => {
            // Gather the lengths in processing order first: independent
            // random loads, many in flight at once, where inside the
            // placement loop each would wait behind the search structure.
            let ordered: Vec<u32> = order.iter().map(|&i| lengths[i as usize]).collect();
            ctl.check()?;
            any_fit_packing_by::<P>(lengths, &ordered, |k| order[k], capacity, ctl)
        }
    }
}

/// Best fit straight to the flat [`Packing`] for a caller that already holds
/// the lengths in processing order (`ordered[k]` is the length of item
/// `order[k]`, as a sort read them): the bins of
/// `best_fit(lengths, order, ..).into_packing(lengths)`, without gathering
/// the lengths at random a second time. Index as [`best_fit`] chooses it
/// (a scanned list for tiny inputs, dense or sparse by capacity).
pub fn best_fit_packing_ordered(
    lengths: &[u32],
    order: &[u32],
    ordered: &[u32],
    capacity: u32,
    ctl: &Control,
) -> Result<Packing> {
    debug_assert_eq!(order.len(), ordered.len());
    let item = |k: usize| order[k];
    if order.len() <= TINY_ITEMS {
        any_fit_packing_by::<BestFit<TinyIndex>>(lengths, ordered, item, capacity, ctl)
    } else if capacity <= DENSE_LIMIT {
        any_fit_packing_by::<BestFit<DenseIndex>>(lengths, ordered, item, capacity, ctl)
    } else {
        any_fit_packing_by::<BestFit<SparseIndex>>(lengths, ordered, item, capacity, ctl)
    }
}

#[inline(always)]
fn any_fit_packing_by<P: Placement>(
    lengths: &[u32],
    ordered: &[u32],
    item: impl Fn(usize) -> u32,
    capacity: u32,
    ctl: &Control,
) -> Result<Packing> {
    let hint = bins_estimate(lengths, capacity);
    // Items per bin in `bin_offsets[bin + 1]`, made offsets by a prefix sum.
    let mut bin_offsets: Vec<u32> = Vec::with_capacity(hint + 1);
    bin_offsets.push(0);
    let n = ordered.len();
    // `ordered` is a copy or the input read here, once per item.
    let at = |k: usize| (item(k), ordered[k]);
    let count = |bin: u32| {
        if bin as usize + 1 == bin_offsets.len() {
            bin_offsets.push(0);
        }
        bin_offsets[bin as usize + 1] += 1;
    };
    let (bin_of, remaining) = place_each::<P>(n, at, capacity, hint, ctl, count)?;
    for b in 1..bin_offsets.len() {
        bin_offsets[b] += bin_offsets[b - 1];
    }
    let mut cursor = bin_offsets[..remaining.len()].to_vec();
    let mut items = vec![0u32; n];
    for (k, &b) in bin_of.iter().enumerate() {
        let c = &mut cursor[b as usize];
        items[*c as usize] = item(k);
        *c += 1;
    }
    let mut bin_loads = remaining;
    for r in bin_loads.iter_mut() {
        *r = capacity - *r;
    }
    Ok(Packing::uniform(items, bin_offsets, bin_loads))
}

/// Defines an entry point that runs `$run` with `$policy` over the dense
/// remaining-capacity index when `capacity <= DENSE_LIMIT` (one slot per
/// value, O(1) updates) and over the sparse one above it (memory grows with
/// the open bins, not with the capacity). The choice is made once per call,
/// so the loop itself is monomorphised for one index.
///
/// The `tiny` form first sends inputs of at most [`TINY_ITEMS`] items to a
/// scanned list: zeroing an O(C) dense index would cost more than the packing.
macro_rules! by_capacity {
    ($(#[$doc:meta])* tiny $name:ident = $run:ident::<$policy:ident>($order:ty) -> $out:ty) => {
        $(#[$doc])*
        pub fn $name(lengths: &[u32], order: $order, capacity: u32, ctl: &Control) -> Result<$out> {
            if order.len() <= TINY_ITEMS {
                $run::<$policy<TinyIndex>>(lengths, order, capacity, ctl)
            } else if capacity <= DENSE_LIMIT {
                $run::<$policy<DenseIndex>>(lengths, order, capacity, ctl)
            } else {
                $run::<$policy<SparseIndex>>(lengths, order, capacity, ctl)
            }
        }
    };
    ($(#[$doc:meta])* $name:ident = $run:ident::<$policy:ident>($order:ty) -> $out:ty) => {
        $(#[$doc])*
        pub fn $name(lengths: &[u32], order: $order, capacity: u32, ctl: &Control) -> Result<$out> {
            if capacity <= DENSE_LIMIT {
                $run::<$policy<DenseIndex>>(lengths, order, capacity, ctl)
            } else {
                $run::<$policy<SparseIndex>>(lengths, order, capacity, ctl)
            }
        }
    };
}

by_capacity!(
    /// [`any_fit_packing`] with best fit, choosing the dense or sparse index by capacity.
    best_fit_packing = any_fit_packing::<BestFit>(Option<&[u32]>) -> Packing
);
by_capacity!(
    /// [`any_fit_packing`] with worst fit, choosing the dense or sparse index by capacity.
    worst_fit_packing = any_fit_packing::<WorstFit>(Option<&[u32]>) -> Packing
);
by_capacity!(
    /// Runs [`any_fit`] with best fit, choosing the index by input size and capacity.
    tiny best_fit = any_fit::<BestFit>(Vec<u32>) -> Assignment
);
by_capacity!(
    /// Runs [`any_fit`] with worst fit, choosing the index by input size and capacity.
    tiny worst_fit = any_fit::<WorstFit>(Vec<u32>) -> Assignment
);

/// Runs [`any_fit`] with first fit.
pub fn first_fit(
    lengths: &[u32],
    order: Vec<u32>,
    capacity: u32,
    ctl: &Control,
) -> Result<Assignment> {
    any_fit::<FirstFit>(lengths, order, capacity, ctl)
}
