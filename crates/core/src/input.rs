//! Validation of lengths and capacities.
//!
//! One policy for every strategy: a length must be an integer in
//! `1..=capacity`. Zero-length items are rejected (a zero-token document is
//! almost always an upstream bug, and silently packing it would hide that).
//! The first offending element is reported with its index and value.

use crate::error::{js_number, ErrorKind, PackError, Result};
use crate::parallel::Workers;

/// Largest accepted capacity: bin loads are `u32`.
pub const MAX_CAPACITY: u32 = u32::MAX;

/// Largest accepted number of items: item indices are `u32` and
/// `u32::MAX` is reserved as a sentinel by the search structures.
pub const MAX_ITEMS: usize = (u32::MAX - 1) as usize;

/// Checks a capacity given as a JavaScript number.
pub fn capacity_from_f64(v: Option<f64>) -> Result<u32> {
    let v = v.ok_or_else(|| {
        PackError::new(
            ErrorKind::InvalidCapacity,
            "option `capacity` is required (the token budget of one bin)",
        )
    })?;
    let bad = |why: &str| {
        let mut e = PackError::new(
            ErrorKind::InvalidCapacity,
            format!("capacity {} is invalid: {why}", js_number(v)),
        );
        e.value = Some(js_number(v));
        e
    };
    if !v.is_finite() || v != v.trunc() {
        return Err(bad("it must be a positive integer"));
    }
    if v <= 0.0 {
        return Err(bad("it must be at least 1"));
    }
    if v > MAX_CAPACITY as f64 {
        return Err(bad(&format!("the maximum capacity is {MAX_CAPACITY}")));
    }
    Ok(v as u32)
}

fn check_count(n: usize) -> Result<()> {
    if n > MAX_ITEMS {
        return Err(PackError::new(
            ErrorKind::TooManyItems,
            format!("{n} items is more than the maximum of {MAX_ITEMS}"),
        ));
    }
    Ok(())
}

#[cold]
pub(crate) fn zero(i: usize) -> PackError {
    PackError::at(
        ErrorKind::InvalidLength,
        i,
        0,
        format!("length at index {i} is 0: every sequence must have at least one token"),
    )
}

#[cold]
pub(crate) fn too_long(i: usize, len: impl std::fmt::Display, capacity: u32) -> PackError {
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

/// Validates `i32` lengths (an `Int32Array`) and returns them as `u32`.
pub fn from_i32(lengths: &[i32], capacity: u32) -> Result<Vec<u32>> {
    check_count(lengths.len())?;
    let mut out = Vec::with_capacity(lengths.len());
    for (i, &l) in lengths.iter().enumerate() {
        if l <= 0 {
            if l == 0 {
                return Err(zero(i));
            }
            return Err(PackError::at(
                ErrorKind::InvalidLength,
                i,
                l,
                format!("length at index {i} is {l}: lengths must be positive"),
            ));
        }
        if l as u32 > capacity {
            return Err(too_long(i, l, capacity));
        }
        out.push(l as u32);
    }
    Ok(out)
}

/// Validates JavaScript numbers (from a plain array or `Float64Array`) and returns them as `u32`.
pub fn from_f64(lengths: &[f64], capacity: u32) -> Result<Vec<u32>> {
    check_count(lengths.len())?;
    let mut out = Vec::with_capacity(lengths.len());
    for (i, &v) in lengths.iter().enumerate() {
        // The fast path: an exact integer in 1..=capacity.
        if v >= 1.0 && v <= capacity as f64 && v == v.trunc() {
            out.push(v as u32);
            continue;
        }
        let shown = js_number(v);
        let why = if v.is_nan() {
            "lengths must be numbers, not NaN"
        } else if v.is_infinite() {
            "lengths must be finite"
        } else if v != v.trunc() {
            "lengths must be integers"
        } else if v == 0.0 {
            return Err(zero(i));
        } else if v < 0.0 {
            "lengths must be positive"
        } else {
            return Err(too_long(i, shown, capacity));
        };
        return Err(PackError::at(
            ErrorKind::InvalidLength,
            i,
            &shown,
            format!("length at index {i} is {shown}: {why}"),
        ));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn capacity_rules() {
        assert_eq!(capacity_from_f64(Some(4096.0)).unwrap(), 4096);
        assert_eq!(capacity_from_f64(Some(4294967295.0)).unwrap(), u32::MAX);
        for bad in [
            None,
            Some(0.0),
            Some(-1.0),
            Some(1.5),
            Some(f64::NAN),
            Some(f64::INFINITY),
            Some(4294967296.0),
        ] {
            assert_eq!(
                capacity_from_f64(bad).unwrap_err().kind,
                ErrorKind::InvalidCapacity,
                "{bad:?}"
            );
        }
    }

    #[test]
    fn first_offender_is_named() {
        let e = validate_u32(&[5, 0, 9], 8).unwrap_err();
        assert_eq!((e.kind, e.index), (ErrorKind::InvalidLength, Some(1)));
        let e = validate_u32(&[5, 3, 9], 8).unwrap_err();
        assert_eq!(
            (e.kind, e.index, e.value.as_deref()),
            (ErrorKind::LengthExceedsCapacity, Some(2), Some("9"))
        );
        let e = from_i32(&[1, -4], 8).unwrap_err();
        assert_eq!(
            (e.kind, e.index, e.value.as_deref()),
            (ErrorKind::InvalidLength, Some(1), Some("-4"))
        );
        for (v, kind) in [
            (f64::NAN, ErrorKind::InvalidLength),
            (2.5, ErrorKind::InvalidLength),
            (-1.0, ErrorKind::InvalidLength),
            (0.0, ErrorKind::InvalidLength),
            (f64::INFINITY, ErrorKind::InvalidLength),
            (9.0, ErrorKind::LengthExceedsCapacity),
        ] {
            let e = from_f64(&[1.0, 2.0, v], 8).unwrap_err();
            assert_eq!((e.kind, e.index), (kind, Some(2)), "{v}");
            assert!(e.message.contains("index 2"), "{}", e.message);
        }
        assert_eq!(from_f64(&[1.0, 8.0], 8).unwrap(), vec![1, 8]);
        assert_eq!(validate_u32(&[], 8).unwrap(), 0);
    }
}
