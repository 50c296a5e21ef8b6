//! JSONL line parsing into flat token buffers.
//!
//! Parser choice: `serde_json` driven through a `DeserializeSeed`, so a line
//! is never materialised as a DOM: the wanted field's integers are pushed
//! straight into the caller's flat `Vec<i32>` (no allocation per token or per
//! document) and every other field is skipped with `IgnoredAny`. SIMD parsers
//! (simd-json, sonic-rs) win mainly on string-heavy documents and on building
//! DOMs; a token file is almost entirely short integers, where the cost is the
//! digit loop itself, so they would add a large, architecture-specific
//! dependency for little. Instead the overwhelmingly common line shapes,
//! `[1,2,3]` and `{"<field>": [1,2,3]}`, go through [`fast_token_line`], a
//! strict hand-rolled digit loop that accepts only a subset of JSON on which
//! it agrees with serde_json and hands every other line (extra keys, escapes,
//! floats, out-of-range values, errors) to the serde path, which alone decides
//! errors. A randomized test checks both paths agree.

use crate::error::Error;
use serde::de::{self, DeserializeSeed, IgnoredAny, MapAccess, SeqAccess, Visitor};
use std::cell::RefCell;
use std::fmt;

/// What one line is parsed against: the file name for messages, the field,
/// and the global document index of the line.
pub(crate) struct LineCtx<'a> {
    pub file: &'a str,
    pub field: &'a str,
    pub row: u64,
    /// The typed error found inside serde callbacks (serde's own error type
    /// can only carry a string, so the precise error travels here).
    err: RefCell<Option<Error>>,
}

impl<'a> LineCtx<'a> {
    pub fn new(file: &'a str, field: &'a str, row: u64) -> Self {
        LineCtx { file, field, row, err: RefCell::new(None) }
    }

    fn fail<E: de::Error>(&self, e: Error) -> E {
        let mut slot = self.err.borrow_mut();
        if slot.is_none() {
            *slot = Some(e);
        }
        E::custom("seqpack-io error")
    }

    fn finish(&self, e: serde_json::Error) -> Error {
        match self.err.borrow_mut().take() {
            Some(err) => err,
            None => Error::Corrupt { file: self.file.to_string(), row: Some(self.row), detail: format!("invalid JSON: {e}") },
        }
    }
}

#[inline]
fn is_ws(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\r' | b'\n')
}

#[inline]
fn skip_ws(s: &[u8], mut i: usize) -> usize {
    while i < s.len() && is_ws(s[i]) {
        i += 1;
    }
    i
}

/// True when `line` holds only JSON whitespace (such lines are not documents).
pub(crate) fn is_blank(line: &[u8]) -> bool {
    line.iter().all(|&b| is_ws(b))
}

/// Strict fast path: parses `[ints]` or `{"field": [ints]}` where every int is
/// canonical JSON (`-?(0|[1-9][0-9]*)`, no fraction/exponent) within `i32`.
/// Returns `false` (and leaves `out` as it was) for anything else, including
/// inputs that are errors; the caller then runs the full serde path. O(line).
pub(crate) fn fast_token_line(line: &[u8], field: &str, out: &mut Vec<i32>) -> bool {
    let start_len = out.len();
    let ok = fast_inner(line, field.as_bytes(), out);
    if !ok {
        out.truncate(start_len);
    }
    ok
}

fn fast_inner(s: &[u8], field: &[u8], out: &mut Vec<i32>) -> bool {
    let mut i = skip_ws(s, 0);
    if i >= s.len() {
        return false;
    }
    let object = s[i] == b'{';
    if object {
        i = skip_ws(s, i + 1);
        // The key must be exactly `"field"` with no escapes to compare bytewise.
        if i >= s.len() || s[i] != b'"' {
            return false;
        }
        i += 1;
        if s.len() < i + field.len() + 1 || &s[i..i + field.len()] != field || s[i + field.len()] != b'"' {
            return false;
        }
        i = skip_ws(s, i + field.len() + 1);
        if i >= s.len() || s[i] != b':' {
            return false;
        }
        i = skip_ws(s, i + 1);
    }
    if i >= s.len() || s[i] != b'[' {
        return false;
    }
    i = skip_ws(s, i + 1);
    if i < s.len() && s[i] == b']' {
        i += 1;
    } else {
        loop {
            let neg = i < s.len() && s[i] == b'-';
            if neg {
                i += 1;
            }
            let d0 = i;
            let mut v: i64 = 0;
            while i < s.len() && s[i].is_ascii_digit() {
                v = v * 10 + (s[i] - b'0') as i64;
                i += 1;
                if i - d0 > 10 {
                    return false; // cannot be in i32; serde reports it
                }
            }
            let nd = i - d0;
            // serde_json reads `-0` as the float -0.0 (a bad token); leave
            // that verdict to it rather than silently reading 0.
            if nd == 0 || (nd > 1 && s[d0] == b'0') || (neg && v == 0) {
                return false;
            }
            if i < s.len() && matches!(s[i], b'.' | b'e' | b'E') {
                return false;
            }
            let v = if neg { -v } else { v };
            if v < i32::MIN as i64 || v > i32::MAX as i64 {
                return false;
            }
            out.push(v as i32);
            i = skip_ws(s, i);
            if i >= s.len() {
                return false;
            }
            match s[i] {
                b',' => i = skip_ws(s, i + 1),
                b']' => {
                    i += 1;
                    break;
                }
                _ => return false,
            }
        }
    }
    if object {
        i = skip_ws(s, i);
        if i >= s.len() || s[i] != b'}' {
            return false;
        }
        i += 1;
    }
    skip_ws(s, i) == s.len()
}

/// Parses one non-blank line in tokens mode, appending the document's tokens
/// to `out`. On error `out` may hold a partial document; the caller discards
/// the chunk. O(line length).
pub(crate) fn parse_token_line(line: &[u8], ctx: &LineCtx, out: &mut Vec<i32>) -> Result<(), Error> {
    if fast_token_line(line, ctx.field, out) {
        return Ok(());
    }
    let mut de = serde_json::Deserializer::from_slice(line);
    let found = LineSeed { ctx, out, mode: Mode::Tokens }.deserialize(&mut de).and_then(|f| de.end().map(|_| f)).map_err(|e| ctx.finish(e))?;
    if found.is_none() {
        return Err(Error::MissingField { file: ctx.file.to_string(), field: ctx.field.to_string(), row: Some(ctx.row), available: vec![] });
    }
    Ok(())
}

/// Parses one non-blank line in lengths mode: `{"field": n}` or a bare `n`.
pub(crate) fn parse_length_line(line: &[u8], ctx: &LineCtx) -> Result<u32, Error> {
    let mut scratch = Vec::new();
    let mut de = serde_json::Deserializer::from_slice(line);
    let found = LineSeed { ctx, out: &mut scratch, mode: Mode::Length }.deserialize(&mut de).and_then(|f| de.end().map(|_| f)).map_err(|e| ctx.finish(e))?;
    match found {
        Some(n) => Ok(n),
        None => Err(Error::MissingField { file: ctx.file.to_string(), field: ctx.field.to_string(), row: Some(ctx.row), available: vec![] }),
    }
}

#[derive(Clone, Copy, PartialEq)]
enum Mode {
    Tokens,
    Length,
}

/// The whole line. Yields `Some(length)` (the document's token count in
/// tokens mode) when the field was found.
struct LineSeed<'c, 'o> {
    ctx: &'c LineCtx<'c>,
    out: &'o mut Vec<i32>,
    mode: Mode,
}

/// Implements `DeserializeSeed` for a seed that is its own `Visitor`:
/// `deserialize` hands the input straight to it through `$method`, so the
/// value is checked as it is parsed, with no intermediate value.
macro_rules! self_visiting_seed {
    ($seed:ty, $value:ty, $method:ident) => {
        impl<'de> DeserializeSeed<'de> for $seed {
            type Value = $value;
            fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<$value, D::Error> {
                d.$method(self)
            }
        }
    };
}

self_visiting_seed!(LineSeed<'_, '_>, Option<u32>, deserialize_any);

impl<'de> Visitor<'de> for LineSeed<'_, '_> {
    type Value = Option<u32>;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON object or array")
    }
    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Self::Value, A::Error> {
        if self.mode == Mode::Length {
            return Err(self.ctx.fail(wrong(self.ctx, "array", "an integer length")));
        }
        ValueSeed { ctx: self.ctx, out: self.out, mode: self.mode }.visit_seq(seq).map(Some)
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
        ValueSeed { ctx: self.ctx, out: self.out, mode: self.mode }.visit_u64(v).map(Some)
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
        ValueSeed { ctx: self.ctx, out: self.out, mode: self.mode }.visit_i64(v).map(Some)
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
        ValueSeed { ctx: self.ctx, out: self.out, mode: self.mode }.visit_f64(v).map(Some)
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut result = None;
        while let Some(is_field) = map.next_key_seed(KeyIs(self.ctx.field))? {
            if !is_field {
                map.next_value::<IgnoredAny>()?;
                continue;
            }
            if result.is_some() {
                return Err(self.ctx.fail(Error::Corrupt {
                    file: self.ctx.file.to_string(),
                    row: Some(self.ctx.row),
                    detail: format!("field \"{}\" appears twice", self.ctx.field),
                }));
            }
            result = Some(map.next_value_seed(ValueSeed { ctx: self.ctx, out: &mut *self.out, mode: self.mode })?);
        }
        Ok(result)
    }
}

fn wrong(ctx: &LineCtx, found: &str, expected: &'static str) -> Error {
    Error::WrongFieldType {
        file: ctx.file.to_string(),
        field: ctx.field.to_string(),
        found: format!("{found} (document {})", ctx.row),
        expected,
    }
}

/// Compares a key with the wanted field without allocating.
struct KeyIs<'f>(&'f str);

self_visiting_seed!(KeyIs<'_>, bool, deserialize_str);

impl<'de> Visitor<'de> for KeyIs<'_> {
    type Value = bool;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a key")
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<bool, E> {
        Ok(v == self.0)
    }
}

/// The field's value: a token array (tokens mode) or an integer (lengths mode).
struct ValueSeed<'c, 'o> {
    ctx: &'c LineCtx<'c>,
    out: &'o mut Vec<i32>,
    mode: Mode,
}

self_visiting_seed!(ValueSeed<'_, '_>, u32, deserialize_any);

impl ValueSeed<'_, '_> {
    fn expected(&self) -> &'static str {
        match self.mode {
            Mode::Tokens => "a list of integers",
            Mode::Length => "an integer length",
        }
    }
    fn bad_length<E: de::Error>(&self, value: String) -> E {
        self.ctx.fail(Error::BadLength { file: self.ctx.file.to_string(), field: self.ctx.field.to_string(), row: self.ctx.row, value })
    }
    fn not<E: de::Error>(&self, found: &str) -> E {
        self.ctx.fail(wrong(self.ctx, found, self.expected()))
    }
}

impl<'de> Visitor<'de> for ValueSeed<'_, '_> {
    type Value = u32;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str(self.expected())
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<u32, A::Error> {
        if self.mode == Mode::Length {
            return Err(self.not("array"));
        }
        let start = self.out.len();
        if let Some(n) = seq.size_hint() {
            self.out.reserve(n);
        }
        loop {
            let position = (self.out.len() - start) as u64;
            match seq.next_element_seed(TokenSeed { ctx: self.ctx, position })? {
                Some(t) => self.out.push(t),
                None => break,
            }
        }
        let n = self.out.len() - start;
        u32::try_from(n).map_err(|_| {
            self.ctx.fail(Error::TooLarge { file: self.ctx.file.to_string(), detail: format!("document {} has {n} tokens", self.ctx.row) })
        })
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<u32, E> {
        match self.mode {
            Mode::Length => u32::try_from(v).map_err(|_| self.bad_length(v.to_string())),
            Mode::Tokens => Err(self.not("integer")),
        }
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<u32, E> {
        match self.mode {
            Mode::Length => u32::try_from(v).map_err(|_| self.bad_length(v.to_string())),
            Mode::Tokens => Err(self.not("integer")),
        }
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<u32, E> {
        match self.mode {
            Mode::Length => Err(self.bad_length(v.to_string())),
            Mode::Tokens => Err(self.not("number")),
        }
    }
    fn visit_unit<E: de::Error>(self) -> Result<u32, E> {
        Err(self.ctx.fail(Error::NullValue { file: self.ctx.file.to_string(), field: self.ctx.field.to_string(), row: self.ctx.row }))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<u32, E> {
        match self.mode {
            Mode::Length => Err(self.bad_length(format!("{v:?}"))),
            Mode::Tokens => Err(self.not("string")),
        }
    }
    fn visit_bool<E: de::Error>(self, _v: bool) -> Result<u32, E> {
        Err(self.not("boolean"))
    }
    fn visit_map<A: MapAccess<'de>>(self, _map: A) -> Result<u32, A::Error> {
        Err(self.not("object"))
    }
}

/// One token inside the array.
struct TokenSeed<'c> {
    ctx: &'c LineCtx<'c>,
    position: u64,
}

impl TokenSeed<'_> {
    fn bad<E: de::Error>(&self, value: String) -> E {
        self.ctx.fail(Error::BadToken {
            file: self.ctx.file.to_string(),
            field: self.ctx.field.to_string(),
            row: self.ctx.row,
            position: Some(self.position),
            value,
        })
    }
}

self_visiting_seed!(TokenSeed<'_>, i32, deserialize_any);

impl<'de> Visitor<'de> for TokenSeed<'_> {
    type Value = i32;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an integer token id")
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<i32, E> {
        i32::try_from(v).map_err(|_| self.bad(v.to_string()))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<i32, E> {
        i32::try_from(v).map_err(|_| self.bad(v.to_string()))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<i32, E> {
        Err(self.bad(format!("{v:?}")))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<i32, E> {
        Err(self.bad(format!("{v:?}")))
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<i32, E> {
        Err(self.bad(v.to_string()))
    }
    fn visit_unit<E: de::Error>(self) -> Result<i32, E> {
        Err(self.bad("null".to_string()))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, _seq: A) -> Result<i32, A::Error> {
        Err(self.bad("an array".to_string()))
    }
    fn visit_map<A: MapAccess<'de>>(self, _map: A) -> Result<i32, A::Error> {
        Err(self.bad("an object".to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn slow(line: &str, field: &str) -> Result<Vec<i32>, Error> {
        let ctx = LineCtx::new("t", field, 7);
        let mut out = Vec::new();
        let mut de = serde_json::Deserializer::from_slice(line.as_bytes());
        let found = LineSeed { ctx: &ctx, out: &mut out, mode: Mode::Tokens }
            .deserialize(&mut de)
            .and_then(|f| de.end().map(|_| f))
            .map_err(|e| ctx.finish(e))?;
        match found {
            Some(_) => Ok(out),
            None => Err(Error::MissingField { file: "t".into(), field: field.into(), row: Some(7), available: vec![] }),
        }
    }

    /// Deterministic xorshift so the test needs no dependency.
    struct Rng(u64);
    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0
        }
        fn pick<'a>(&mut self, xs: &[&'a str]) -> &'a str {
            xs[(self.next() % xs.len() as u64) as usize]
        }
    }

    /// Whenever the fast path accepts a line, serde must accept it with the
    /// same tokens; lines made from pieces that are often invalid exercise
    /// the fallback boundary.
    #[test]
    fn fast_path_agrees_with_serde() {
        let nums = ["0", "-0", "1", "-1", "00", "01", "2147483647", "2147483648", "-2147483648", "-2147483649", "1.0", "1e3", "12345678901", "\"5\"", "null", "true", " 42 ", "-", "7"];
        let seps = [",", ", ", " ,", ",,", ""];
        let pre = ["", " ", "{\"input_ids\":", "{ \"input_ids\" : ", "{\"input_idsx\":", "{\"a\":1,\"input_ids\":", "{\"input\\u005fids\":"];
        let mut rng = Rng(0x9E3779B97F4A7C15);
        let mut accepted = 0;
        for _ in 0..20000 {
            let p = rng.pick(&pre);
            let mut line = String::from(p);
            line.push('[');
            let n = rng.next() % 5;
            for k in 0..n {
                if k > 0 {
                    line.push_str(rng.pick(&seps));
                }
                line.push_str(rng.pick(&nums));
            }
            line.push(']');
            if p.starts_with('{') {
                line.push_str(rng.pick(&["}", " }", "", "}}", ",\"b\":2}"]));
            }
            line.push_str(rng.pick(&["", " ", "\r", " x"]));
            let mut fast = Vec::new();
            if fast_token_line(line.as_bytes(), "input_ids", &mut fast) {
                accepted += 1;
                let s = slow(&line, "input_ids").unwrap_or_else(|e| panic!("fast accepted {line:?} but serde said {e}"));
                assert_eq!(fast, s, "{line:?}");
            } else {
                assert!(fast.is_empty());
            }
        }
        assert!(accepted > 1000, "fast path too narrow: {accepted}");
    }

    #[test]
    fn serde_path_errors_are_typed() {
        let e = slow(r#"{"input_ids":[1,2.5]}"#, "input_ids").unwrap_err();
        assert!(matches!(e, Error::BadToken { row: 7, position: Some(1), ref value, .. } if value == "2.5"), "{e}");
        let e = slow(r#"{"input_ids":[1,-2147483649]}"#, "input_ids").unwrap_err();
        assert!(matches!(e, Error::BadToken { ref value, .. } if value == "-2147483649"), "{e}");
        let e = slow(r#"{"input_ids":[1,"x"]}"#, "input_ids").unwrap_err();
        assert!(matches!(e, Error::BadToken { ref value, .. } if value == "\"x\""), "{e}");
        let e = slow(r#"{"text":"a"}"#, "input_ids").unwrap_err();
        assert!(matches!(e, Error::MissingField { row: Some(7), .. }), "{e}");
        let e = slow(r#"{"input_ids":"abc"}"#, "input_ids").unwrap_err();
        assert_eq!(e.kind(), crate::ErrorKind::WrongFieldType, "{e}");
        let e = slow(r#"{"input_ids":[1,2]"#, "input_ids").unwrap_err();
        assert_eq!(e.kind(), crate::ErrorKind::Corrupt, "{e}");
        let e = slow(r#"{"input_ids":null}"#, "input_ids").unwrap_err();
        assert_eq!(e.kind(), crate::ErrorKind::NullValue, "{e}");
        assert_eq!(slow(r#"{"text":"[\"x\"]","input_ids":[3,4],"n":{"a":[1.5]}}"#, "input_ids").unwrap(), vec![3, 4]);
    }
}
