//! JavaScript values to core types: every JS-number rule and every JS-facing
//! name of the addon lives here. The core takes integers and typed options;
//! this module decides what a JS number may be (finite, integral, in range,
//! at most `2^53 - 1`) and reports bad ones by the name the user wrote.

use napi_derive::napi;
use seqpack_core::{self as core, OptionName, PackError, RequestBuilder, Strategy};

/// Largest integer a JS number holds exactly.
const MAX_SAFE_INTEGER: u64 = (1 << 53) - 1;

/// The name JavaScript callers use for an option. Exhaustive on purpose: a
/// new core option does not compile until it has a JS name here.
pub const fn js_name(o: OptionName) -> &'static str {
    match o {
        OptionName::K => "k",
        OptionName::Seed => "seed",
        OptionName::Threads => "threads",
        OptionName::GroupSize => "groupSize",
        OptionName::Capacities => "capacities",
        OptionName::Weights => "weights",
        OptionName::Layouts => "layouts",
        OptionName::Nodes => "nodes",
        OptionName::MaxOpen => "maxOpen",
        OptionName::Window => "window",
        OptionName::MinPrefix => "minPrefix",
        OptionName::MaxLength => "maxLength",
        OptionName::Overflow => "overflow",
        OptionName::Labels => "labels",
        OptionName::PadId => "padId",
        OptionName::IgnoreIndex => "ignoreIndex",
        OptionName::Strategy => "strategy",
    }
}

/// How an option's value looks in JavaScript.
#[napi(string_enum)]
pub enum OptionKind {
    /// One number (an integer).
    #[napi(value = "number")]
    Number,
    /// An array of numbers.
    #[napi(value = "numbers")]
    Numbers,
    /// An array of arrays of numbers.
    #[napi(value = "numberLists")]
    NumberLists,
    /// A string from a fixed set.
    #[napi(value = "string")]
    Text,
}

pub const fn option_kind(o: OptionName) -> OptionKind {
    match o {
        OptionName::K
        | OptionName::Seed
        | OptionName::Threads
        | OptionName::GroupSize
        | OptionName::Nodes
        | OptionName::MaxOpen
        | OptionName::Window
        | OptionName::MinPrefix
        | OptionName::MaxLength
        | OptionName::PadId
        | OptionName::IgnoreIndex => OptionKind::Number,
        OptionName::Overflow | OptionName::Labels | OptionName::Strategy => OptionKind::Text,
        OptionName::Capacities | OptionName::Weights => OptionKind::Numbers,
        OptionName::Layouts => OptionKind::NumberLists,
    }
}

/// Most entries of a list option ([`core::limits`]); the TS layer refuses
/// longer lists before reading them, and [`NativeOptions::request`] checks
/// the converted lists again through the core.
pub const fn max_length(o: OptionName) -> Option<u32> {
    match o {
        OptionName::Capacities => Some(core::limits::MAX_GROUP_BINS as u32),
        OptionName::Layouts => Some(core::limits::MAX_LAYOUTS as u32),
        OptionName::Weights => Some(core::MAX_ITEMS as u32),
        _ => None,
    }
}

/// Renders an `f64` exactly as JavaScript's `String(v)` does (ECMA-262
/// Number::toString: shortest round-trip digits, plain notation for
/// exponents in `-7..21`, `1e+21` style beyond), so error values and
/// messages quote what the user wrote. `-0` renders as `"0"`, as in JS.
pub fn js_number(v: f64) -> String {
    if v.is_nan() {
        return "NaN".into();
    }
    if v.is_infinite() {
        return if v > 0.0 { "Infinity" } else { "-Infinity" }.into();
    }
    if v == 0.0 {
        return "0".into();
    }
    // Rust's `{:e}` gives the shortest round-trip digits: "d.ddde±x".
    let sci = format!("{:e}", v.abs());
    let (mantissa, exp) = sci.split_once('e').expect("`{:e}` has an exponent");
    let digits: String = mantissa.chars().filter(|c| *c != '.').collect();
    let k = digits.len() as i32;
    // JS's n: the decimal point sits after the n-th digit.
    let n = exp.parse::<i32>().expect("an integer exponent") + 1;
    let sign = if v < 0.0 { "-" } else { "" };
    let body = if k <= n && n <= 21 {
        format!("{digits}{}", "0".repeat((n - k) as usize))
    } else if 0 < n && n <= 21 {
        format!("{}.{}", &digits[..n as usize], &digits[n as usize..])
    } else if -6 < n && n <= 0 {
        format!("0.{}{digits}", "0".repeat((-n) as usize))
    } else {
        let e = n - 1;
        let e = if e < 0 {
            format!("-{}", -e)
        } else {
            format!("+{e}")
        };
        match k {
            1 => format!("{digits}e{e}"),
            _ => format!("{}.{}e{e}", &digits[..1], &digits[1..]),
        }
    };
    format!("{sign}{body}")
}

/// An integer option: finite, integral, within the core's range (capped at
/// `2^53 - 1`, beyond which a JS number is not exact).
pub fn integer(name: OptionName, v: f64) -> core::Result<u64> {
    let (min, max) = name.integer_range().expect("an integer option");
    let max = max.min(MAX_SAFE_INTEGER);
    if !v.is_finite() || v != v.trunc() {
        return Err(PackError::option(
            name,
            "",
            js_number(v),
            "it must be an integer",
        ));
    }
    if v < min as f64 || v > max as f64 {
        return Err(PackError::option(
            name,
            "",
            js_number(v),
            &format!("it must be between {min} and {max}"),
        ));
    }
    Ok(v as u64)
}

/// A capacity given as a JS number: a positive integer up to `u32::MAX`.
pub fn capacity(v: f64) -> core::Result<u32> {
    let bad = |why: &str| core::request::invalid_capacity(&js_number(v), why);
    if !v.is_finite() || v != v.trunc() {
        return Err(bad("it must be a positive integer"));
    }
    if v <= 0.0 {
        return Err(bad("it must be at least 1"));
    }
    if v > core::MAX_CAPACITY as f64 {
        return Err(bad(&format!(
            "the maximum capacity is {}",
            core::MAX_CAPACITY
        )));
    }
    Ok(v as u32)
}

/// A list of capacities; element errors name `option{prefix}[i]` and carry `i`.
fn capacity_list(name: OptionName, prefix: &str, v: &[f64]) -> core::Result<Vec<u32>> {
    v.iter()
        .enumerate()
        .map(|(i, &c)| {
            capacity(c).map_err(|e| {
                PackError::option(name, &format!("{prefix}[{i}]"), js_number(c), &e.message())
                    .index(i)
            })
        })
        .collect()
}

/// The strategy options, passed as one object only when the caller gave any
/// (most calls give none, and reading an object's properties is the most
/// expensive part of crossing the boundary for small inputs). Field names are
/// the JS names of [`js_name`] (napi turns `group_size` into `groupSize`).
#[napi(object)]
#[derive(Default, Clone)]
pub struct NativeStrategyOptions {
    pub k: Option<f64>,
    pub seed: Option<f64>,
    pub threads: Option<f64>,
    pub group_size: Option<f64>,
    pub capacities: Option<Vec<f64>>,
    pub weights: Option<Vec<f64>>,
    pub layouts: Option<Vec<Vec<f64>>>,
}

/// Options as JavaScript passes them: `capacity` and `strategy` as plain
/// arguments, the rest in [`NativeStrategyOptions`]. The TS layer checked JS
/// types; this converts numbers, the core validates values.
#[derive(Default)]
pub struct NativeOptions {
    pub capacity: Option<f64>,
    pub strategy: Option<String>,
    pub extra: Option<NativeStrategyOptions>,
}

impl NativeOptions {
    pub fn new(
        capacity: Option<f64>,
        strategy: Option<String>,
        extra: Option<NativeStrategyOptions>,
    ) -> Self {
        NativeOptions {
            capacity,
            strategy,
            extra,
        }
    }

    /// The validated request. The strategy is checked first, then each
    /// option (applicability, then value), then the core's rules.
    pub fn request(&self) -> core::Result<core::Request> {
        let strategy: Strategy = match &self.strategy {
            Some(s) => s.parse()?,
            None => Strategy::default(),
        };
        let mut b = core::Request::builder(strategy);
        if let Some(c) = self.capacity {
            b = b.capacity(capacity(c)?);
        }
        if let Some(e) = &self.extra {
            b = e.apply(strategy, b)?;
        }
        b.build()
    }
}

impl NativeStrategyOptions {
    /// Converts the given options onto `b`, one option at a time in a fixed
    /// order; an option `strategy` does not take is reported before its value
    /// is looked at.
    fn apply(&self, strategy: Strategy, mut b: RequestBuilder) -> core::Result<RequestBuilder> {
        let takes = |name: OptionName| match strategy.takes(name) {
            true => Ok(()),
            false => Err(core::request::not_applicable(strategy, name)),
        };
        let int = |name: OptionName, v: f64| takes(name).and_then(|()| integer(name, v));
        if let Some(v) = self.k {
            b = b.k(int(OptionName::K, v)? as u32);
        }
        if let Some(v) = self.seed {
            b = b.seed(int(OptionName::Seed, v)?);
        }
        if let Some(v) = self.threads {
            b = b.threads(int(OptionName::Threads, v)? as usize);
        }
        if let Some(v) = self.group_size {
            b = b.group_size(int(OptionName::GroupSize, v)? as u32);
        }
        if let Some(v) = &self.capacities {
            takes(OptionName::Capacities)?;
            b = b.capacities(capacity_list(OptionName::Capacities, "", v)?);
        }
        if let Some(v) = &self.layouts {
            takes(OptionName::Layouts)?;
            let layouts = v
                .iter()
                .enumerate()
                .map(|(i, l)| capacity_list(OptionName::Layouts, &format!("[{i}]"), l))
                .collect::<core::Result<_>>()?;
            b = b.layouts(layouts);
        }
        if let Some(v) = &self.weights {
            takes(OptionName::Weights)?;
            // The core's rule, reported with the value as JS renders it.
            if let Some(i) = v.iter().position(|x| !x.is_finite() || *x < 0.0) {
                return Err(PackError::option(
                    OptionName::Weights,
                    &format!("[{i}]"),
                    js_number(v[i]),
                    "weights must be finite and non-negative",
                )
                .index(i));
            }
            b = b.weights(v.clone());
        }
        Ok(b)
    }
}

/// Validates `i32` lengths (an `Int32Array`) and returns them as `u32`.
pub fn lengths_from_i32(lengths: &[i32], capacity: u32) -> core::Result<Vec<u32>> {
    core::input::check_count(lengths.len())?;
    let mut out = Vec::with_capacity(lengths.len());
    for (i, &l) in lengths.iter().enumerate() {
        if l <= 0 {
            if l == 0 {
                return Err(core::input::zero(i));
            }
            return Err(PackError::at(
                core::ErrorKind::InvalidLength,
                i,
                l,
                format!("length at index {i} is {l}: lengths must be positive"),
            ));
        }
        if l as u32 > capacity {
            return Err(core::input::too_long(i, l, capacity));
        }
        out.push(l as u32);
    }
    Ok(out)
}

/// Validates JS numbers for `balance`, which takes no capacity: each a
/// positive integer up to `u32::MAX`, the first bad one named.
pub fn balance_lengths_from_f64(lengths: &[f64]) -> core::Result<Vec<u32>> {
    lengths_from_f64(lengths, core::MAX_CAPACITY).map_err(|e| match (e.kind, e.index) {
        (core::ErrorKind::LengthExceedsCapacity, Some(i)) => {
            let shown = js_number(lengths[i]);
            PackError::at(
                core::ErrorKind::InvalidLength,
                i,
                &shown,
                format!(
                    "length at index {i} is {shown}: lengths must be at most {}",
                    core::MAX_CAPACITY
                ),
            )
        }
        _ => e,
    })
}

/// Validates JS numbers (a plain array or `Float64Array`) and returns them as `u32`.
pub fn lengths_from_f64(lengths: &[f64], capacity: u32) -> core::Result<Vec<u32>> {
    core::input::check_count(lengths.len())?;
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
            return Err(core::input::zero(i));
        } else if v < 0.0 {
            "lengths must be positive"
        } else {
            return Err(core::input::too_long(i, shown, capacity));
        };
        return Err(PackError::at(
            core::ErrorKind::InvalidLength,
            i,
            &shown,
            format!("length at index {i} is {shown}: {why}"),
        ));
    }
    Ok(out)
}

/// A token id given as a JS number (`padId`, `ignoreIndex`): an integer in the `i32` range.
pub fn token_id(name: OptionName, v: f64) -> core::Result<i32> {
    if !v.is_finite() || v != v.trunc() || v < i32::MIN as f64 || v > i32::MAX as f64 {
        return Err(PackError::option(
            name,
            "",
            js_number(v),
            "it must be an integer in the int32 range",
        ));
    }
    Ok(v as i32)
}

/// What `packRows` and `StreamPacker` take besides the packing options.
/// `seed` is the row shuffle seed (for `ffs` the TS layer also passes it
/// as the strategy's seed).
#[napi(object)]
#[derive(Default, Clone)]
pub struct NativeRowsOptions {
    pub overflow: Option<String>,
    pub pad_id: Option<f64>,
    pub ignore_index: Option<f64>,
    pub labels: Option<String>,
    pub shuffle: Option<bool>,
    pub seed: Option<f64>,
}

impl NativeRowsOptions {
    /// The core's rows options around `request`.
    pub fn rows(&self, request: core::Request) -> core::Result<core::rows::RowsOptions> {
        use core::rows::{Labels, Overflow};
        let mut o = core::rows::RowsOptions::new(request);
        if let Some(v) = &self.overflow {
            o.overflow = match v.as_str() {
                "error" => Overflow::Error,
                "truncate" => Overflow::Truncate,
                "split" => Overflow::Split,
                "drop" => Overflow::Drop,
                _ => {
                    return Err(PackError::option(
                        OptionName::Overflow,
                        "",
                        format!("{v:?}"),
                        "it must be 'error', 'truncate', 'split' or 'drop'",
                    ))
                }
            };
        }
        if let Some(v) = &self.labels {
            o.labels = match v.as_str() {
                "unshifted" => Labels::Unshifted,
                "shifted" => Labels::Shifted,
                _ => {
                    return Err(PackError::option(
                        OptionName::Labels,
                        "",
                        format!("{v:?}"),
                        "it must be 'unshifted' or 'shifted'",
                    ))
                }
            };
        }
        if let Some(v) = self.pad_id {
            o.pad_id = token_id(OptionName::PadId, v)?;
        }
        if let Some(v) = self.ignore_index {
            o.ignore_index = token_id(OptionName::IgnoreIndex, v)?;
        }
        o.shuffle = self.shuffle.unwrap_or(false);
        if let Some(v) = self.seed {
            o.seed = integer(OptionName::Seed, v)?;
        }
        Ok(o)
    }
}

fn bad_token(i: usize, shown: &str) -> PackError {
    PackError::at(
        core::ErrorKind::InvalidInput,
        i,
        shown,
        format!("token at index {i} is {shown}: token ids must be integers in the int32 range"),
    )
}

/// Token ids from a `Uint32Array`, viewed as `i32` without copying once
/// every id is checked to be at most `i32::MAX`.
pub fn tokens_from_u32(tokens: &[u32]) -> core::Result<&[i32]> {
    if let Some(i) = tokens.iter().position(|&t| t > i32::MAX as u32) {
        return Err(bad_token(i, &tokens[i].to_string()));
    }
    // SAFETY: same size and alignment, and every value is in the i32 range.
    Ok(unsafe { std::slice::from_raw_parts(tokens.as_ptr() as *const i32, tokens.len()) })
}

/// Token ids from JS numbers: integers in the `i32` range.
pub fn tokens_from_f64(tokens: &[f64]) -> core::Result<Vec<i32>> {
    tokens
        .iter()
        .enumerate()
        .map(|(i, &v)| {
            if v.is_finite() && v == v.trunc() && v >= i32::MIN as f64 && v <= i32::MAX as f64 {
                Ok(v as i32)
            } else {
                Err(bad_token(i, &js_number(v)))
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use seqpack_core::ErrorKind;

    #[test]
    fn capacity_rules() {
        assert_eq!(capacity(4096.0).unwrap(), 4096);
        assert_eq!(capacity(4294967295.0).unwrap(), u32::MAX);
        for bad in [0.0, -1.0, 1.5, f64::NAN, f64::INFINITY, 4294967296.0] {
            let e = capacity(bad).unwrap_err();
            assert_eq!(
                (e.kind, e.value),
                (ErrorKind::InvalidCapacity, Some(js_number(bad)))
            );
        }
    }

    #[test]
    fn integer_options_name_the_option_in_js() {
        assert_eq!(integer(OptionName::K, 2.0).unwrap(), 2);
        assert_eq!(
            integer(OptionName::Seed, 9_007_199_254_740_991.0).unwrap(),
            (1 << 53) - 1
        );
        for (name, bad) in [
            (OptionName::K, 1.0),
            (OptionName::K, 2.5),
            (OptionName::K, 65_537.0),
            (OptionName::Seed, -1.0),
            (OptionName::Seed, 9_007_199_254_740_992.0),
            (OptionName::Threads, 0.0),
            (OptionName::Threads, f64::NAN),
            (OptionName::GroupSize, f64::INFINITY),
            (OptionName::Nodes, 65_537.0),
        ] {
            let e = integer(name, bad).unwrap_err();
            assert_eq!(
                (e.kind, e.option),
                (ErrorKind::InvalidOption, Some(name)),
                "{bad}"
            );
            assert!(e
                .message_with(js_name)
                .contains(&format!("`{}`", js_name(name))));
        }
        let e = integer(OptionName::GroupSize, 0.0).unwrap_err();
        assert!(
            e.message_with(js_name).contains("`groupSize` = 0"),
            "{}",
            e.message()
        );
    }

    #[test]
    fn first_offending_length_is_named() {
        let e = lengths_from_i32(&[1, -4], 8).unwrap_err();
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
            let e = lengths_from_f64(&[1.0, 2.0, v], 8).unwrap_err();
            assert_eq!((e.kind, e.index), (kind, Some(2)), "{v}");
            assert!(e.message().contains("index 2"), "{}", e.message());
        }
        assert_eq!(lengths_from_f64(&[1.0, 8.0], 8).unwrap(), vec![1, 8]);
        assert_eq!(lengths_from_i32(&[1, 8], 8).unwrap(), vec![1, 8]);
    }

    #[test]
    fn numbers_render_as_in_javascript() {
        // Expected strings are what `String(v)` prints in Node.
        for (v, js) in [
            (0.0, "0"),
            (-0.0, "0"),
            (1.0, "1"),
            (-3.0, "-3"),
            (1.5, "1.5"),
            (0.1, "0.1"),
            (1e21, "1e+21"),
            (1e300, "1e+300"),
            (123456789012345680000.0, "123456789012345680000"),
            (1.5e-7, "1.5e-7"),
            (0.000001, "0.000001"),
            (1e-7, "1e-7"),
            (4294967296.0, "4294967296"),
            (9007199254740993.0, "9007199254740992"),
            (2.5e22, "2.5e+22"),
            (-1e-300, "-1e-300"),
            (f64::MAX, "1.7976931348623157e+308"),
            (5e-324, "5e-324"),
            (f64::NAN, "NaN"),
            (f64::NEG_INFINITY, "-Infinity"),
        ] {
            assert_eq!(js_number(v), js, "{v:e}");
        }
    }

    #[test]
    fn js_names_are_distinct() {
        let mut names: Vec<&str> = OptionName::ALL.iter().map(|&o| js_name(o)).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), OptionName::ALL.len());
    }
}
