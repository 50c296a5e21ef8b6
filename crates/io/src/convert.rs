//! Arrow column → flat tokens / lengths.
//!
//! Accepts every list layout Arrow has (`list`, `large_list`,
//! `fixed_size_list`) over every integer width, signed or not, since
//! Hugging Face `datasets` writes `list<int32>` or `list<int64>` depending on
//! how the column was produced. `int32` values are copied with one
//! `extend_from_slice`; narrower types widen infallibly; `int64`/`uint32`/
//! `uint64` are range-checked per value and the first failure is reported
//! with its document and position (found by binary search over the list
//! offsets, so the check costs nothing on the happy path).

use crate::error::Error;
use arrow_array::cast::AsArray;
use arrow_array::types::*;
use arrow_array::{Array, ArrayRef, ArrowPrimitiveType};
use arrow_schema::DataType;

pub(crate) struct ColCtx<'a> {
    pub file: &'a str,
    pub field: &'a str,
}

const LIST_EXPECTED: &str = "a list of integers (list/large_list/fixed_size_list of int8..int64 or uint8..uint64)";
const INT_EXPECTED: &str = "an integer column (int8..int64 or uint8..uint64)";

/// Appends the documents of `col` (rows `first_row..`) to `tokens`, pushing
/// one end offset per document to `offsets` (offsets are relative to the
/// start of `tokens`, so the caller seeds `offsets` with `[0]`).
/// O(tokens in col).
pub(crate) fn append_tokens(col: &ArrayRef, first_row: u64, ctx: &ColCtx, tokens: &mut Vec<i32>, offsets: &mut Vec<u32>) -> Result<(), Error> {
    // List offsets as i64, whatever the list kind.
    let (list_offsets, values, nulls_at): (Vec<i64>, ArrayRef, Option<usize>) = match col.data_type() {
        DataType::List(_) => {
            let l = col.as_list::<i32>();
            (l.value_offsets().iter().map(|&o| o as i64).collect(), l.values().clone(), first_null(l))
        }
        DataType::LargeList(_) => {
            let l = col.as_list::<i64>();
            (l.value_offsets().to_vec(), l.values().clone(), first_null(l))
        }
        DataType::FixedSizeList(_, n) => {
            let l = col.as_fixed_size_list();
            let n = *n as i64;
            // A sliced fixed-size list keeps the parent's values; `offset()`
            // says where this slice's first list starts.
            let base = l.offset() as i64 * n;
            ((0..=l.len() as i64).map(|i| base + i * n).collect(), l.values().clone(), first_null(l))
        }
        other => {
            return Err(Error::WrongFieldType { file: ctx.file.into(), field: ctx.field.into(), found: other.to_string(), expected: LIST_EXPECTED })
        }
    };
    if let Some(i) = nulls_at {
        return Err(Error::NullValue { file: ctx.file.into(), field: ctx.field.into(), row: first_row + i as u64 });
    }
    let start = list_offsets[0] as usize;
    let end = *list_offsets.last().unwrap() as usize;
    let before = tokens.len();
    let total = before + (end - start);
    if total > u32::MAX as usize {
        return Err(Error::TooLarge {
            file: ctx.file.into(),
            detail: format!("more than {} tokens in one chunk (offsets are 32-bit); read in smaller chunks", u32::MAX),
        });
    }
    let locate = |k: usize| -> (u64, u64) {
        // The document holding absolute value index k: last i with off[i] <= k.
        let i = list_offsets.partition_point(|&o| o as usize <= k) - 1;
        (first_row + i as u64, (k - list_offsets[i] as usize) as u64)
    };
    let bad = |k: usize, value: String| -> Error {
        let (row, pos) = locate(k);
        Error::BadToken { file: ctx.file.into(), field: ctx.field.into(), row, position: Some(pos), value }
    };
    let values = values.slice(start, end - start);
    if values.null_count() > 0 {
        let k = (0..values.len()).find(|&k| values.is_null(k)).unwrap();
        return Err(bad(start + k, "null".into()));
    }
    tokens.reserve(end - start);
    match values.data_type() {
        DataType::Int32 => tokens.extend_from_slice(values.as_primitive::<Int32Type>().values()),
        DataType::Int8 => widen::<Int8Type>(&values, tokens),
        DataType::Int16 => widen::<Int16Type>(&values, tokens),
        DataType::UInt8 => widen::<UInt8Type>(&values, tokens),
        DataType::UInt16 => widen::<UInt16Type>(&values, tokens),
        DataType::Int64 => narrow::<Int64Type>(&values, tokens).map_err(|(k, v)| bad(start + k, v))?,
        DataType::UInt32 => narrow::<UInt32Type>(&values, tokens).map_err(|(k, v)| bad(start + k, v))?,
        DataType::UInt64 => narrow::<UInt64Type>(&values, tokens).map_err(|(k, v)| bad(start + k, v))?,
        other => {
            return Err(Error::WrongFieldType {
                file: ctx.file.into(),
                field: ctx.field.into(),
                found: format!("{}<{other}>", col.data_type().to_string().split('(').next().unwrap_or("list")),
                expected: LIST_EXPECTED,
            })
        }
    }
    offsets.extend(list_offsets[1..].iter().map(|&o| (before + (o as usize - start)) as u32));
    Ok(())
}

fn first_null(a: &dyn Array) -> Option<usize> {
    if a.null_count() == 0 {
        return None;
    }
    (0..a.len()).find(|&i| a.is_null(i))
}

fn widen<T: ArrowPrimitiveType>(values: &ArrayRef, out: &mut Vec<i32>)
where
    T::Native: Into<i32>,
{
    out.extend(values.as_primitive::<T>().values().iter().map(|&v| v.into()));
}

/// Range-checked copy; on failure returns (index in `values`, value text).
fn narrow<T: ArrowPrimitiveType>(values: &ArrayRef, out: &mut Vec<i32>) -> Result<(), (usize, String)>
where
    T::Native: TryInto<i32> + std::fmt::Display,
{
    let vals = values.as_primitive::<T>().values();
    let before = out.len();
    // Convert optimistically; TryInto per value is a compare, vectorisable.
    let mut ok = true;
    out.extend(vals.iter().map(|&v| match v.try_into() {
        Ok(x) => x,
        Err(_) => {
            ok = false;
            0
        }
    }));
    if ok {
        return Ok(());
    }
    out.truncate(before);
    let k = vals.iter().position(|&v| TryInto::<i32>::try_into(v).is_err()).unwrap();
    Err((k, vals[k].to_string()))
}

/// Appends the lengths in integer column `col` (rows `first_row..`).
pub(crate) fn append_lengths(col: &ArrayRef, first_row: u64, ctx: &ColCtx, out: &mut Vec<u32>) -> Result<(), Error> {
    if let Some(i) = first_null(col.as_ref()) {
        return Err(Error::NullValue { file: ctx.file.into(), field: ctx.field.into(), row: first_row + i as u64 });
    }
    let bad = |k: usize, value: String| Error::BadLength { file: ctx.file.into(), field: ctx.field.into(), row: first_row + k as u64, value };
    fn conv<T: ArrowPrimitiveType>(col: &ArrayRef, out: &mut Vec<u32>) -> Result<(), (usize, String)>
    where
        T::Native: TryInto<u32> + std::fmt::Display,
    {
        let vals = col.as_primitive::<T>().values();
        out.reserve(vals.len());
        for (k, &v) in vals.iter().enumerate() {
            match v.try_into() {
                Ok(x) => out.push(x),
                Err(_) => return Err((k, v.to_string())),
            }
        }
        Ok(())
    }
    let r = match col.data_type() {
        DataType::UInt32 => {
            out.extend_from_slice(col.as_primitive::<UInt32Type>().values());
            Ok(())
        }
        DataType::Int8 => conv::<Int8Type>(col, out),
        DataType::Int16 => conv::<Int16Type>(col, out),
        DataType::Int32 => conv::<Int32Type>(col, out),
        DataType::Int64 => conv::<Int64Type>(col, out),
        DataType::UInt8 => conv::<UInt8Type>(col, out),
        DataType::UInt16 => conv::<UInt16Type>(col, out),
        DataType::UInt64 => conv::<UInt64Type>(col, out),
        other => {
            return Err(Error::WrongFieldType { file: ctx.file.into(), field: ctx.field.into(), found: other.to_string(), expected: INT_EXPECTED })
        }
    };
    r.map_err(|(k, v)| bad(k, v))
}
