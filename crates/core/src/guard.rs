//! Defences for facts the algorithms rely on but cannot take on trust.
//!
//! The algorithms receive lengths that [`input`](crate::input) validated
//! (each in `1..=capacity`, the largest being `max_len`). Those facts can be
//! false: a caller may pass a wrong `max_len` to an internal entry point, and
//! a host may hand the core memory that another thread writes while it is
//! being read (a JavaScript `SharedArrayBuffer`), so a length can differ
//! between two reads. The rule everywhere in the core is that false facts
//! never cause a panic, an endless loop, unbounded allocation, or a packing
//! with an item missing, an item twice, or a bin over its capacity: the
//! result is a valid packing of the values as they were read, or a typed
//! error.
//!
//! How each loop keeps the rule:
//! - every loop that places an item reads its length **once** and checks it
//!   against `1..=capacity` ([`check_length`]: one compare), so capacity
//!   arithmetic never wraps and no search structure is indexed out of range;
//! - passes that read the input twice (counting sort, the run engine's
//!   histogram and scatter) bound every write by the counts of the first
//!   pass and either fall back to a single-read path or return
//!   [`input_changed`];
//! - [`check_loads`] re-checks each bin's load against its capacity at the
//!   end, `O(bins)`, so a length that changed between the placement and the
//!   load computation is caught too.

use crate::error::{ErrorKind, PackError, Result};
use crate::packing::Packing;

/// `Err` unless `len` (the length of item `i`, as just read) is in `1..=capacity`.
/// One compare on the valid path.
#[inline(always)]
pub fn check_length(i: u32, len: u32, capacity: u32) -> Result<()> {
    if len.wrapping_sub(1) >= capacity {
        return Err(bad_length(i as usize, len, capacity));
    }
    Ok(())
}

/// The error for item `i` read as `len`, outside `1..=capacity`: the same
/// kinds and messages as validation gives.
#[cold]
pub fn bad_length(i: usize, len: u32, capacity: u32) -> PackError {
    if len == 0 {
        crate::input::zero(i)
    } else {
        crate::input::too_long(i, len, capacity)
    }
}

/// The first length outside `1..=bound` (`bound <= capacity` is what an
/// algorithm assumed, e.g. `max_len`) as an error: a length of 0 or above
/// `capacity` is reported as validation would; one merely above `bound`
/// means the assumption was false, and so is a length that is no longer
/// there ([`input_changed`]).
#[cold]
pub fn first_offender(lengths: &[u32], bound: u32, capacity: u32) -> PackError {
    let bound = bound.min(capacity);
    match lengths.iter().position(|&l| l.wrapping_sub(1) >= bound) {
        Some(i) if lengths[i].wrapping_sub(1) >= capacity => bad_length(i, lengths[i], capacity),
        Some(i) => input_changed(Some(i)),
        None => input_changed(None),
    }
}

/// The input was not the same on two reads (another thread writes it).
#[cold]
pub fn input_changed(at: Option<usize>) -> PackError {
    let mut e = PackError::new(
        ErrorKind::InputChanged,
        format!(
            "the lengths changed while they were being packed{}: another thread writes them; pack a copy",
            at.map_or(String::new(), |i| format!(" (index {i})"))
        ),
    );
    e.index = at;
    e
}

/// Checks in `O(bins)` that the packing has one slot per item and that no
/// bin's load exceeds its own capacity (`capacity` unless the packing has
/// per-bin capacities). Every strategy's result passes through it.
///
/// Loads are summed with saturation ([`Assignment::into_packing`](crate::packing::Assignment::into_packing)),
/// so a sum that would wrap reads as `u32::MAX`; only a bin at exactly
/// `u32::MAX` (possible only with that capacity) is re-summed exactly, in `u64`.
pub fn check_loads(packing: &Packing, lengths: &[u32], capacity: u32) -> Result<()> {
    let n = lengths.len();
    let bins = packing.num_bins();
    if packing.items.len() != n
        || packing.bin_offsets.len() != bins + 1
        || packing.bin_offsets.last().map(|&o| o as usize) != Some(n)
    {
        return Err(input_changed(None));
    }
    let over = match &packing.bin_capacities {
        Some(caps) => caps.len() != bins || packing.bin_loads.iter().zip(caps).any(|(l, c)| l > c),
        None => packing.bin_loads.iter().any(|&l| l > capacity),
    };
    if over {
        return Err(input_changed(None));
    }
    for b in 0..bins {
        if packing.bin_loads[b] == u32::MAX {
            let exact: u64 = packing
                .bin(b)
                .iter()
                .map(|&i| lengths.get(i as usize).map_or(u64::MAX / 2, |&l| l as u64))
                .sum();
            if exact > u32::MAX as u64 {
                return Err(input_changed(None));
            }
        }
    }
    Ok(())
}
