//! Validation of lengths.
//!
//! One policy for every strategy: a length must be an integer in
//! `1..=capacity`. Zero-length items are rejected (a zero-token document is
//! almost always an upstream bug, and silently packing it would hide that).
//! The first offending element is reported with its index and value.

use crate::error::{ErrorKind, PackError, Result};
use crate::parallel::Workers;

/// Largest accepted capacity: bin loads are `u32`.
pub const MAX_CAPACITY: u32 = u32::MAX;

/// Largest accepted number of items: item indices are `u32` and
/// `u32::MAX` is reserved as a sentinel by the search structures.
pub const MAX_ITEMS: usize = (u32::MAX - 1) as usize;

/// Rejects more items than [`MAX_ITEMS`].
pub fn check_count(n: usize) -> Result<()> {
    if n > MAX_ITEMS {
        return Err(PackError::new(
            ErrorKind::TooManyItems,
            format!("{n} items is more than the maximum of {MAX_ITEMS}"),
        ));
    }
    Ok(())
}

/// The error for a zero length at `i`.
#[cold]
pub fn zero(i: usize) -> PackError {
    PackError::at(
        ErrorKind::InvalidLength,
        i,
        0,
        format!("length at index {i} is 0: every sequence must have at least one token"),
    )
}

/// The error for a length at `i` above `capacity`.
#[cold]
pub fn too_long(i: usize, len: impl std::fmt::Display, capacity: u32) -> PackError {
    PackError::at(
        ErrorKind::LengthExceedsCapacity,
        i,
        &len,
        format!("length at index {i} is {len}, which exceeds the capacity {capacity}: truncate or split it before packing"),
    )
}

/// Validates `u32` lengths in place (no copy). Returns the largest length (0 if empty).
///
/// O(n), one pass; the common all-valid case costs a compare per element.
pub fn validate_u32(lengths: &[u32], capacity: u32) -> Result<u32> {
    validate_u32_with(lengths, capacity, &Workers::sequential())
}

/// [`validate_u32`] with the min/max scan split over `workers` (one chunk,
/// the same loop, when sequential). An offender is still located by one
/// sequential scan from the start, so the error names the first one.
pub fn validate_u32_with(lengths: &[u32], capacity: u32, workers: &Workers) -> Result<u32> {
    check_count(lengths.len())?;
    let chunks = workers.chunks(lengths.len(), usize::MAX);
    let parts = workers.map(&chunks, |_, r| {
        let mut max = 0u32;
        let mut min = u32::MAX;
        for &l in &lengths[r] {
            max = max.max(l);
            min = min.min(l);
        }
        (min, max)
    });
    let (min, max) = parts
        .into_iter()
        .fold((u32::MAX, 0), |(a, b), (c, d)| (a.min(c), b.max(d)));
    if min == 0 || max > capacity {
        // Slow path only to locate the first offender.
        for (i, &l) in lengths.iter().enumerate() {
            if l == 0 {
                return Err(zero(i));
            }
            if l > capacity {
                return Err(too_long(i, l, capacity));
            }
        }
    }
    Ok(max)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_offender_is_named() {
        let e = validate_u32(&[5, 0, 9], 8).unwrap_err();
        assert_eq!((e.kind, e.index), (ErrorKind::InvalidLength, Some(1)));
        let e = validate_u32(&[5, 3, 9], 8).unwrap_err();
        assert_eq!(
            (e.kind, e.index, e.value.as_deref()),
            (ErrorKind::LengthExceedsCapacity, Some(2), Some("9"))
        );
        assert_eq!(validate_u32(&[], 8).unwrap(), 0);
    }
}
