//! Resource limits: the sizes beyond which a request is refused rather than
//! allowed to take unbounded time, memory or threads.
//!
//! Every limit here is enforced with [`ErrorKind::InvalidOption`]
//! (`ERR_SEQPACK_INVALID_OPTION`), naming the option, its value and the index
//! of the first entry beyond the limit. Limits that already existed live with
//! their option: `threads <= `[`MAX_THREADS`](crate::algorithms::MAX_THREADS),
//! `groupSize <= `[`MAX_GROUP_SIZE`](crate::algorithms::MAX_GROUP_SIZE),
//! `k <= `[`MAX_K`](crate::algorithms::MAX_K), items `<= `[`MAX_ITEMS`](crate::MAX_ITEMS).
//!
//! Threads: any accepted `threads` value is a *request*; the workers that run
//! are at most the machine's parallelism and at most what the input can use
//! (see [`crate::parallel`]), and the whole process shares one worker pool
//! built once, so no option value creates threads beyond that.

use crate::algorithms::RawOptions;
use crate::error::{ErrorKind, PackError, Result};

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

fn too_many(name: &str, len: usize, limit: usize, what: &str) -> PackError {
    let mut e = PackError::option(
        name,
        format!("an array of {len}"),
        &format!("it may have at most {limit} {what}"),
    );
    e.index = Some(limit);
    e
}

/// Checks the sizes of the list options before they are converted. `O(layouts)`.
pub fn check_options(raw: &RawOptions) -> Result<()> {
    if let Some(c) = &raw.capacities {
        if c.len() > MAX_GROUP_BINS {
            return Err(too_many(
                "capacities",
                c.len(),
                MAX_GROUP_BINS,
                "capacities (devices per group)",
            ));
        }
    }
    if let Some(layouts) = &raw.layouts {
        if layouts.len() > MAX_LAYOUTS {
            return Err(too_many("layouts", layouts.len(), MAX_LAYOUTS, "layouts"));
        }
        let mut total = 0usize;
        for (i, l) in layouts.iter().enumerate() {
            if l.len() > MAX_GROUP_BINS {
                let mut e = too_many(
                    &format!("layouts[{i}]"),
                    l.len(),
                    MAX_GROUP_BINS,
                    "capacities (devices per group)",
                );
                e.index = Some(i);
                return Err(e);
            }
            total += l.len();
            if total > MAX_LAYOUT_ENTRIES {
                let mut e = PackError::option(
                    &format!("layouts[{i}]"),
                    format!("an array of {}", l.len()),
                    &format!(
                        "all layouts together may have at most {MAX_LAYOUT_ENTRIES} capacities"
                    ),
                );
                e.index = Some(i);
                return Err(e);
            }
        }
    }
    Ok(())
}

/// The error when a heterogeneous packing of `n` items would need more than
/// [`bin_budget`] bins.
#[cold]
pub fn too_many_bins(option: &str, n: usize) -> PackError {
    let mut e = PackError::new(
        ErrorKind::InvalidOption,
        format!(
            "option `{option}`: packing {n} items would need more than {} bins (groups hold one bin per device, and these devices are too small for the items); remove the devices no item fits, or split the input",
            bin_budget(n)
        ),
    );
    e.value = Some(format!("more than {} bins", bin_budget(n)));
    e
}
