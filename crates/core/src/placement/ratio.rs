//! Bins indexed by (room, ratio): the search structure of the heterogeneous
//! grouped strategies (`ohgbfd`, `oshgbfd`).
//!
//! Query: among open bins whose remaining capacity ("room") is `>= len`, the
//! one with the smallest ratio (the bin's weight sum over its capacity);
//! ties go to more room, then the lower bin number. The two keys are not
//! ordered together, so no single ordering answers the query for every
//! `len`. But the strategies ask with non-increasing `len` (items come in
//! decreasing length), so the set of bins that can answer only grows
//! between placements: [`RatioIndex`] keeps the bins with room `>=` the last
//! queried `len` in a min-heap by `(ratio, -room, bin)` (the answer is its
//! root) and the others in a max-heap by room, from which each query moves
//! the bins its smaller `len` admits.
//!
//! Why heaps and not an ordered set: the only bin that ever leaves the first
//! structure is its best one (the answer, which then receives the item, or a
//! root that no longer fits), so a heap's replace-the-root is all the
//! strategies need. Keys are packed into one integer (`u128` and `u64`) so a
//! comparison is one instruction; an ordered set of tuples cost about three
//! times as much per item.
//!
//! Complexity: a bin moves from the waiting heap to the candidates at most
//! once per time it left them, and it leaves them only when it receives an
//! item (or, with increasing `len`, see below). So `B` bins and `n` items
//! cost `O((n + B) log B)` in total: `O(log B)` amortised per item and per
//! bin, whatever the weights and the capacities (an earlier branch-and-bound
//! segment tree degraded to `O(B)` per query when low-ratio bins were full,
//! which adversarial weights such as alternating 0 and 1e6 force). Each
//! method reports the elementary moves it made, so callers can poll
//! cancellation by work.
//!
//! A query with a `len` larger than the previous one (the strategies never
//! do this, but a caller's order may be wrong, e.g. an input that changed
//! while being sorted) stays correct: roots that no longer fit are moved
//! back to the waiting heap before answering. It can then cost more than
//! `O(log B)`, but each moved bin is paid for by its move.

use std::cmp::Reverse;
use std::collections::BinaryHeap;

/// See the module docs.
#[derive(Default)]
pub struct RatioIndex {
    /// Bins with room `>= threshold`, as [`fit_key`]s: the root is the answer.
    fits: BinaryHeap<Reverse<u128>>,
    /// Bins with `0 < room < threshold`, as [`wait_key`]s: most room first
    /// (ties: lower bin). Full bins (room 0) are in neither heap.
    waits: BinaryHeap<u64>,
    /// The `len` of the last query.
    threshold: u32,
    room: Vec<u32>,
    ratio: Vec<u64>,
}

/// An order-preserving `u64` for a ratio (total order; `-0.0` counts as `0.0`).
#[inline]
fn ratio_key(r: f64) -> u64 {
    let b = (r + 0.0).to_bits();
    if b >> 63 == 1 {
        !b
    } else {
        b | 1 << 63
    }
}

/// Candidate order as one integer, smallest first: ratio, then more room,
/// then lower bin number.
#[inline(always)]
fn fit_key(ratio: u64, room: u32, bin: u32) -> u128 {
    (ratio as u128) << 64 | ((!room) as u128) << 32 | bin as u128
}

/// The bin number in a [`fit_key`].
#[inline(always)]
fn fit_bin(key: u128) -> u32 {
    key as u32
}

/// The room in a [`fit_key`].
#[inline(always)]
fn fit_room(key: u128) -> u32 {
    !((key >> 32) as u32)
}

/// Waiting order as one integer, largest first: more room, then lower bin.
#[inline(always)]
fn wait_key(room: u32, bin: u32) -> u64 {
    (room as u64) << 32 | (!bin) as u64
}

impl RatioIndex {
    pub fn new() -> Self {
        Self::default()
    }

    /// Number of bins added so far.
    pub fn len(&self) -> usize {
        self.room.len()
    }

    pub fn is_empty(&self) -> bool {
        self.room.is_empty()
    }

    /// Adds bin number [`len`](Self::len) (bins are numbered in the order
    /// they are added) with `room` and `ratio`. `O(log B)`; returns the moves made (1).
    pub fn push(&mut self, room: u32, ratio: f64) -> u64 {
        let bin = self.room.len() as u32;
        let ratio = ratio_key(ratio);
        self.room.push(room);
        self.ratio.push(ratio);
        if room >= self.threshold && room > 0 {
            self.fits.push(Reverse(fit_key(ratio, room, bin)));
        } else if room > 0 {
            self.waits.push(wait_key(room, bin));
        }
        1
    }

    /// Records that `bin`, the answer of the [`best`](Self::best) call just
    /// before (no other call in between), now has `room` and `ratio`.
    /// `O(log B)`; returns the moves made.
    ///
    /// # Panics
    /// If `bin` is not that answer: only the best candidate can be updated in
    /// place (any other bin's heap entry cannot be found cheaply).
    pub fn update(&mut self, bin: u32, room: u32, ratio: f64) -> u64 {
        let ratio = ratio_key(ratio);
        let b = bin as usize;
        self.room[b] = room;
        self.ratio[b] = ratio;
        let mut top = self
            .fits
            .peek_mut()
            .filter(|t| fit_bin(t.0) == bin)
            .unwrap_or_else(|| panic!("update of bin {bin}, which is not the last answer"));
        if room >= self.threshold && room > 0 {
            // Replaces the root; the heap is restored when `top` drops.
            top.0 = fit_key(ratio, room, bin);
        } else {
            std::collections::binary_heap::PeekMut::pop(top);
            if room > 0 {
                self.waits.push(wait_key(room, bin));
            }
        }
        2
    }

    /// The bin with room `>= len` and the smallest ratio, then the most
    /// room, then the lowest number; `None` if no bin has room `>= len`.
    /// Also returns the moves made (amortised `O(1)`; see the module docs),
    /// so the caller can poll by work.
    pub fn best(&mut self, len: u32) -> (Option<u32>, u64) {
        let mut moves = 1u64;
        self.threshold = len;
        while let Some(&key) = self.waits.peek() {
            let room = (key >> 32) as u32;
            if room < len {
                break;
            }
            self.waits.pop();
            let bin = !(key as u32);
            self.fits
                .push(Reverse(fit_key(self.ratio[bin as usize], room, bin)));
            moves += 1;
        }
        loop {
            let Some(&Reverse(key)) = self.fits.peek() else {
                return (None, moves);
            };
            let room = fit_room(key);
            if room >= len {
                return (Some(fit_bin(key)), moves);
            }
            // Only after a query with a smaller `len`: back to the heap.
            self.fits.pop();
            self.waits.push(wait_key(room, fit_bin(key)));
            moves += 1;
        }
    }

    /// Room of `bin`.
    pub fn room(&self, bin: u32) -> u32 {
        self.room[bin as usize]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Reference: scan all bins.
    fn scan(room: &[u32], ratio: &[f64], len: u32) -> Option<u32> {
        (0..room.len())
            .filter(|&b| room[b] >= len && room[b] > 0)
            .min_by(|&a, &b| {
                ratio[a]
                    .partial_cmp(&ratio[b])
                    .unwrap()
                    .then(room[b].cmp(&room[a]))
                    .then(a.cmp(&b))
            })
            .map(|b| b as u32)
    }

    proptest! {
        /// Random pushes and placements with mostly decreasing lengths (and
        /// some increases), answers equal to a linear scan.
        #[test]
        fn matches_scan(
            ops in prop::collection::vec((0u8..4, 1u32..60, 0u32..4), 1..300),
        ) {
            let mut idx = RatioIndex::new();
            let (mut room, mut ratio, mut wsum, mut cap) = (vec![], vec![], vec![], vec![]);
            let mut len = 60u32;
            for (op, x, w) in ops {
                match op {
                    0 => {
                        idx.push(x, 0.0);
                        room.push(x); ratio.push(0.0); wsum.push(0.0); cap.push(x);
                    }
                    _ => {
                        // Mostly shrink, sometimes grow.
                        len = if op == 3 { (len + x % 7).min(60) } else { len.saturating_sub(x % 3).max(1) };
                        let (got, _) = idx.best(len);
                        prop_assert_eq!(got, scan(&room, &ratio, len));
                        if let Some(b) = got {
                            let b = b as usize;
                            room[b] -= len;
                            wsum[b] += [0.0, 1e6, 1.0, 0.5][w as usize];
                            ratio[b] = wsum[b] / cap[b] as f64;
                            idx.update(b as u32, room[b], ratio[b]);
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn adversarial_weights_cost_amortised_moves() {
        // Alternating weights 0 and 1e6 over decreasing lengths: the moves stay
        // linear in items plus bins (the old tree search was quadratic here).
        let mut idx = RatioIndex::new();
        let cap = 4096u32;
        let n = 20_000u32;
        let mut wsum: Vec<f64> = Vec::new();
        let mut moves = 0u64;
        for k in 0..n {
            let len = 4000 - (k * 3990 / n);
            let (got, m) = idx.best(len);
            moves += m;
            let b = match got {
                Some(b) => b,
                None => {
                    moves += idx.push(cap, 0.0);
                    wsum.push(0.0);
                    idx.best(len).0.unwrap()
                }
            };
            let room = idx.room(b) - len;
            wsum[b as usize] += if k % 2 == 0 { 0.0 } else { 1e6 };
            moves += idx.update(b, room, wsum[b as usize] / cap as f64);
        }
        assert!(moves <= 8 * (n as u64 + idx.len() as u64), "{moves} moves");
    }
}
