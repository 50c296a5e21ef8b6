//! Resource limits: the sizes beyond which a request is refused rather than
//! allowed to take unbounded time, memory or threads.
//!
//! Every limit here is enforced with [`ErrorKind::InvalidOption`] (the
//! bindings give it their own code), naming the option, its value and the index
//! of the first entry beyond the limit. Limits that already existed live with
//! their option: `threads <= `[`MAX_THREADS`](crate::strategy::MAX_THREADS),
//! `groupSize <= `[`MAX_GROUP_SIZE`](crate::strategy::MAX_GROUP_SIZE),
//! `k <= `[`MAX_K`](crate::strategy::MAX_K), items `<= `[`MAX_ITEMS`](crate::MAX_ITEMS).
//!
//! Threads: any accepted `threads` value is a *request*; the workers that run
//! are at most the machine's parallelism and at most what the input can use
//! (see [`crate::parallel`]), and the whole process shares one worker pool
//! built once, so no option value creates threads beyond that.

use crate::error::{ErrorKind, Message, PackError, Result};
use crate::strategy::OptionName;

/// Largest number of devices in one group: entries of `capacities`, or of
/// one layout of `layouts`. The same bound as `groupSize`.
pub const MAX_GROUP_BINS: usize = 1 << 16;
/// Largest number of layouts in `layouts`.
pub const MAX_LAYOUTS: usize = 1 << 10;
/// Largest number of capacities over all layouts together.
pub const MAX_LAYOUT_ENTRIES: usize = 1 << 20;
/// The heterogeneous strategies (`ohgbfd`, `oshgbfd`) refuse to produce more
/// than `max(MIN_BIN_BUDGET, BINS_PER_ITEM * n)` bins for `n` items. A group
/// holds one bin per device whether or not the items fit them, so a layout
/// with many devices too small for the items multiplies the output; the cap
/// keeps output and memory proportional to the input.
pub const MIN_BIN_BUDGET: usize = 1 << 22;
/// See [`MIN_BIN_BUDGET`].
pub const BINS_PER_ITEM: usize = 2;

/// The most bins a heterogeneous packing of `n` items may have.
pub fn bin_budget(n: usize) -> usize {
    MIN_BIN_BUDGET
        .max(BINS_PER_ITEM.saturating_mul(n))
        .min(u32::MAX as usize - 1)
}

/// `option `name{suffix}` = an array of {len} is invalid: ...`, index = the
/// first entry beyond the limit (or, inside `layouts`, the layout).
fn too_many(name: OptionName, suffix: &str, len: usize, why: &str, index: usize) -> PackError {
    PackError::option(name, suffix, format!("an array of {len}"), why).index(index)
}

/// Refuses a group's capacity list (`capacities`, or layout `layout`) of
/// `len` entries, more than [`MAX_GROUP_BINS`], with [`too_many`].
fn check_group_len(
    name: OptionName,
    layout: Option<usize>,
    len: usize,
    index: usize,
) -> Result<()> {
    if len <= MAX_GROUP_BINS {
        return Ok(());
    }
    let suffix = layout.map(|i| format!("[{i}]")).unwrap_or_default();
    let why = format!("it may have at most {MAX_GROUP_BINS} capacities (devices per group)");
    Err(too_many(name, &suffix, len, &why, index))
}

/// The list sizes the limits allow, checked before anything is converted:
/// a binding calls this with the sizes of the caller's arrays (so a huge
/// array is refused before it is copied), and [`crate::RequestBuilder::build`]
/// again with the converted lists. `layout_lens` yields the length of each
/// layout in order. `O(layouts)`.
pub fn check_list_sizes(
    capacities: Option<usize>,
    layouts: Option<usize>,
    layout_lens: impl IntoIterator<Item = usize>,
) -> Result<()> {
    if let Some(len) = capacities {
        check_group_len(OptionName::Capacities, None, len, MAX_GROUP_BINS)?;
    }
    if let Some(len) = layouts {
        if len > MAX_LAYOUTS {
            return Err(too_many(
                OptionName::Layouts,
                "",
                len,
                &format!("it may have at most {MAX_LAYOUTS} layouts"),
                MAX_LAYOUTS,
            ));
        }
        let mut total = 0usize;
        for (i, l) in layout_lens.into_iter().enumerate() {
            check_group_len(OptionName::Layouts, Some(i), l, i)?;
            total += l;
            if total > MAX_LAYOUT_ENTRIES {
                return Err(too_many(
                    OptionName::Layouts,
                    &format!("[{i}]"),
                    l,
                    &format!(
                        "all layouts together may have at most {MAX_LAYOUT_ENTRIES} capacities"
                    ),
                    i,
                ));
            }
        }
    }
    Ok(())
}

/// [`check_list_sizes`] on converted lists.
pub fn check_lists(capacities: Option<&[u32]>, layouts: Option<&[Vec<u32>]>) -> Result<()> {
    check_list_sizes(
        capacities.map(<[u32]>::len),
        layouts.map(<[Vec<u32>]>::len),
        layouts.into_iter().flatten().map(Vec::len),
    )
}

/// The error when a heterogeneous packing of `n` items would need more than
/// [`bin_budget`] bins; `option` is the list that made the groups.
#[cold]
pub fn too_many_bins(option: OptionName, n: usize) -> PackError {
    let budget = bin_budget(n);
    let msg = Message::new()
        .text("option `")
        .option(option)
        .text(format!(
            "`: packing {n} items would need more than {budget} bins (groups hold one bin per device, and these devices are too small for the items); remove the devices no item fits, or split the input"
        ));
    PackError::with(ErrorKind::InvalidOption, msg)
        .value(format!("more than {budget} bins"))
        .about(option)
}
