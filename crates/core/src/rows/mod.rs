//! From documents to training rows: packing turned into the tensors a trainer
//! consumes.
//!
//! [`pack_rows`] takes tokenised documents in flat form ([`Docs`]), cuts or
//! drops over-long ones ([`Overflow`]), packs the resulting segment lengths
//! with any strategy, and writes one row of exactly `capacity` slots per bin:
//! `input_ids`, `labels`, `position_ids` and `attention_mask`, plus per-segment
//! metadata from which `cu_seqlens` for varlen attention kernels follow.
//!
//! # Conventions (each stated once, here)
//! - A *segment* is one document, or one piece of a split or truncated
//!   document, inside one row. Segments of a row appear in the packing's bin
//!   order, laid end to end from slot 0; the rest of the row is padding.
//! - Positions restart at 0 at every segment.
//! - Padding slots: `input_ids = pad_id`, `labels = ignore_index`,
//!   `attention_mask = 0`, `position_ids = 0`. Segment slots have mask 1.
//! - [`Labels::Unshifted`] (default, the Hugging Face convention where the
//!   model shifts): `labels[t] = input_ids[t]`, except `ignore_index` at the
//!   first token of every segment, so after the model's shift no token is
//!   trained to predict across a segment boundary.
//! - [`Labels::Shifted`]: `labels[t] = input_ids[t + 1]` inside a segment,
//!   `ignore_index` at each segment's last token.
//! - Pieces of a split document are independent segments: positions restart
//!   and the boundary rules above apply to each piece.
//!
//! # Cost
//! `O(num_docs + num_rows * capacity)` after the packing itself: the segment
//! metadata takes one pass over the segments ([`plan_rows`]), then every row
//! is written once ([`RowsLayout::fill`]), all four arrays in the same pass
//! while the row's tokens are in cache, with slice copies and fills (no
//! per-token branch, no per-row allocation). The output is about 3.3 times
//! the bytes of the tokens (13 bytes per slot), written into fresh memory,
//! so first touches of fresh pages dominate: large outputs are written by
//! every core (each worker writes whole rows, so the result does not depend
//! on the count), and callers that own the buffers may map their pages in
//! bulk first (the Node addon does). The arrays are deliberately not
//! advised onto transparent huge pages: with the common kernel setting
//! `defrag = madvise`, a fault in an advised region compacts memory
//! synchronously, and inside a long-running Node process (fragmented memory,
//! other processes building) that made `packRows` five times slower.

pub mod prefix;
pub mod stream;

use crate::algorithms::offline::shuffled;
use crate::control::Control;
use crate::error::{ErrorKind, PackError, Result};
use crate::metrics::Metrics;
use crate::{Outcome, Request};

pub use prefix::{merge_prefixes, MergedSequence, PrefixMerge};
pub use stream::{StreamBins, StreamPacker};

/// The one call from this module into the packing engine. Everything else in
/// the module works on the returned flat [`crate::Packing`].
fn pack_lengths(lengths: &[u32], request: &Request, ctl: &Control) -> Result<Outcome> {
    crate::pack(lengths, request, ctl)
}

/// The bin capacity the request packs into.
fn capacity_of(request: &Request) -> u32 {
    request.capacity()
}

/// Tokenised documents in flat form: document `d` is
/// `tokens[offsets[d]..offsets[d + 1]]`.
#[derive(Clone, Copy, Debug)]
pub struct Docs<'a> {
    tokens: &'a [i32],
    offsets: &'a [u32],
}

impl<'a> Docs<'a> {
    /// Checks the layout: `offsets` has `num_docs + 1` entries, starts at 0,
    /// never decreases, and ends at `tokens.len()`. `O(num_docs)`.
    ///
    /// Errors are [`ErrorKind::InvalidInput`] with the index into `offsets` of
    /// the first bad entry.
    pub fn new(tokens: &'a [i32], offsets: &'a [u32]) -> Result<Self> {
        let bad = |i: usize, v: String, why: String| {
            Err(PackError::at(
                ErrorKind::InvalidInput,
                i,
                v,
                format!("offsets[{i}] {why}"),
            ))
        };
        let Some(&last) = offsets.last() else {
            return Err(PackError::new(
                ErrorKind::InvalidInput,
                "offsets is empty: it needs numDocs + 1 entries, starting with 0",
            ));
        };
        if offsets.len() - 1 > crate::MAX_ITEMS {
            return Err(PackError::new(
                ErrorKind::TooManyItems,
                format!(
                    "{} documents is more than the maximum of {}",
                    offsets.len() - 1,
                    crate::MAX_ITEMS
                ),
            ));
        }
        if offsets[0] != 0 {
            return bad(
                0,
                offsets[0].to_string(),
                format!("is {}: it must be 0", offsets[0]),
            );
        }
        if let Some(i) = offsets.windows(2).position(|w| w[1] < w[0]) {
            let i = i + 1;
            return bad(
                i,
                offsets[i].to_string(),
                format!(
                    "is {}, less than offsets[{}] = {}: offsets must not decrease",
                    offsets[i],
                    i - 1,
                    offsets[i - 1]
                ),
            );
        }
        if last as usize != tokens.len() {
            let i = offsets.len() - 1;
            return bad(
                i,
                last.to_string(),
                format!(
                    "is {last}: the last offset must equal the number of tokens ({})",
                    tokens.len()
                ),
            );
        }
        Ok(Docs { tokens, offsets })
    }

    pub fn num_docs(&self) -> usize {
        self.offsets.len() - 1
    }

    /// Tokens of document `d`.
    pub fn doc(&self, d: usize) -> &'a [i32] {
        &self.tokens[self.offsets[d] as usize..self.offsets[d + 1] as usize]
    }

    pub fn len_of(&self, d: usize) -> u32 {
        self.offsets[d + 1] - self.offsets[d]
    }

    pub fn tokens(&self) -> &'a [i32] {
        self.tokens
    }

    pub fn offsets(&self) -> &'a [u32] {
        self.offsets
    }
}

/// What to do with a document longer than the capacity.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Overflow {
    /// Fail with [`ErrorKind::LengthExceedsCapacity`] naming the document
    /// index and its length (the default: silently losing or cutting data
    /// should be a decision).
    #[default]
    Error,
    /// Keep the first `capacity` tokens.
    Truncate,
    /// Consecutive chunks of at most `capacity` tokens, each its own segment
    /// (all full except possibly the last).
    Split,
    /// Leave the document out. Zero-length documents are dropped too.
    Drop,
}

/// How `labels` relate to `input_ids` (see the module conventions).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Labels {
    #[default]
    Unshifted,
    Shifted,
}

/// Everything [`pack_rows`] takes besides the documents.
#[derive(Clone, Debug)]
pub struct RowsOptions {
    /// Strategy, capacity (the row width) and strategy options.
    pub request: Request,
    pub overflow: Overflow,
    /// Token id written into padding slots (default 0).
    pub pad_id: i32,
    /// Label of positions that must not contribute to the loss (default -100,
    /// what PyTorch's cross-entropy ignores).
    pub ignore_index: i32,
    pub labels: Labels,
    /// Permute whole rows (whole groups of rows for grouped strategies) with
    /// a [`Pcg32`](crate::algorithms::offline::Pcg32) Fisher-Yates shuffle
    /// seeded by `seed`.
    ///
    /// Default `false`: the rows then come out in the packing's bin order, the
    /// same for the same input, and whether and how to reorder is the user's
    /// decision (a trainer's own sampler often shuffles already). Be aware
    /// that the offline strategies (OBFD, FFD, ...) open bins longest item
    /// first, so unshuffled rows run from one long document each to many
    /// short ones: an accidental length curriculum if read in order.
    ///
    /// The permutation depends only on `seed` and the number of rows, and is
    /// the same on every platform; pass `seed + epoch` for a fresh order each
    /// epoch.
    pub shuffle: bool,
    pub seed: u64,
    /// Threads writing the rows (each writes whole rows, so the output is
    /// identical for every count). `None`: the request's `threads` if it
    /// has one, else every core for outputs of at least 2^20 slots and one
    /// below (see [`RowsLayout::fill`]).
    pub threads: Option<usize>,
}

impl RowsOptions {
    /// The defaults: overflow error, pad 0, ignore -100, unshifted labels, no shuffle, seed 0.
    pub fn new(request: Request) -> Self {
        RowsOptions {
            request,
            overflow: Overflow::Error,
            pad_id: 0,
            ignore_index: -100,
            labels: Labels::Unshifted,
            shuffle: false,
            seed: 0,
            threads: None,
        }
    }
}

/// What the overflow policy did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct OverflowCounts {
    /// Documents cut into several segments ([`Overflow::Split`]).
    pub split: usize,
    /// Documents cut to `capacity` tokens ([`Overflow::Truncate`]).
    pub truncated: usize,
    /// Documents left out ([`Overflow::Drop`]), zero-length ones included.
    pub dropped: usize,
    /// Tokens of the input that appear in no row (truncated tails, dropped documents).
    pub tokens_lost: u64,
}

/// Packed training rows, as flat arrays over all rows: row `r` is
/// `[r * capacity, (r + 1) * capacity)` of the four token arrays, and its
/// segments are `row_segments[r]..row_segments[r + 1]` of the segment arrays
/// (the [`RowsLayout`] fields, reached through `Deref`).
#[derive(Clone, Debug, PartialEq)]
pub struct PackedRows {
    /// Row order, segment metadata, metrics.
    pub layout: RowsLayout,
    pub input_ids: Vec<i32>,
    pub labels: Vec<i32>,
    pub position_ids: Vec<i32>,
    pub attention_mask: Vec<u8>,
}

impl std::ops::Deref for PackedRows {
    type Target = RowsLayout;
    fn deref(&self) -> &RowsLayout {
        &self.layout
    }
}

impl std::ops::DerefMut for PackedRows {
    fn deref_mut(&mut self) -> &mut RowsLayout {
        &mut self.layout
    }
}

impl PackedRows {
    /// Slot range of row `r` in the token arrays.
    pub fn slots_of(&self, r: usize) -> std::ops::Range<usize> {
        let c = self.capacity as usize;
        r * c..(r + 1) * c
    }

    /// Cumulative segment lengths of rows `row_start..row_end` laid end to
    /// end, starting at 0: `1 + segments` entries, what flash-attention's
    /// varlen kernels take as `cu_seqlens` for those rows flattened.
    /// `O(segments in range)`.
    ///
    /// Errors: [`ErrorKind::InvalidInput`] for a range outside `0..=num_rows`
    /// or reversed; [`ErrorKind::TooManyItems`] if the total exceeds `i32::MAX`.
    pub fn cu_seqlens(&self, row_start: usize, row_end: usize) -> Result<Vec<i32>> {
        if row_start > row_end || row_end > self.num_rows {
            return Err(PackError::new(
                ErrorKind::InvalidInput,
                format!(
                    "row range {row_start}..{row_end} is not within 0..{}",
                    self.num_rows
                ),
            ));
        }
        let segs = self.row_segments[row_start] as usize..self.row_segments[row_end] as usize;
        let mut out = Vec::with_capacity(segs.len() + 1);
        out.push(0i32);
        let mut total = 0u64;
        for &l in &self.segment_length[segs] {
            total += l as u64;
            if total > i32::MAX as u64 {
                return Err(PackError::new(
                    ErrorKind::TooManyItems,
                    format!("rows {row_start}..{row_end} hold more than {} tokens: ask for a smaller range", i32::MAX),
                ));
            }
            out.push(total as i32);
        }
        Ok(out)
    }
}

/// Segments before packing: one per kept document, or several per split one.
struct Pieces {
    doc: Vec<u32>,
    start: Vec<u32>,
    len: Vec<u32>,
    counts: OverflowCounts,
}

/// Applies the overflow policy. `O(num_docs + pieces)`. Errors name the
/// first offending document.
fn cut(docs: &Docs, capacity: u32, overflow: Overflow) -> Result<Pieces> {
    let n = docs.num_docs();
    let mut p = Pieces {
        doc: Vec::with_capacity(n),
        start: Vec::with_capacity(n),
        len: Vec::with_capacity(n),
        counts: OverflowCounts::default(),
    };
    for d in 0..n {
        let len = docs.len_of(d);
        if len == 0 {
            if overflow == Overflow::Drop {
                p.counts.dropped += 1;
                continue;
            }
            return Err(PackError::at(
                ErrorKind::InvalidLength,
                d,
                0,
                format!("document {d} has no tokens: every document needs at least one (or use overflow `drop`)"),
            ));
        }
        if len <= capacity {
            p.doc.push(d as u32);
            p.start.push(0);
            p.len.push(len);
            continue;
        }
        match overflow {
            Overflow::Error => {
                return Err(PackError::at(
                    ErrorKind::LengthExceedsCapacity,
                    d,
                    len,
                    format!("document {d} has {len} tokens, more than the capacity {capacity}: choose overflow `truncate`, `split` or `drop`"),
                ))
            }
            Overflow::Truncate => {
                p.counts.truncated += 1;
                p.counts.tokens_lost += (len - capacity) as u64;
                p.doc.push(d as u32);
                p.start.push(0);
                p.len.push(capacity);
            }
            Overflow::Drop => {
                p.counts.dropped += 1;
                p.counts.tokens_lost += len as u64;
            }
            Overflow::Split => {
                p.counts.split += 1;
                let mut s = 0;
                while s < len {
                    let l = (len - s).min(capacity);
                    p.doc.push(d as u32);
                    p.start.push(s);
                    p.len.push(l);
                    s += l;
                }
            }
        }
        if p.len.len() > crate::MAX_ITEMS {
            return Err(PackError::new(
                ErrorKind::TooManyItems,
                format!("more than {} segments", crate::MAX_ITEMS),
            ));
        }
    }
    Ok(p)
}

/// Cuts, packs and materialises `docs` into rows (see the module docs for the
/// conventions). `O(num_docs + num_rows * capacity)` plus the strategy's own
/// cost. Errors: the layout errors of [`Docs::new`] (already checked), a
/// zero-length or over-long document (by policy), every error of the
/// packing, [`ErrorKind::InvalidCapacity`] for a capacity above `i32::MAX`
/// (positions are `i32`), [`ErrorKind::Aborted`] through `ctl`.
pub fn pack_rows(docs: &Docs, opts: &RowsOptions, ctl: &Control) -> Result<PackedRows> {
    plan_rows(docs, opts, ctl)?.into_rows(docs, opts, ctl)
}

/// [`pack_rows`] without writing the four token arrays: cuts, packs and lays
/// out the segments; [`RowsLayout::fill`] then writes the arrays wherever
/// the caller wants them. Same cost and errors as [`pack_rows`] minus the
/// `O(num_rows * capacity)` fill.
pub fn plan_rows(docs: &Docs, opts: &RowsOptions, ctl: &Control) -> Result<RowsLayout> {
    let capacity = row_capacity(opts)?;
    let pieces = cut(docs, capacity, opts.overflow)?;
    let outcome = pack_lengths(&pieces.len, &opts.request, ctl)?;
    layout(pieces, outcome, opts)
}

/// Materialises rows from a packing computed elsewhere (a [`StreamPacker`]'s
/// closed bins, a window, a user's own assignment): bin `b` becomes a row
/// holding the whole documents `packing.bin(b)`, in that order. Only the
/// request's capacity is used from `opts.request`, and `opts.overflow` does
/// not apply (documents are not cut). Metrics are recomputed for these
/// bins. `O(num_docs + num_rows * capacity)`.
///
/// Errors: a document of length 0 or over the capacity
/// ([`ErrorKind::InvalidLength`] / [`ErrorKind::LengthExceedsCapacity`],
/// naming it); a packing that does not hold every document exactly once
/// within capacity ([`ErrorKind::InvalidInput`]).
pub fn rows_from_packing(
    docs: &Docs,
    packing: &crate::Packing,
    opts: &RowsOptions,
    ctl: &Control,
) -> Result<PackedRows> {
    let capacity = row_capacity(opts)?;
    let pieces = cut(docs, capacity, Overflow::Error)?;
    packing.verify(&pieces.len, capacity).map_err(|why| {
        PackError::new(
            ErrorKind::InvalidInput,
            format!("the packing does not match the documents: {why}"),
        )
    })?;
    let metrics = Metrics::compute(packing, &pieces.len, capacity);
    let outcome = Outcome {
        packing: packing.clone(),
        metrics,
    };
    layout(pieces, outcome, opts)?.into_rows(docs, opts, ctl)
}

/// The row width, checked: position ids are `i32`.
fn row_capacity(opts: &RowsOptions) -> Result<u32> {
    let capacity = capacity_of(&opts.request);
    if capacity > i32::MAX as u32 {
        let mut e = PackError::new(
            ErrorKind::InvalidCapacity,
            format!(
                "capacity {capacity} is too large for rows: position ids are i32, so at most {}",
                i32::MAX
            ),
        );
        e.value = Some(capacity.to_string());
        return Err(e);
    }
    Ok(capacity)
}

/// Everything about packed rows except the four token arrays: the row
/// order, the segment metadata and the packing's metrics. [`RowsLayout::fill`]
/// writes the arrays into buffers the caller allocates (the Node addon
/// allocates them in JavaScript's heap and has them written in place, with
/// no intermediate copy); [`pack_rows`] allocates `Vec`s.
#[derive(Clone, Debug, PartialEq)]
pub struct RowsLayout {
    /// Row width in tokens.
    pub capacity: u32,
    pub num_rows: usize,
    /// `num_rows + 1` offsets into the segment arrays.
    pub row_segments: Vec<u32>,
    /// Source document of each segment.
    pub segment_doc: Vec<u32>,
    /// Offset of the segment's first token inside its document.
    pub segment_start: Vec<u32>,
    pub segment_length: Vec<u32>,
    /// Longest segment (0 without segments).
    pub max_seqlen: u32,
    /// Metrics of the packing of the segment lengths.
    pub metrics: Metrics,
    pub overflow: OverflowCounts,
    /// Bin of the packing each row holds (the identity unless shuffled).
    pub row_bin: Vec<u32>,
    /// For grouped strategies: group `g` is rows `group_offsets[g]..group_offsets[g + 1]`
    /// (shuffling permutes whole groups, so a group's rows stay together).
    pub group_offsets: Option<Vec<u32>>,
}

/// The four token arrays of [`RowsLayout::fill`], each exactly
/// `num_rows * capacity` long. Their prior contents do not matter: every
/// slot is written.
pub struct RowBuffers<'a> {
    pub input_ids: &'a mut [i32],
    pub labels: &'a mut [i32],
    pub position_ids: &'a mut [i32],
    pub attention_mask: &'a mut [u8],
}

/// Outputs below this many slots are written by the calling thread alone
/// when no thread count is given: waking a worker costs more than it saves.
const PARALLEL_FILL_SLOTS: usize = 1 << 20;

/// Writers for `slots` slots: the caller's count, or else the machine's
/// parallelism for large outputs. The work is first touches of fresh pages
/// plus copies; page faults of one process are served concurrently by the
/// kernel, so two writers take about half the time when two cores are free.
fn fill_threads(opts: &RowsOptions, slots: usize) -> usize {
    let t = match opts.threads.or_else(|| opts.request.threads()) {
        Some(t) => t,
        None if slots >= PARALLEL_FILL_SLOTS => crate::parallel::machine_threads(),
        None => 1,
    };
    t.clamp(1, crate::strategy::MAX_THREADS)
}

impl RowsLayout {
    /// Slots of each token array: `num_rows * capacity` (checked when the
    /// layout was built).
    pub fn slots(&self) -> usize {
        self.num_rows * self.capacity as usize
    }

    /// Segment index range of row `r`.
    pub fn segments_of(&self, r: usize) -> std::ops::Range<usize> {
        self.row_segments[r] as usize..self.row_segments[r + 1] as usize
    }

    /// Writes the four arrays of these rows into `out`; `docs` and `opts`
    /// must be those the layout was planned from ([`plan_rows`]). Rows are
    /// split into contiguous chunks written by up to `opts.threads` workers
    /// (default: all cores for outputs of at least 2^20 slots), each row by
    /// one worker, so the result is the same for every count.
    /// `O(num_rows * capacity)`, memory-bound.
    ///
    /// Errors: [`ErrorKind::InvalidInput`] if a buffer has the wrong length;
    /// [`ErrorKind::Aborted`] through `ctl` (checked every 256 rows).
    pub fn fill(
        &self,
        docs: &Docs,
        opts: &RowsOptions,
        out: RowBuffers,
        ctl: &Control,
    ) -> Result<()> {
        let slots = self.slots();
        let lens = [
            out.input_ids.len(),
            out.labels.len(),
            out.position_ids.len(),
            out.attention_mask.len(),
        ];
        if lens.iter().any(|&l| l != slots) {
            return Err(PackError::new(
                ErrorKind::InvalidInput,
                format!("row buffers have lengths {lens:?}; each needs {slots} slots"),
            ));
        }
        let cap = self.capacity as usize;
        let num_rows = self.num_rows;
        if cap == 0 || num_rows == 0 {
            return Ok(());
        }
        let fill = Fill::new(docs, opts, cap);
        let workers = crate::parallel::Workers::new(fill_threads(opts, slots));
        let k = if workers.threads() == 1 {
            1
        } else {
            (workers.threads() * 4).min(num_rows)
        };
        let chunks: Vec<std::ops::Range<usize>> = (0..k)
            .map(|c| c * num_rows / k..(c + 1) * num_rows / k)
            .collect();
        // Disjoint row ranges of the four arrays, one per chunk, each claimed once.
        let mut parts = Vec::with_capacity(k);
        let RowBuffers {
            input_ids: mut a,
            labels: mut b,
            position_ids: mut c,
            attention_mask: mut d,
        } = out;
        for r in &chunks {
            let n = r.len() * cap;
            let (a0, a1) = a.split_at_mut(n);
            let (b0, b1) = b.split_at_mut(n);
            let (c0, c1) = c.split_at_mut(n);
            let (d0, d1) = d.split_at_mut(n);
            parts.push(std::sync::Mutex::new(Some((a0, b0, c0, d0))));
            (a, b, c, d) = (a1, b1, c1, d1);
        }
        let fill = &fill;
        let results = workers.map(&chunks, |i, range| -> Result<()> {
            let (ids, lab, pos, mask) = parts[i]
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .take()
                .expect("each chunk is filled once");
            let rows = ids
                .chunks_exact_mut(cap)
                .zip(lab.chunks_exact_mut(cap))
                .zip(pos.chunks_exact_mut(cap))
                .zip(mask.chunks_exact_mut(cap));
            for (r, (((ids, lab), pos), mask)) in range.zip(rows) {
                if r % 256 == 0 {
                    ctl.check()?;
                }
                let s = self.segments_of(r);
                fill.row(
                    &self.segment_doc[s.clone()],
                    &self.segment_start[s.clone()],
                    &self.segment_length[s],
                    ids,
                    lab,
                    pos,
                    mask,
                );
            }
            Ok(())
        });
        results.into_iter().collect::<Result<()>>()
    }

    /// Fills fresh `Vec`s ([`RowsLayout::fill`]) and returns the whole rows.
    fn into_rows(self, docs: &Docs, opts: &RowsOptions, ctl: &Control) -> Result<PackedRows> {
        let slots = self.slots();
        // Zeroed allocations come from fresh (lazily zeroed) pages, so the
        // fill's writes are the first touches and nothing is written twice.
        let mut input_ids = vec![0i32; slots];
        let mut labels = vec![0i32; slots];
        let mut position_ids = vec![0i32; slots];
        let mut attention_mask = vec![0u8; slots];
        self.fill(
            docs,
            opts,
            RowBuffers {
                input_ids: &mut input_ids,
                labels: &mut labels,
                position_ids: &mut position_ids,
                attention_mask: &mut attention_mask,
            },
            ctl,
        )?;
        Ok(PackedRows {
            layout: self,
            input_ids,
            labels,
            position_ids,
            attention_mask,
        })
    }
}

/// The row order and segment metadata for a packing of `pieces`.
/// `O(num_bins + num_segments)`.
fn layout(pieces: Pieces, outcome: Outcome, opts: &RowsOptions) -> Result<RowsLayout> {
    let capacity = row_capacity(opts)?;
    let packing = &outcome.packing;
    let num_bins = packing.num_bins();
    let cap = capacity as usize;
    num_bins.checked_mul(cap).ok_or_else(|| {
        PackError::new(
            ErrorKind::TooManyItems,
            format!("{num_bins} rows of {cap} tokens do not fit in memory"),
        )
    })?;

    // Row order: bins, or groups of bins, permuted.
    let (row_bin, group_offsets) = order_rows(packing, opts);

    // Segment metadata, row by row.
    let num_segments = packing.items.len();
    let mut row_segments = Vec::with_capacity(num_bins + 1);
    let mut segment_doc = Vec::with_capacity(num_segments);
    let mut segment_start = Vec::with_capacity(num_segments);
    let mut segment_length = Vec::with_capacity(num_segments);
    row_segments.push(0u32);
    let mut max_seqlen = 0u32;
    for &b in &row_bin {
        for &item in packing.bin(b as usize) {
            let i = item as usize;
            segment_doc.push(pieces.doc[i]);
            segment_start.push(pieces.start[i]);
            segment_length.push(pieces.len[i]);
            max_seqlen = max_seqlen.max(pieces.len[i]);
        }
        row_segments.push(segment_doc.len() as u32);
    }
    Ok(RowsLayout {
        capacity,
        num_rows: num_bins,
        row_segments,
        segment_doc,
        segment_start,
        segment_length,
        max_seqlen,
        metrics: outcome.metrics,
        overflow: pieces.counts,
        row_bin,
        group_offsets,
    })
}

/// The bins in row order and, for grouped packings, the group offsets in
/// that order. Without shuffle: bin order. With shuffle: a seeded
/// Fisher-Yates permutation of the bins, or of the groups (each group's
/// bins kept together and in order). `O(num_bins)`.
fn order_rows(packing: &crate::Packing, opts: &RowsOptions) -> (Vec<u32>, Option<Vec<u32>>) {
    let nb = packing.num_bins() as u32;
    match (&packing.group_offsets, opts.shuffle) {
        (None, false) => ((0..nb).collect(), None),
        (None, true) => (shuffled(nb as usize, opts.seed), None),
        (Some(g), false) => ((0..nb).collect(), Some(g.clone())),
        (Some(g), true) => {
            let ng = g.len() - 1;
            let perm = shuffled(ng, opts.seed);
            let mut bins = Vec::with_capacity(nb as usize);
            let mut offs = Vec::with_capacity(g.len());
            offs.push(0u32);
            for &k in &perm {
                bins.extend(g[k as usize]..g[k as usize + 1]);
                offs.push(bins.len() as u32);
            }
            (bins, Some(offs))
        }
    }
}

/// The per-row writer: everything constant across rows.
struct Fill<'a> {
    tokens: &'a [i32],
    offsets: &'a [u32],
    pad_id: i32,
    ignore: i32,
    shifted: bool,
    /// `0, 1, ..., capacity - 1`: positions of a segment are a prefix of it,
    /// copied with one `memcpy` instead of counted slot by slot.
    ramp: Vec<i32>,
}

impl<'a> Fill<'a> {
    fn new(docs: &Docs<'a>, opts: &RowsOptions, cap: usize) -> Self {
        Fill {
            tokens: docs.tokens,
            offsets: docs.offsets,
            pad_id: opts.pad_id,
            ignore: opts.ignore_index,
            shifted: opts.labels == Labels::Shifted,
            ramp: (0..cap as i32).collect(),
        }
    }

    /// Writes one row: each segment's tokens, labels, positions and mask by
    /// slice copies and fills (no per-token branch), then the padding tail.
    /// Every slot is written, so the buffers need no prior initialisation.
    /// A segment's slices are taken once and reused for all four arrays, so
    /// the bounds checks are per segment, not per token.
    #[allow(clippy::too_many_arguments)]
    #[inline]
    fn row(
        &self,
        seg_doc: &[u32],
        seg_start: &[u32],
        seg_len: &[u32],
        ids: &mut [i32],
        lab: &mut [i32],
        pos: &mut [i32],
        mask: &mut [u8],
    ) {
        let mut at = 0usize;
        for ((&d, &s), &l) in seg_doc.iter().zip(seg_start).zip(seg_len) {
            let from = self.offsets[d as usize] as usize + s as usize;
            let l = l as usize;
            let src = &self.tokens[from..from + l];
            let end = at + l;
            ids[at..end].copy_from_slice(src);
            let lab = &mut lab[at..end];
            if self.shifted {
                lab[..l - 1].copy_from_slice(&src[1..]);
                lab[l - 1] = self.ignore;
            } else {
                lab.copy_from_slice(src);
                lab[0] = self.ignore;
            }
            pos[at..end].copy_from_slice(&self.ramp[..l]);
            mask[at..end].fill(1);
            at = end;
        }
        ids[at..].fill(self.pad_id);
        lab[at..].fill(self.ignore);
        pos[at..].fill(0);
        mask[at..].fill(0);
    }
}
