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
//! queried `len` in an ordered set by `(ratio, -room, bin)` (the answer is its
//! first element) and the others in a max-heap by room, from which each
//! query moves the bins its smaller `len` admits.
//!
//! Complexity: a bin moves from the heap to the set at most once per time it
//! left the set, and it leaves the set only when it receives an item (or,
//! with increasing `len`, see below). So `B` bins and `n` items cost
//! `O((n + B) log B)` in total: `O(log B)` amortised per item and per bin,
//! whatever the weights and the capacities (an earlier branch-and-bound
//! segment tree degraded to `O(B)` per query when low-ratio bins were full,
//! which adversarial weights such as alternating 0 and 1e6 force). Each
//! method reports the elementary moves it made, so callers can poll
//! cancellation by work.
//!
//! A query with a `len` larger than the previous one (the strategies never
//! do this, but a caller's order may be wrong, e.g. an input that changed
//! while being sorted) stays correct: bins at the front of the set that no
//! longer fit are moved back to the heap before answering. It can then cost
//! more than `O(log B)`, but each moved bin is paid for by its move.

use std::cmp::Reverse;
use std::collections::{BTreeSet, BinaryHeap};

/// Where a bin is.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Place {
    /// In the ordered set (room `>=` the threshold).
    Fits,
    /// In the heap (room `<` the threshold).
    Waits,
    /// Full: room 0, never a candidate again.
    Gone,
}

/// See the module docs.
#[derive(Default)]
pub struct RatioIndex {
    /// Bins with room `>= threshold`, best first.
    fits: BTreeSet<(u64, Reverse<u32>, u32)>,
    /// Bins with `0 < room < threshold`, most room first (ties: lower bin).
    waits: BinaryHeap<(u32, Reverse<u32>)>,
    /// The `len` of the last query.
    threshold: u32,
    room: Vec<u32>,
    ratio: Vec<u64>,
    place: Vec<Place>,
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
        self.room.push(room);
        self.ratio.push(ratio_key(ratio));
        self.place.push(Place::Gone);
        self.file(bin);
        1
    }

    /// Records that `bin` (the last answer of [`best`](Self::best)) now has
    /// `room` and `ratio`. `O(log B)`; returns the moves made.
    pub fn update(&mut self, bin: u32, room: u32, ratio: f64) -> u64 {
        let b = bin as usize;
        match self.place[b] {
            Place::Fits => {
                self.fits
                    .remove(&(self.ratio[b], Reverse(self.room[b]), bin));
            }
            // Only a bin in the set is ever an answer; a heap entry cannot be
            // removed cheaply, so this would leave a stale one.
            Place::Waits => unreachable!("update of bin {bin}, which is not a candidate"),
            Place::Gone => {}
        }
        self.room[b] = room;
        self.ratio[b] = ratio_key(ratio);
        self.file(bin);
        2
    }

    fn file(&mut self, bin: u32) {
        let b = bin as usize;
        let room = self.room[b];
        self.place[b] = if room == 0 {
            Place::Gone
        } else if room >= self.threshold {
            self.fits.insert((self.ratio[b], Reverse(room), bin));
            Place::Fits
        } else {
            self.waits.push((room, Reverse(bin)));
            Place::Waits
        };
    }

    /// The bin with room `>= len` and the smallest ratio, then the most
    /// room, then the lowest number; `None` if no bin has room `>= len`.
    /// Also returns the moves made (amortised `O(1)`; see the module docs),
    /// so the caller can poll by work.
    pub fn best(&mut self, len: u32) -> (Option<u32>, u64) {
        let mut moves = 1u64;
        self.threshold = len;
        while let Some(&(room, Reverse(bin))) = self.waits.peek() {
            if room < len {
                break;
            }
            self.waits.pop();
            self.fits
                .insert((self.ratio[bin as usize], Reverse(room), bin));
            self.place[bin as usize] = Place::Fits;
            moves += 1;
        }
        loop {
            let Some(&(ratio, Reverse(room), bin)) = self.fits.first() else {
                return (None, moves);
            };
            if room >= len {
                return (Some(bin), moves);
            }
            // Only after a query with a smaller `len`: back to the heap.
            self.fits.remove(&(ratio, Reverse(room), bin));
            self.waits.push((room, Reverse(bin)));
            self.place[bin as usize] = Place::Waits;
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
