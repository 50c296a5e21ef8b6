//! Context-parallel load balancing of one packed row.
//!
//! With context parallelism a packed row of documents is cut into `2 * nodes`
//! chunks of (almost) equal token counts, and node `i` processes chunks `i` and
//! `2 * nodes - 1 - i` (pairing an early chunk with a late one evens out causal
//! attention, whose cost grows along the sequence). With document masking a
//! token only attends within its document, so a document piece covering the
//! token range `[a, b)` *of its own document* costs `b^2 - a^2` (proportional to
//! the number of query/key pairs of causal attention; the constant factor is
//! dropped). The order of the documents decides where they are cut, hence the
//! loads; [`balance`] chooses the order that minimises the largest deviation of
//! a node's load from the mean.
//!
//! ## Chunking rule
//! With `T` tokens and `K = 2 * nodes` chunks, chunk `j` has `T / K` tokens
//! plus one for the first `T % K` chunks (so sizes differ by at most one, and
//! the row's early chunks take the extra tokens). Chunks may be empty when
//! `T < K`.
//!
//! ## Search
//! The total load, `sum(len^2)`, does not depend on the order, so the mean is
//! fixed. Up to [`EXACT_LIMIT`] documents the search is exact: a depth-first
//! enumeration of the *distinct* orders (equal lengths are interchangeable, so
//! only multiset permutations are visited), with loads updated incrementally
//! and a branch cut as soon as one node's partial load already exceeds the
//! mean by at least the best deviation found (loads only grow as documents are
//! appended). Beyond that a deterministic heuristic: the best of a few
//! structured starting orders, then first-improvement pairwise swaps until no
//! swap helps or a fixed work budget ([`SWAP_BUDGET`]) is spent. The result is
//! then not guaranteed optimal (`exact = false`).
//!
//! ## Arithmetic
//! Positions are `u64` and loads `u128`: a single document of 65,536 tokens
//! already has `len^2 = 2^32`, and LightBinPack's 32-bit arithmetic overflows
//! above 46,340 tokens. Comparisons are exact: deviations are compared as
//! `|load * nodes - total|` in `u128`.
//!
//! Ties: among orders with the same deviation the first one found is kept;
//! the exact search tries longer documents first, and equal lengths keep their
//! input order in the output.

use crate::error::{PackError, Result};
use crate::input::validate_u32;

use crate::strategy::OptionName;
pub use crate::strategy::MAX_NODES;
/// Up to this many documents the search is exhaustive (8! = 40,320 orders at most).
pub const EXACT_LIMIT: usize = 8;
/// Largest `distinct orders x (documents + chunks)` searched exhaustively: with
/// very many nodes each document spans many chunks, and the heuristic is used
/// even for few documents.
pub const EXACT_BUDGET: u64 = 20_000_000;
/// Work budget of the heuristic's swap phase, in units of one chunk or
/// document visited: evaluating an order costs `documents + 2 * nodes`
/// units, and considering a pair that is not evaluated (equal lengths, whose
/// swap changes nothing) costs one. So the phase does at most about this
/// many elementary steps for every input, however many documents are equal.
pub const SWAP_BUDGET: u64 = 10_000_000;

/// The chosen order and its loads.
#[derive(Clone, Debug, PartialEq)]
pub struct Balance {
    /// Input indices in the chosen order.
    pub order: Vec<u32>,
    /// Causal-attention load of each node (exact).
    pub loads: Vec<u128>,
    /// `sum(len^2) / nodes`.
    pub mean: f64,
    /// `max |load - mean|` over nodes.
    pub max_deviation: f64,
    /// Whether the order is proven optimal (exhaustive search).
    pub exact: bool,
}

/// The `2 * nodes` chunks of a row of `total` tokens (rule in the module docs).
#[derive(Clone, Copy, Debug)]
pub struct Chunks {
    nodes: u64,
    base: u64,
    extra: u64,
}

impl Chunks {
    pub fn new(total: u64, nodes: u32) -> Self {
        let k = 2 * nodes as u64;
        Chunks {
            nodes: nodes as u64,
            base: total / k,
            extra: total % k,
        }
    }

    /// First token of chunk `j` (`j <= 2 * nodes`).
    pub fn start(&self, j: u64) -> u64 {
        j * self.base + j.min(self.extra)
    }

    /// The chunk holding token `p` (`p < total`).
    fn chunk_of(&self, p: u64) -> u64 {
        let long = self.extra * (self.base + 1);
        if p < long {
            p / (self.base + 1)
        } else {
            self.extra + (p - long) / self.base
        }
    }

    /// The node that processes chunk `j`.
    pub fn node_of(&self, j: u64) -> usize {
        (if j < self.nodes {
            j
        } else {
            2 * self.nodes - 1 - j
        }) as usize
    }

    /// Calls `f(node, cost)` for each piece of a document of `len` tokens
    /// starting at row position `at`. `O(chunks spanned)`.
    #[inline]
    fn pieces(&self, at: u64, len: u32, mut f: impl FnMut(usize, u128)) {
        let end = at + len as u64;
        let mut p = at;
        while p < end {
            let j = self.chunk_of(p);
            let stop = self.start(j + 1).min(end);
            let (a, b) = ((p - at) as u128, (stop - at) as u128);
            f(self.node_of(j), b * b - a * a);
            p = stop;
        }
    }
}

/// Per-node loads of the documents `lengths` laid out in the given order. `O(docs + chunks)`.
pub fn node_loads(lengths: impl IntoIterator<Item = u32> + Clone, nodes: u32) -> Vec<u128> {
    let total: u64 = lengths.clone().into_iter().map(|l| l as u64).sum();
    let chunks = Chunks::new(total, nodes);
    let mut loads = vec![0u128; nodes as usize];
    let mut at = 0u64;
    for len in lengths {
        chunks.pieces(at, len, |node, c| loads[node] += c);
        at += len as u64;
    }
    loads
}

/// `max |load * nodes - total|`: the largest deviation, scaled by `nodes` to stay integral.
fn scaled_deviation(loads: &[u128], total: u128) -> u128 {
    let n = loads.len() as u128;
    loads
        .iter()
        .map(|&l| (l * n).abs_diff(total))
        .max()
        .unwrap_or(0)
}

/// Chooses the order of the documents of one packed row for `nodes`
/// context-parallel nodes (see module docs). Lengths must be positive.
pub fn balance(lengths: &[u32], nodes: u32) -> Result<Balance> {
    // One packed row: small. Working on a copy means every later read sees
    // the validated values even if the caller's memory changes meanwhile.
    let lengths = &lengths.to_vec()[..];
    validate_u32(lengths, u32::MAX)?;
    if nodes == 0 || nodes > MAX_NODES {
        return Err(PackError::option(
            OptionName::Nodes,
            "",
            nodes,
            &format!("it must be an integer between 1 and {MAX_NODES}"),
        ));
    }
    let total_tokens: u64 = lengths.iter().map(|&l| l as u64).sum();
    let total: u128 = lengths.iter().map(|&l| (l as u128) * (l as u128)).sum();
    let chunks = Chunks::new(total_tokens, nodes);
    let exact = lengths.len() <= EXACT_LIMIT
        && distinct_orders(lengths) * (lengths.len() as u64 + 2 * nodes as u64) <= EXACT_BUDGET;
    let seq = if exact {
        exact_search(lengths, chunks, nodes, total)
    } else {
        heuristic(lengths, nodes, total).0
    };
    // Map lengths back to input indices; equal lengths keep their input order.
    let mut by_len: Vec<u32> = (0..lengths.len() as u32).collect();
    by_len.sort_unstable_by_key(|&i| (lengths[i as usize], i));
    let mut next: std::collections::BTreeMap<u32, usize> = std::collections::BTreeMap::new();
    let order = seq
        .iter()
        .map(|&len| {
            let k = next
                .entry(len)
                .or_insert_with(|| by_len.partition_point(|&i| lengths[i as usize] < len));
            *k += 1;
            by_len[*k - 1]
        })
        .collect();
    let loads = node_loads(seq.iter().copied(), nodes);
    let mean = total as f64 / nodes as f64;
    let max_deviation = loads
        .iter()
        .map(|&l| (l as f64 - mean).abs())
        .fold(0.0, f64::max);
    Ok(Balance {
        order,
        loads,
        mean,
        max_deviation,
        exact,
    })
}

/// Number of distinct orders of `lengths` (a multinomial coefficient); `lengths.len() <= 20`.
fn distinct_orders(lengths: &[u32]) -> u64 {
    let mut sorted = lengths.to_vec();
    sorted.sort_unstable();
    let (mut orders, mut run) = (1u64, 0u64);
    for (k, w) in (1u64..).zip(0..sorted.len()) {
        run = if w > 0 && sorted[w] == sorted[w - 1] {
            run + 1
        } else {
            1
        };
        orders = orders * k / run; // k!/(prod runs!) built incrementally, exact at each step
    }
    orders
}

/// Exhaustive search over distinct orders (multiset permutations). Returns the lengths in order.
fn exact_search(lengths: &[u32], chunks: Chunks, nodes: u32, total: u128) -> Vec<u32> {
    // Distinct lengths, longest first, with their counts.
    let mut distinct: Vec<(u32, usize)> = Vec::new();
    let mut sorted = lengths.to_vec();
    sorted.sort_unstable_by(|a, b| b.cmp(a));
    for l in sorted {
        match distinct.last_mut() {
            Some((v, c)) if *v == l => *c += 1,
            _ => distinct.push((l, 1)),
        }
    }
    let mut s = Search {
        chunks,
        n: nodes as u128,
        total,
        distinct,
        loads: vec![0; nodes as usize],
        prefix: Vec::with_capacity(lengths.len()),
        target: lengths.len(),
        best: None,
    };
    s.dfs(0);
    s.best.map(|(_, seq)| seq).unwrap_or_default()
}

struct Search {
    chunks: Chunks,
    n: u128,
    total: u128,
    distinct: Vec<(u32, usize)>,
    loads: Vec<u128>,
    prefix: Vec<u32>,
    target: usize,
    best: Option<(u128, Vec<u32>)>,
}

impl Search {
    fn dfs(&mut self, at: u64) {
        if self.prefix.len() == self.target {
            let dev = scaled_deviation(&self.loads, self.total);
            if !matches!(&self.best, Some((b, _)) if dev >= *b) {
                self.best = Some((dev, self.prefix.clone()));
            }
            return;
        }
        for d in 0..self.distinct.len() {
            let (len, count) = self.distinct[d];
            if count == 0 {
                continue;
            }
            // Append, with incremental loads; cut if some node is already too heavy.
            let mut cut = false;
            let (loads, n, total, best) = (
                &mut self.loads,
                self.n,
                self.total,
                self.best.as_ref().map(|b| b.0),
            );
            self.chunks.pieces(at, len, |node, c| {
                loads[node] += c;
                if let Some(b) = best {
                    if loads[node] * n >= total + b {
                        cut = true;
                    }
                }
            });
            if !cut {
                self.distinct[d].1 -= 1;
                self.prefix.push(len);
                self.dfs(at + len as u64);
                self.prefix.pop();
                self.distinct[d].1 += 1;
            }
            let loads = &mut self.loads;
            self.chunks.pieces(at, len, |node, c| loads[node] -= c);
        }
    }
}

/// Heuristic for many documents: best structured start, then pairwise swaps.
/// Returns the order and the work units the swap phase spent (at most
/// [`SWAP_BUDGET`] plus one evaluation).
fn heuristic(lengths: &[u32], nodes: u32, total: u128) -> (Vec<u32>, u64) {
    let eval = |seq: &[u32]| scaled_deviation(&node_loads(seq.iter().copied(), nodes), total);
    let mut desc = lengths.to_vec();
    desc.sort_unstable_by(|a, b| b.cmp(a));
    let asc: Vec<u32> = desc.iter().rev().copied().collect();
    // Alternate long and short documents, so every chunk mixes both.
    let mut zigzag = Vec::with_capacity(desc.len());
    let (mut lo, mut hi) = (0, desc.len());
    while lo < hi {
        zigzag.push(desc[lo]);
        lo += 1;
        if lo < hi {
            hi -= 1;
            zigzag.push(desc[hi]);
        }
    }
    let mut best = lengths.to_vec();
    let mut best_dev = eval(&best);
    for cand in [desc, asc, zigzag] {
        let d = eval(&cand);
        if d < best_dev {
            (best, best_dev) = (cand, d);
        }
    }
    // First-improvement swaps under a deterministic work budget. Every pair
    // considered is paid for, skipped or not: skipping equal pairs for free
    // made the phase quadratic when most lengths are equal.
    let cost = (lengths.len() + 2 * nodes as usize) as u64;
    let all_equal = best.windows(2).all(|w| w[0] == w[1]);
    let mut spent = 0u64;
    let mut improved = !all_equal;
    'passes: while improved && best_dev > 0 {
        improved = false;
        for i in 0..best.len() {
            for j in i + 1..best.len() {
                if spent >= SWAP_BUDGET {
                    break 'passes;
                }
                if best[i] == best[j] {
                    spent += 1;
                    continue;
                }
                spent += cost;
                best.swap(i, j);
                let d = eval(&best);
                if d < best_dev {
                    best_dev = d;
                    improved = true;
                } else {
                    best.swap(i, j);
                }
            }
        }
    }
    (best, spent)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorKind;

    #[test]
    fn chunk_rule() {
        let c = Chunks::new(10, 2); // 4 chunks: 3, 3, 2, 2
        let starts: Vec<u64> = (0..=4).map(|j| c.start(j)).collect();
        assert_eq!(starts, vec![0, 3, 6, 8, 10]);
        assert_eq!(
            (0..10).map(|p| c.chunk_of(p)).collect::<Vec<_>>(),
            vec![0, 0, 0, 1, 1, 1, 2, 2, 3, 3]
        );
        assert_eq!(
            (0..4).map(|j| c.node_of(j)).collect::<Vec<_>>(),
            vec![0, 1, 1, 0]
        );
        let tiny = Chunks::new(3, 4); // 8 chunks: 1, 1, 1, 0, 0, 0, 0, 0
        assert_eq!(
            (0..3).map(|p| tiny.chunk_of(p)).collect::<Vec<_>>(),
            vec![0, 1, 2]
        );
    }

    #[test]
    fn counts_distinct_orders() {
        assert_eq!(distinct_orders(&[]), 1);
        assert_eq!(distinct_orders(&[1, 2, 3]), 6);
        assert_eq!(
            distinct_orders(&[5, 5, 5, 2, 2, 1, 9, 9]),
            40320 / (6 * 2 * 2)
        );
    }

    /// The swap phase stays within its budget whatever the lengths: equal
    /// lengths (once free to skip, so quadratic), two alternating lengths,
    /// and distinct ones. Counts work, not time.
    #[test]
    fn swap_phase_stays_within_budget() {
        let cases: Vec<(Vec<u32>, u32)> = vec![
            (vec![100; 320_000], 3),
            (
                (0..200_000)
                    .map(|i| if i % 1000 == 0 { 7 } else { 100 })
                    .collect(),
                3,
            ),
            ((0..50_000).map(|i| 1 + i % 2).collect(), 5),
            ((1..=3_000).collect(), 2),
        ];
        for (lengths, nodes) in cases {
            let total: u128 = lengths.iter().map(|&l| (l as u128) * (l as u128)).sum();
            let cost = (lengths.len() + 2 * nodes as usize) as u64;
            let (order, spent) = heuristic(&lengths, nodes, total);
            assert!(
                spent <= SWAP_BUDGET + cost,
                "{} docs: {spent} units",
                lengths.len()
            );
            let mut a = order.clone();
            let mut b = lengths.clone();
            a.sort_unstable();
            b.sort_unstable();
            assert_eq!(a, b, "the order is a permutation of the lengths");
        }
        // All equal: nothing to improve, nothing spent.
        assert_eq!(heuristic(&[9; 1000], 4, 81_000).1, 0);
    }

    #[test]
    fn rejects_bad_nodes() {
        for v in [0, MAX_NODES + 1] {
            let e = balance(&[1], v).unwrap_err();
            assert_eq!(
                (e.kind, e.option),
                (ErrorKind::InvalidOption, Some(OptionName::Nodes)),
                "{v}"
            );
        }
        assert_eq!(balance(&[1], 0).unwrap_err().kind, ErrorKind::InvalidOption);
        assert_eq!(balance(&[1, 0], 2).unwrap_err().index, Some(1));
    }
}
