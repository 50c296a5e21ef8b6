//! Packing an unbounded stream of lengths with bounded memory.
//!
//! Two modes:
//! - *online*: one of `nf`, `ff`, `bf`, `wf`, `hk` driven item by item
//!   through the same [`OnlineRule`] structs the batch strategies use, so
//!   the bins (items and their order) are exactly those of
//!   [`crate::pack`] on the same lengths. A bin is emitted when it closes
//!   (see [`crate::algorithms::online`] for when each rule closes a bin);
//!   memory is the open bins' items. `ff`/`bf`/`wf` may keep many bins open;
//!   `max_open` bounds them (and then the bins are no longer the batch
//!   ones).
//! - *window*: collect `n` lengths, pack them with any strategy through the
//!   rows module's single packing call, emit every bin; memory `O(n)`.
//!
//! Items are numbered by push order from 0, bins by emission-independent
//! opening order from 0, both as `u64`.

use super::pack_lengths;
use crate::algorithms::online::{CloseSink, OnlinePacker, OnlineRule};
use crate::control::Control;
use crate::error::{ErrorKind, PackError, Result};
use crate::request::Options;
use crate::strategy::{OptionName, Strategy};
use crate::Request;

/// Bins emitted by a [`StreamPacker`], in flat form: bin `i` has number
/// `bins[i]` and items `items[offsets[i]..offsets[i + 1]]` (push indices, in
/// placement order). Reuse one across calls with [`StreamBins::clear`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StreamBins {
    pub bins: Vec<u64>,
    pub offsets: Vec<usize>,
    pub items: Vec<u64>,
}

impl Default for StreamBins {
    fn default() -> Self {
        StreamBins {
            bins: Vec::new(),
            offsets: vec![0],
            items: Vec::new(),
        }
    }
}

impl StreamBins {
    pub fn new() -> Self {
        Self::default()
    }
    pub fn clear(&mut self) {
        self.bins.clear();
        self.offsets.truncate(1);
        self.items.clear();
    }
    pub fn len(&self) -> usize {
        self.bins.len()
    }
    pub fn is_empty(&self) -> bool {
        self.bins.is_empty()
    }
    /// Items of the `i`-th emitted bin.
    pub fn bin(&self, i: usize) -> &[u64] {
        &self.items[self.offsets[i]..self.offsets[i + 1]]
    }
    fn emit(&mut self, bin: u64, items: impl IntoIterator<Item = u64>) {
        self.bins.push(bin);
        self.items.extend(items);
        self.offsets.push(self.items.len());
    }
}

enum Mode {
    Online {
        rule: OnlinePacker,
        /// Items of the open bin in each slot.
        open: Vec<Vec<u64>>,
    },
    Window {
        request: Request,
        size: usize,
        pending: Vec<u32>,
        first_item: u64,
        next_bin: u64,
    },
}

/// Emits a closing bin's items from its slot.
struct Emit<'a> {
    open: &'a mut [Vec<u64>],
    out: &'a mut StreamBins,
}

impl CloseSink for Emit<'_> {
    #[inline]
    fn closed(&mut self, slot: u32, bin: u64) {
        let items = &mut self.open[slot as usize];
        self.out.emit(bin, items.drain(..));
    }
}

/// An incremental packer: [`push`](Self::push) lengths, receive the bins
/// that closed; [`flush`](Self::flush) emits the rest.
pub struct StreamPacker {
    capacity: u32,
    pushed: u64,
    mode: Mode,
}

impl StreamPacker {
    /// Online mode for `request.strategy` (`nf`, `ff`, `bf`, `wf` or `hk`,
    /// with the request's `k`), or window mode for any strategy when
    /// `window = Some(n)` (`n >= 1`). `max_open` (online `ff`/`bf`/`wf`
    /// only) bounds the open bins.
    pub fn new(request: &Request, window: Option<usize>, max_open: Option<usize>) -> Result<Self> {
        let capacity = super::capacity_of(request);
        let mode = match window {
            Some(n) => {
                if n == 0 {
                    return Err(PackError::zero_option(OptionName::Window));
                }
                if let Some(m) = max_open {
                    return Err(PackError::option(
                        OptionName::MaxOpen,
                        "",
                        m,
                        "it applies to online streaming, not to a window",
                    ));
                }
                Mode::Window {
                    request: request.clone(),
                    size: n,
                    pending: Vec::with_capacity(n.min(1 << 20)),
                    first_item: 0,
                    next_bin: 0,
                }
            }
            None => {
                if !request.strategy().info().online {
                    return Err(PackError::option(
                        OptionName::Strategy, "",
                        request.strategy().info().name,
                        "streaming without a window needs an online strategy (nf, ff, bf, wf, hk); give `window` to use an offline one",
                    ));
                }
                Mode::Online {
                    rule: OnlinePacker::new(
                        request.strategy(),
                        capacity,
                        hk_classes(request),
                        max_open,
                    )?,
                    open: Vec::new(),
                }
            }
        };
        Ok(StreamPacker {
            capacity,
            pushed: 0,
            mode,
        })
    }

    /// Online mode with default options for `strategy`.
    pub fn online(strategy: Strategy, capacity: u32) -> Result<Self> {
        let request = Request::new(strategy, capacity)?;
        Self::new(&request, None, None)
    }

    /// Adds one item of length `len` and appends the bins that closed to
    /// `out`. A length of 0 or above the capacity is an error naming the
    /// item's push index, and leaves the packer unchanged.
    /// Online: `O(1)` amortised plus the rule's search; window: a whole
    /// window is packed when it fills.
    pub fn push(&mut self, len: u32, out: &mut StreamBins) -> Result<()> {
        let index = self.pushed;
        if len == 0 || len > self.capacity {
            let (kind, why) = if len == 0 {
                (
                    ErrorKind::InvalidLength,
                    "every item needs at least one token".to_string(),
                )
            } else {
                (
                    ErrorKind::LengthExceedsCapacity,
                    format!("it exceeds the capacity {}", self.capacity),
                )
            };
            return Err(PackError::at(
                kind,
                index as usize,
                len,
                format!("item {index} has length {len}: {why}"),
            ));
        }
        self.pushed += 1;
        match &mut self.mode {
            Mode::Online { rule, open } => {
                let placed = rule.push(len, &mut Emit { open, out });
                let s = placed.slot as usize;
                if s >= open.len() {
                    open.resize_with(s + 1, Vec::new);
                }
                open[s].push(index);
                if placed.closes {
                    Emit { open, out }.closed(placed.slot, placed.bin);
                }
                Ok(())
            }
            Mode::Window { size, pending, .. } => {
                pending.push(len);
                if pending.len() == *size {
                    self.pack_window(out)?;
                }
                Ok(())
            }
        }
    }

    /// [`push`](Self::push) for each length in order; stops at the first error.
    pub fn push_all(&mut self, lengths: &[u32], out: &mut StreamBins) -> Result<()> {
        for &l in lengths {
            self.push(l, out)?;
        }
        Ok(())
    }

    /// Emits every open bin (online: in opening order) or packs the partial
    /// window. The packer stays usable; numbering continues.
    pub fn flush(&mut self, out: &mut StreamBins) -> Result<()> {
        match &mut self.mode {
            Mode::Online { rule, open } => {
                rule.finish(&mut Emit { open, out });
                Ok(())
            }
            Mode::Window { .. } => self.pack_window(out),
        }
    }

    /// Bins open now (online) or items waiting (window).
    pub fn pending(&self) -> usize {
        match &self.mode {
            Mode::Online { rule, .. } => rule.open_bins(),
            Mode::Window { pending, .. } => pending.len(),
        }
    }

    /// Items pushed so far.
    pub fn pushed(&self) -> u64 {
        self.pushed
    }

    fn pack_window(&mut self, out: &mut StreamBins) -> Result<()> {
        let Mode::Window {
            request,
            pending,
            first_item,
            next_bin,
            ..
        } = &mut self.mode
        else {
            unreachable!("window mode")
        };
        if pending.is_empty() {
            return Ok(());
        }
        let outcome = pack_lengths(pending, request, &Control::none())?;
        for bin in outcome.packing.bins() {
            out.emit(*next_bin, bin.iter().map(|&i| *first_item + i as u64));
            *next_bin += 1;
        }
        *first_item += pending.len() as u64;
        pending.clear();
        Ok(())
    }
}

/// The Harmonic-K class count of `request` (read by `hk` only).
fn hk_classes(request: &Request) -> u32 {
    match request.options() {
        Options::HarmonicK { k } => *k,
        _ => crate::strategy::DEFAULT_K,
    }
}
