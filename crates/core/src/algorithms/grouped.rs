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
//!   layout with a bin big enough for the item. The search structure,
//!   [`RatioIndex`], is shared with the other placement structures in
//!   [`crate::placement`].
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
use crate::guard;
use crate::metrics::LengthProfile;
use crate::packing::{Assignment, Packing};
use crate::parallel::Workers;
use crate::placement::{DenseIndex, RatioIndex, RemainingIndex, SparseIndex, DENSE_LIMIT};
use crate::strategy::OptionName;

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
/// - Also returns the multiset of lengths the sort saw, for the metrics.
pub fn ogbfd(
    lengths: &[u32],
    capacity: u32,
    group_size: u32,
    max_len: u32,
    ctl: &Control,
) -> Result<(Packing, LengthProfile)> {
    let (order, profile) = order::decreasing_profiled(lengths, max_len);
    ctl.check()?;
    let (bin_of, groups) = grouped_best_fit(capacity)(lengths, &order, capacity, group_size, ctl)?;
    let num_bins = groups * group_size as usize;
    let mut p = Assignment {
        order,
        bin_of,
        num_bins,
    }
    .into_packing(lengths);
    p.group_offsets = Some(uniform_group_offsets(groups, group_size));
    Ok((p, profile))
}

/// The OGBFD loop over items in `order` (already decreasing), compiled for
/// the remaining-capacity index `capacity` calls for (dense up to
/// [`DENSE_LIMIT`]): called as `grouped_best_fit(capacity)(lengths, order,
/// capacity, group_size, ctl)`. It returns the bin of each item of `order`
/// (bins of group `g` are `g*G..(g+1)*G`) and the number of groups.
fn grouped_best_fit(capacity: u32) -> GroupedLoop {
    if capacity <= DENSE_LIMIT {
        grouped_best_fit_in::<DenseIndex>
    } else {
        grouped_best_fit_in::<SparseIndex>
    }
}

/// See [`grouped_best_fit`].
type GroupedLoop = fn(&[u32], &[u32], u32, u32, &Control) -> Result<(Vec<u32>, usize)>;

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
    let groups_hint =
        ((total / (capacity as u64 * g as u64)) as usize + 1).min(order.len() / g + 1);
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
        // Read once and checked, so `rem[bin] - len` cannot wrap (see `guard`).
        let len = lengths[item as usize];
        guard::check_length(item, len, capacity)?;
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
/// runs them). With `T = 1` it equals OGBFD exactly. Like [`ogbfd`], also
/// returns the multiset of lengths the sort saw.
pub fn ogbfdp(
    lengths: &[u32],
    capacity: u32,
    group_size: u32,
    max_len: u32,
    threads: usize,
    workers: &Workers,
    ctl: &Control,
) -> Result<(Packing, LengthProfile)> {
    let t = threads.clamp(1, lengths.len().max(1));
    if t == 1 {
        return ogbfd(lengths, capacity, group_size, max_len, ctl);
    }
    let (order, profile) = order::decreasing_profiled(lengths, max_len);
    ctl.check()?;
    let g = group_size as usize;
    let shares: Vec<Vec<u32>> = (0..t)
        .map(|w| order.iter().skip(w).step_by(t).copied().collect())
        .collect();
    // One chunk per share, run on the shared worker pool (the calling thread
    // included); results come back in share order whatever the scheduling.
    let slots: Vec<std::ops::Range<usize>> = (0..t).map(|w| w..w + 1).collect();
    let results: Vec<Result<(Vec<u32>, usize)>> = workers.map(&slots, |w, _| {
        grouped_best_fit(capacity)(lengths, &shares[w], capacity, group_size, ctl)
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
    // Each length is read once into the key, so the comparator stays a
    // total order even if the lengths change meanwhile (`guard`).
    leftovers.sort_by_cached_key(|&i| (std::cmp::Reverse(lengths[i as usize]), i));
    let (bin_of, groups) =
        grouped_best_fit(capacity)(lengths, &leftovers, capacity, group_size, ctl)?;
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
    Ok((p, profile))
}

// ---------------------------------------------------------------------------
// OHGBFD / OSHGBFD
// ---------------------------------------------------------------------------

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
/// sets `bin_capacities` and `group_offsets`. The search is a
/// [`RatioIndex`] over all bins: time `O(n log n)` for the sort (`O(n +
/// max_len)` when lengths are small) plus `O((n + B) log B)` for `B` bins,
/// whatever the weights and however many distinct capacities (an earlier
/// per-capacity segment-tree search cost up to `O(B)` per item, which
/// adversarial weights forced). Cancellation is polled by work done, so a
/// group of many devices counts as much as many items.
///
/// Limits: a layout with many devices too small for the items makes empty
/// bins in every group, so the output is capped at
/// [`limits::bin_budget`](crate::limits::bin_budget) bins
/// (an [`ErrorKind::InvalidOption`](crate::ErrorKind::InvalidOption) beyond it).
pub fn heterogeneous(
    lengths: &[u32],
    layouts: &[Vec<u32>],
    weights: Option<&[f64]>,
    max_len: u32,
    ctl: &Control,
) -> Result<Packing> {
    let option = if layouts.len() == 1 {
        OptionName::Capacities
    } else {
        OptionName::Layouts
    };
    if let Some(w) = weights {
        if w.len() != lengths.len() {
            return Err(crate::error::PackError::option(
                OptionName::Weights,
                "",
                format!("an array of {}", w.len()),
                &format!("it must have one weight per length ({})", lengths.len()),
            ));
        }
    }
    let order = order::decreasing(lengths, max_len);
    ctl.check()?;
    // Lengths in processing order, gathered before the loop: independent
    // random loads, many in flight at once, where inside the loop each would
    // wait behind the search (at N = 1M that wait was a fifth of the time).
    // Each length is read once, so the placement and the loads below agree.
    let ordered: Vec<u32> = order.iter().map(|&i| lengths[i as usize]).collect();
    ctl.check()?;
    // Largest capacity of each layout, to pick the layout of a new group.
    let layout_max: Vec<u32> = layouts
        .iter()
        .map(|l| l.iter().copied().max().unwrap_or(0))
        .collect();
    let largest = layout_max.iter().copied().max().unwrap_or(0);
    let budget = crate::limits::bin_budget(lengths.len());
    let mut index = RatioIndex::new();
    // Per bin: capacity, weight sum and, in `bin_offsets[bin + 1]`, the
    // number of items (its room lives in the index).
    let mut caps: Vec<u32> = Vec::new();
    let mut wsum: Vec<f64> = Vec::new();
    let mut bin_offsets: Vec<u32> = vec![0];
    let mut group_offsets = vec![0u32];
    let mut poll = ctl.poll();
    let mut bin_of = Vec::with_capacity(order.len());
    for (&item, &len) in order.iter().zip(&ordered) {
        // Checked so the room arithmetic below cannot wrap.
        guard::check_length(item, len, largest)?;
        let (found, moves) = index.best(len);
        poll.spend(moves)?;
        let bin = match found {
            Some(b) => b,
            None => {
                let layout = layout_max
                    .iter()
                    .position(|&m| m >= len)
                    .ok_or_else(|| guard::bad_length(item as usize, len, largest))?;
                let devices = &layouts[layout];
                if caps.len() + devices.len() > budget {
                    return Err(crate::limits::too_many_bins(option, lengths.len()));
                }
                for &c in devices {
                    index.push(c, 0.0);
                    caps.push(c);
                    wsum.push(0.0);
                    bin_offsets.push(0);
                }
                poll.spend(devices.len() as u64)?;
                group_offsets.push(caps.len() as u32);
                let (found, moves) = index.best(len);
                poll.spend(moves)?;
                found.ok_or_else(|| guard::input_changed(Some(item as usize)))?
            }
        };
        let b = bin as usize;
        let room = index.room(bin) - len; // `best` answers only bins with room >= len
        wsum[b] += match weights {
            None => (len as f64).powi(2),
            Some(w) => w[item as usize],
        };
        poll.spend(index.update(bin, room, wsum[b] / caps[b] as f64))?;
        bin_offsets[b + 1] += 1;
        bin_of.push(bin);
    }
    // Flat output straight from the counts: no second pass over `lengths`
    // (the loads are what the index says was used).
    for b in 1..bin_offsets.len() {
        bin_offsets[b] += bin_offsets[b - 1];
    }
    let mut cursor = bin_offsets[..caps.len()].to_vec();
    let mut items = vec![0u32; order.len()];
    for (&item, &b) in order.iter().zip(&bin_of) {
        let c = &mut cursor[b as usize];
        items[*c as usize] = item;
        *c += 1;
    }
    let bin_loads = caps
        .iter()
        .enumerate()
        .map(|(b, &c)| c - index.room(b as u32))
        .collect();
    let mut p = Packing {
        items,
        bin_offsets,
        bin_loads,
        bin_capacities: None,
        group_offsets: None,
    };
    p.bin_capacities = Some(caps);
    p.group_offsets = Some(group_offsets);
    Ok(p)
}
