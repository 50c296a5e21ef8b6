//! The grouped family, for distributed training: bins come in *groups*, one
//! group being one training step across the devices (data-parallel ranks) that
//! run it. Results carry `group_offsets` (group `g` = bins
//! `group_offsets[g]..group_offsets[g + 1]`).
//!
//! - [`ogbfd`] (OGBFD): groups of `group_size` equal bins. Items in decreasing
//!   length go to the group whose *largest remaining* capacity is the tightest
//!   fit, and inside it to the bin with the most room (LPT scheduling). Long
//!   items are spread over the ranks of a step, so per-rank token totals and
//!   attention cost (`sum len^2`) stay close.
//! - [`ogbfdp`] (OGBFDP): OGBFD on round-robin slices of the sorted items, in
//!   parallel, then the last group of each worker repacked together.
//! - [`heterogeneous`] (OHGBFD / OSHGBFD): each group has one bin per device,
//!   each with its own capacity; an item goes to the feasible bin with the
//!   smallest `sum(weight) / capacity`; a new group takes the first allowed
//!   layout with a bin big enough for the item.
//!
//! Two defects of LightBinPack are excluded by construction and checked by
//! [`Packing::verify`] in the tests: an item is assigned exactly once (there is
//! no post-pass that copies bins), and an item is only ever placed in a bin
//! whose *own* remaining capacity is at least its length.
//!
//! Empty bins: a group is one step for every rank, so all its bins are emitted,
//! including trailing empty ones (the ranks still need an, empty, batch). In
//! OGBFD only the last-opened group can hold empty bins (a group with an empty
//! bin has largest remaining `C`, so it accepts every item, and a new group is
//! opened only when no group accepts the item). In OGBFDP that holds per
//! worker and for the repacked groups. In the heterogeneous strategies a
//! device's bin stays empty when every item that reached it was longer than its
//! capacity, or when the items ran out.

use super::order;
use crate::control::Control;
use crate::error::Result;
use crate::packing::{Assignment, Packing};
use crate::parallel::Workers;
use crate::placement::{DenseIndex, RemainingIndex, SparseIndex, DENSE_LIMIT};

/// `group_offsets` for `groups` groups of `size` bins each.
fn uniform_group_offsets(groups: usize, size: u32) -> Vec<u32> {
    (0..=groups as u32).map(|g| g * size).collect()
}

// ---------------------------------------------------------------------------
// OGBFD
// ---------------------------------------------------------------------------

/// OGBFD: groups of `group_size` bins of `capacity` (see module docs).
///
/// - Time: `O(n + C)` for the sort and index, then per item `O(log64 C)` to
///   find the group (a [`RemainingIndex`] keyed by each group's largest
///   remaining capacity, the same structure as OBFD's) and `O(log G)` to
///   restore the group's max-heap of bins after its top bin shrinks.
/// - Ties: equal lengths in ascending input index; among groups with equal
///   largest remaining, the one that reached that value last (the index's
///   LIFO rule); inside a group, among bins with equal remaining, the lowest
///   bin number.
pub fn ogbfd(
    lengths: &[u32],
    capacity: u32,
    group_size: u32,
    max_len: u32,
    ctl: &Control,
) -> Result<Packing> {
    let order = order::decreasing(lengths, max_len);
    ctl.check()?;
    let (bin_of, groups) = grouped_best_fit(lengths, &order, capacity, group_size, ctl)?;
    let num_bins = groups * group_size as usize;
    let mut p = Assignment {
        order,
        bin_of,
        num_bins,
    }
    .into_packing(lengths);
    p.group_offsets = Some(uniform_group_offsets(groups, group_size));
    Ok(p)
}

/// The OGBFD loop over items in `order` (already decreasing). Returns the bin
/// of each item of `order` (bins of group `g` are `g*G..(g+1)*G`) and the
/// number of groups.
fn grouped_best_fit(
    lengths: &[u32],
    order: &[u32],
    capacity: u32,
    group_size: u32,
    ctl: &Control,
) -> Result<(Vec<u32>, usize)> {
    if capacity <= DENSE_LIMIT {
        grouped_best_fit_in::<DenseIndex>(lengths, order, capacity, group_size, ctl)
    } else {
        grouped_best_fit_in::<SparseIndex>(lengths, order, capacity, group_size, ctl)
    }
}

/// Does bin `a` have priority over bin `b` in a group's heap: more room, then lower number.
#[inline(always)]
fn roomier(rem: &[u32], a: u32, b: u32) -> bool {
    let (ra, rb) = (rem[a as usize], rem[b as usize]);
    ra > rb || (ra == rb && a < b)
}

/// Restores the max-heap property of `heap` (bin numbers ordered by [`roomier`])
/// after the root's remaining capacity decreased. `O(log G)`.
#[inline(always)]
fn sift_down(heap: &mut [u32], rem: &[u32]) {
    let n = heap.len();
    let mut i = 0;
    loop {
        let l = 2 * i + 1;
        if l >= n {
            return;
        }
        let mut c = l;
        if l + 1 < n && roomier(rem, heap[l + 1], heap[l]) {
            c = l + 1;
        }
        if !roomier(rem, heap[c], heap[i]) {
            return;
        }
        heap.swap(i, c);
        i = c;
    }
}

fn grouped_best_fit_in<I: RemainingIndex>(
    lengths: &[u32],
    order: &[u32],
    capacity: u32,
    group_size: u32,
    ctl: &Control,
) -> Result<(Vec<u32>, usize)> {
    let g = group_size as usize;
    let total: u64 = order.iter().map(|&i| lengths[i as usize] as u64).sum();
    let groups_hint = (total / (capacity as u64 * g as u64)) as usize + 1;
    // Groups keyed by their largest remaining capacity; a full group leaves for good.
    let mut index = I::new(capacity, groups_hint);
    // Remaining capacity per bin, and per group a max-heap of its bins laid out
    // flat: group k's heap is heap[k*G..(k+1)*G].
    let mut rem: Vec<u32> = Vec::with_capacity(groups_hint * g);
    let mut heap: Vec<u32> = Vec::with_capacity(groups_hint * g);
    let mut groups = 0usize;
    let mut bin_of = Vec::with_capacity(order.len());
    for (k, &item) in order.iter().enumerate() {
        ctl.checkpoint(k)?;
        let len = lengths[item as usize];
        let group = match index.take_ceil(len) {
            Some((_, group)) => group as usize,
            None => {
                // Cold path: a fresh group of empty bins; ascending bin numbers
                // with equal keys already form a valid heap.
                let first = rem.len() as u32;
                rem.resize(rem.len() + g, capacity);
                heap.extend(first..first + group_size);
                groups += 1;
                groups - 1
            }
        };
        let h = &mut heap[group * g..(group + 1) * g];
        let bin = h[0];
        rem[bin as usize] -= len;
        sift_down(h, &rem);
        let top = rem[h[0] as usize];
        if top > 0 {
            index.insert(top, group as u32);
        }
        bin_of.push(bin);
    }
    Ok((bin_of, groups))
}

// ---------------------------------------------------------------------------
// OGBFDP
// ---------------------------------------------------------------------------

/// OGBFDP: parallel OGBFD.
///
/// The decreasing order is dealt round-robin to `T` workers (so every worker
/// sees the same length distribution, still decreasing); each runs the OGBFD
/// loop on its share on the shared [`Workers`] pool. Each worker's last-opened group is
/// the least full one (it got the smallest items, and it is the only one that
/// may have empty bins); those `T` groups are dissolved and their items packed
/// again by OGBFD, appended after the workers' groups. Extra groups versus
/// OGBFD: at most about `T - 1`, negligible for the large inputs that get
/// several workers.
///
/// Deterministic: the result depends on `T = threads`, never on scheduling
/// or on how many threads `workers` really has (the shares are `T` whatever
/// runs them). With `T = 1` it equals OGBFD exactly.
pub fn ogbfdp(
    lengths: &[u32],
    capacity: u32,
    group_size: u32,
    max_len: u32,
    threads: usize,
    workers: &Workers,
    ctl: &Control,
) -> Result<Packing> {
    let t = threads.clamp(1, lengths.len().max(1));
    if t == 1 {
        return ogbfd(lengths, capacity, group_size, max_len, ctl);
    }
    let order = order::decreasing(lengths, max_len);
    ctl.check()?;
    let g = group_size as usize;
    let shares: Vec<Vec<u32>> = (0..t)
        .map(|w| order.iter().skip(w).step_by(t).copied().collect())
        .collect();
    // One chunk per share, run on the shared worker pool (the calling thread
    // included); results come back in share order whatever the scheduling.
    let slots: Vec<std::ops::Range<usize>> = (0..t).map(|w| w..w + 1).collect();
    let results: Vec<Result<(Vec<u32>, usize)>> = workers.map(&slots, |w, _| {
        grouped_best_fit(lengths, &shares[w], capacity, group_size, ctl)
    });
    // Concatenate every worker's groups but its last; gather the last groups' items.
    let mut out_order = Vec::with_capacity(lengths.len());
    let mut out_bin = Vec::with_capacity(lengths.len());
    let mut leftovers = Vec::new();
    let mut base_group = 0usize;
    for (share, result) in shares.iter().zip(results) {
        let (bin_of, groups) = result?;
        let last = groups - 1; // every share is non-empty since t <= n
        for (&item, &bin) in share.iter().zip(&bin_of) {
            let group = bin as usize / g;
            if group == last {
                leftovers.push(item);
            } else {
                out_order.push(item);
                out_bin.push((base_group * g) as u32 + bin);
            }
        }
        base_group += last;
    }
    // Repack: decreasing length, ties by ascending index, as everywhere.
    leftovers.sort_unstable_by_key(|&i| (std::cmp::Reverse(lengths[i as usize]), i));
    let (bin_of, groups) = grouped_best_fit(lengths, &leftovers, capacity, group_size, ctl)?;
    out_bin.extend(bin_of.iter().map(|&b| (base_group * g) as u32 + b));
    out_order.extend(leftovers);
    let total_groups = base_group + groups;
    let mut p = Assignment {
        order: out_order,
        bin_of: out_bin,
        num_bins: total_groups * g,
    }
    .into_packing(lengths);
    p.group_offsets = Some(uniform_group_offsets(total_groups, group_size));
    Ok(p)
}

// ---------------------------------------------------------------------------
// OHGBFD / OSHGBFD
// ---------------------------------------------------------------------------

/// Open bins of one capacity in the heterogeneous strategies, for the query
/// "among bins with remaining `>= len`, the one with the smallest
/// `sum(weight) / capacity`".
///
/// A segment tree over bin numbers (power-of-two leaves, grown by doubling)
/// whose nodes hold the *largest remaining* and the *smallest ratio* of their
/// subtree. The query is a branch-and-bound descent: subtrees whose largest
/// remaining is below `len` cannot hold the item, subtrees whose smallest ratio
/// cannot beat the best candidate found so far cannot win; among the rest the
/// child with the smaller ratio (then more room) is visited first.
///
/// Complexity: `set` is `O(log B)` (amortised, with doubling). `best` is
/// `O(log B)` when the lowest-ratio bins have room, which is the usual case
/// (a low ratio means little weight, i.e. few or short items); it degrades
/// towards `O(B)` when many low-ratio bins are too full for the item, because
/// the two keys (room, ratio) are not ordered together. A structure with a
/// guaranteed polylogarithmic query (a range tree over remaining values) would
/// cost `O(C)` memory per capacity and more per update; it was not needed on
/// the measured workloads: 200,000 items of 16..4015 tokens on layouts
/// `[8192, 4096, 4096, 2048]` and `8 x 4096`, with default, zero, `1e6 / len`
/// and `len` weights, all ran at 0.5-1.1 us per item (release build, shared
/// 2-core machine). A single tree over all capacities instead took 8 us per
/// item with default weights, hence one tree per capacity ([`CapacityClass`]).
///
/// Ties: smallest ratio, then most remaining, then lowest bin number.
struct RatioTree {
    /// Number of leaves (a power of two).
    leaves: usize,
    /// Largest remaining capacity per node (leaves at `leaves..2*leaves`); 0 for unused leaves.
    room: Vec<u32>,
    /// Smallest ratio per node; `+inf` for unused leaves.
    ratio: Vec<f64>,
}

/// A candidate bin: (ratio, remaining, bin).
type Candidate = (f64, u32, u32);

impl RatioTree {
    fn new(bins_hint: usize) -> Self {
        let leaves = bins_hint.max(1).next_power_of_two();
        RatioTree {
            leaves,
            room: vec![0; 2 * leaves],
            ratio: vec![f64::INFINITY; 2 * leaves],
        }
    }

    #[inline]
    fn pull(&mut self, node: usize) {
        let (l, r) = (2 * node, 2 * node + 1);
        self.room[node] = self.room[l].max(self.room[r]);
        self.ratio[node] = self.ratio[l].min(self.ratio[r]);
    }

    /// Doubles the leaf count, keeping every bin; `O(B)`, so `O(1)` amortised per bin.
    #[cold]
    fn grow(&mut self) {
        let old = self.leaves;
        let leaves = 2 * old;
        let mut room = vec![0; 2 * leaves];
        let mut ratio = vec![f64::INFINITY; 2 * leaves];
        room[leaves..leaves + old].copy_from_slice(&self.room[old..2 * old]);
        ratio[leaves..leaves + old].copy_from_slice(&self.ratio[old..2 * old]);
        *self = RatioTree {
            leaves,
            room,
            ratio,
        };
        for node in (1..leaves).rev() {
            self.pull(node);
        }
    }

    /// Records bin `bin`'s remaining capacity and ratio. `O(log B)`.
    fn set(&mut self, bin: u32, room: u32, ratio: f64) {
        while bin as usize >= self.leaves {
            self.grow();
        }
        let mut node = self.leaves + bin as usize;
        self.room[node] = room;
        self.ratio[node] = ratio;
        while node > 1 {
            node /= 2;
            self.pull(node);
        }
    }

    /// The bin with remaining `>= len` and the smallest ratio (ties in the type
    /// docs), as `(ratio, remaining, bin)`.
    fn best(&self, len: u32) -> Option<Candidate> {
        let mut best: Option<Candidate> = None;
        self.search(1, 0, self.leaves, len, &mut best);
        best
    }

    fn search(
        &self,
        node: usize,
        first: usize,
        width: usize,
        len: u32,
        best: &mut Option<Candidate>,
    ) {
        let (room, ratio) = (self.room[node], self.ratio[node]);
        if room < len {
            return;
        }
        if let Some((br, broom, bbin)) = *best {
            // Every bin below has ratio >= `ratio`, room <= `room`, number >= `first`.
            if ratio > br
                || (ratio == br && (room < broom || (room == broom && first as u32 > bbin)))
            {
                return;
            }
        }
        if width == 1 {
            *best = Some((ratio, room, first as u32));
            return;
        }
        let (l, r) = (2 * node, 2 * node + 1);
        let half = width / 2;
        // Promising child first: smaller ratio, then more room (so equal ratios
        // lead straight to the roomiest bin), then the left one.
        let (rl, rr) = (self.ratio[l], self.ratio[r]);
        if rr < rl || (rr == rl && self.room[r] > self.room[l]) {
            self.search(r, first + half, half, len, best);
            self.search(l, first, half, len, best);
        } else {
            self.search(l, first, half, len, best);
            self.search(r, first + half, half, len, best);
        }
    }
}

/// Does candidate `a` beat `b`: smaller ratio, then more room, then lower bin number.
fn beats(a: Candidate, b: Candidate) -> bool {
    a.0 < b.0 || (a.0 == b.0 && (a.1 > b.1 || (a.1 == b.1 && a.2 < b.2)))
}

/// The bins of one capacity value: a [`RatioTree`] over them, numbered locally.
///
/// Why one tree per capacity: with mixed capacities, the small devices' empty
/// bins (ratio 0) sit in every subtree of a single tree while the long items
/// do not fit them, and the search would visit every subtree. Within one
/// capacity, a class is skipped outright when the item is longer than it.
struct CapacityClass {
    capacity: u32,
    tree: RatioTree,
    /// Global bin number of each local bin (increasing, so local and global tie-breaks agree).
    global: Vec<u32>,
}

/// OHGBFD (one layout) and OSHGBFD (several): groups of bins with per-device
/// capacities.
///
/// Items in decreasing length (ties: ascending index). Each goes to the bin,
/// over all open groups, with remaining `>= len` and the smallest
/// `sum(weight) / capacity` (weight `weights[i]`, default `len^2`, the
/// attention cost of a document under document masking); ties go to the bin
/// with more room, then the lower bin number. When no bin fits, a new group is
/// opened with the first layout whose largest capacity is `>= len` (one exists:
/// lengths are validated against the largest capacity of all layouts).
///
/// Bins are numbered in opening order, so groups are contiguous. The result
/// sets `bin_capacities` and `group_offsets`. Time: `O(n log n)` for the sort
/// (`O(n + max_len)` when lengths are small) plus, per item, one
/// ratio-tree query in each capacity class `>= len` (at most the number of
/// distinct capacities) and one update.
pub fn heterogeneous(
    lengths: &[u32],
    layouts: &[Vec<u32>],
    weights: Option<&[f64]>,
    max_len: u32,
    ctl: &Control,
) -> Result<Packing> {
    let order = order::decreasing(lengths, max_len);
    ctl.check()?;
    // Largest capacity of each layout, to pick the layout of a new group.
    let layout_max: Vec<u32> = layouts
        .iter()
        .map(|l| l.iter().copied().max().unwrap_or(0))
        .collect();
    let mut distinct: Vec<u32> = layouts.iter().flatten().copied().collect();
    distinct.sort_unstable();
    distinct.dedup();
    let mut classes: Vec<CapacityClass> = distinct
        .iter()
        .map(|&capacity| CapacityClass {
            capacity,
            tree: RatioTree::new(64),
            global: Vec::new(),
        })
        .collect();
    let weight =
        |i: u32| weights.map_or_else(|| (lengths[i as usize] as f64).powi(2), |w| w[i as usize]);
    // Per bin: capacity, remaining, weight sum, class and local number.
    let mut caps: Vec<u32> = Vec::new();
    let mut room: Vec<u32> = Vec::new();
    let mut wsum: Vec<f64> = Vec::new();
    let mut slot: Vec<(u32, u32)> = Vec::new();
    let mut group_offsets = vec![0u32];
    let best = |classes: &[CapacityClass], len: u32| {
        let mut best: Option<Candidate> = None;
        for class in classes.iter().rev().take_while(|c| c.capacity >= len) {
            if let Some((ratio, r, local)) = class.tree.best(len) {
                let cand = (ratio, r, class.global[local as usize]);
                if !matches!(best, Some(b) if !beats(cand, b)) {
                    best = Some(cand);
                }
            }
        }
        best.map(|(_, _, bin)| bin)
    };
    let mut bin_of = Vec::with_capacity(order.len());
    for (k, &item) in order.iter().enumerate() {
        ctl.checkpoint(k)?;
        let len = lengths[item as usize];
        let bin = match best(&classes, len) {
            Some(b) => b,
            None => {
                let layout = layout_max
                    .iter()
                    .position(|&m| m >= len)
                    .expect("lengths are validated against the largest capacity");
                for &c in &layouts[layout] {
                    let ci = distinct
                        .binary_search(&c)
                        .expect("every layout capacity has a class");
                    let class = &mut classes[ci];
                    let local = class.global.len() as u32;
                    class.global.push(caps.len() as u32);
                    class.tree.set(local, c, 0.0);
                    slot.push((ci as u32, local));
                    caps.push(c);
                    room.push(c);
                    wsum.push(0.0);
                }
                group_offsets.push(caps.len() as u32);
                best(&classes, len).expect("the new group has a bin that fits")
            }
        };
        let b = bin as usize;
        room[b] -= len;
        wsum[b] += weight(item);
        let (ci, local) = slot[b];
        classes[ci as usize]
            .tree
            .set(local, room[b], wsum[b] / caps[b] as f64);
        bin_of.push(bin);
    }
    let mut p = Assignment {
        order,
        bin_of,
        num_bins: caps.len(),
    }
    .into_packing(lengths);
    p.bin_capacities = Some(caps);
    p.group_offsets = Some(group_offsets);
    Ok(p)
}
