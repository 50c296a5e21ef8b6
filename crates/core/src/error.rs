//! The one error type of the core.
//!
//! Every failure a caller can cause has a stable [`ErrorKind`] whose
//! [`ErrorKind::code`] is the `ERR_SEQPACK_*` string the JavaScript layer
//! exposes as `error.code`. Errors about one input element carry its index and
//! a rendering of the offending value, so a user with a million lengths can find
//! the bad one without bisecting.

use std::fmt;

/// What went wrong, as a stable machine-readable category.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorKind {
    /// The input is not a sequence of numbers at all (wrong container type).
    InvalidInput,
    /// One length is not a positive integer that fits in 32 bits.
    InvalidLength,
    /// One length is larger than the bin capacity, so no packing exists.
    LengthExceedsCapacity,
    /// The capacity is missing, not a positive integer, or above [`crate::MAX_CAPACITY`].
    InvalidCapacity,
    /// The strategy name is not one of [`crate::algorithms::STRATEGIES`].
    UnknownStrategy,
    /// A strategy option (`k`, `seed`, `threads`, `groupSize`, ...) is invalid.
    InvalidOption,
    /// More items than a `u32` index can address.
    TooManyItems,
    /// The caller cancelled the work before it finished.
    Aborted,
    /// A bug in seqpack (a caught panic). Never the caller's fault.
    Internal,
}

impl ErrorKind {
    /// The stable `ERR_SEQPACK_*` code.
    pub const fn code(self) -> &'static str {
        match self {
            ErrorKind::InvalidInput => "ERR_SEQPACK_INVALID_INPUT",
            ErrorKind::InvalidLength => "ERR_SEQPACK_INVALID_LENGTH",
            ErrorKind::LengthExceedsCapacity => "ERR_SEQPACK_LENGTH_EXCEEDS_CAPACITY",
            ErrorKind::InvalidCapacity => "ERR_SEQPACK_INVALID_CAPACITY",
            ErrorKind::UnknownStrategy => "ERR_SEQPACK_UNKNOWN_STRATEGY",
            ErrorKind::InvalidOption => "ERR_SEQPACK_INVALID_OPTION",
            ErrorKind::TooManyItems => "ERR_SEQPACK_TOO_MANY_ITEMS",
            ErrorKind::Aborted => "ERR_SEQPACK_ABORTED",
            ErrorKind::Internal => "ERR_SEQPACK_INTERNAL",
        }
    }
}

/// An error with its kind, a human message, and (for per-element problems)
/// the index and value of the offending element.
#[derive(Debug, Clone, PartialEq)]
pub struct PackError {
    pub kind: ErrorKind,
    pub message: String,
    /// Index of the offending element in the caller's array, if any.
    pub index: Option<usize>,
    /// The offending value as text (`"NaN"`, `"-3"`, `"1.5"`), if any.
    pub value: Option<String>,
}

impl PackError {
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        PackError {
            kind,
            message: message.into(),
            index: None,
            value: None,
        }
    }

    /// An error about element `index` whose value renders as `value`.
    pub fn at(
        kind: ErrorKind,
        index: usize,
        value: impl fmt::Display,
        message: impl Into<String>,
    ) -> Self {
        PackError {
            kind,
            message: message.into(),
            index: Some(index),
            value: Some(value.to_string()),
        }
    }

    /// An error about a named option whose value renders as `value`.
    pub fn option(name: &str, value: impl fmt::Display, why: &str) -> Self {
        let value = value.to_string();
        PackError {
            kind: ErrorKind::InvalidOption,
            message: format!("option `{name}` = {value} is invalid: {why}"),
            index: None,
            value: Some(value),
        }
    }

    pub fn aborted() -> Self {
        PackError::new(
            ErrorKind::Aborted,
            "the packing was aborted before it finished",
        )
    }
}

impl fmt::Display for PackError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.kind.code(), self.message)
    }
}

impl std::error::Error for PackError {}

pub type Result<T> = std::result::Result<T, PackError>;

/// Renders an `f64` the way JavaScript prints it for the common cases
/// (integers without `.0`, `NaN`, `Infinity`), so messages quote what the user wrote.
pub fn js_number(v: f64) -> String {
    if v.is_nan() {
        "NaN".into()
    } else if v.is_infinite() {
        if v > 0.0 {
            "Infinity".into()
        } else {
            "-Infinity".into()
        }
    } else if v == v.trunc() && v.abs() < 1e21 {
        format!("{}", v as i128)
    } else {
        format!("{v}")
    }
}
