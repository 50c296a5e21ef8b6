//! The one error type of the core.
//!
//! Every failure a caller can cause has a stable [`ErrorKind`]. Errors about
//! one input element carry its index and a rendering of the offending value,
//! so a user with a million lengths can find the bad one without bisecting.
//!
//! Messages that name an option keep the option as an [`OptionName`], not as
//! text: [`PackError::message`] spells it the Rust way (`group_size`), and a
//! binding spells it its own way with [`PackError::message_with`]. So one
//! error serves every caller and no caller's naming leaks into the core.

use crate::strategy::OptionName;
use std::fmt;

/// What went wrong, as a stable machine-readable category.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorKind {
    /// Input other than lengths is malformed: document offsets that are not
    /// non-decreasing or do not cover the tokens, a token id outside `i32`,
    /// a row range outside the rows.
    InvalidInput,
    /// One length is zero (or, from a binding, not a positive integer).
    InvalidLength,
    /// One length is larger than the bin capacity, so no packing exists.
    LengthExceedsCapacity,
    /// The capacity is missing, zero, or disagrees with the device capacities.
    InvalidCapacity,
    /// The strategy name is not one of [`crate::STRATEGIES`].
    UnknownStrategy,
    /// A strategy option is out of range, missing, or does not apply.
    InvalidOption,
    /// More items than a `u32` index can address.
    TooManyItems,
    /// The caller cancelled the work before it finished.
    Aborted,
    /// The lengths were not the same on two reads: memory the caller shares
    /// with another thread changed during the call ([`crate::guard`]).
    InputChanged,
}

/// One piece of a message: text, or an option name spelled by the reader.
#[derive(Debug, Clone, PartialEq)]
enum Piece {
    Text(String),
    Option(OptionName),
}

/// An error with its kind, a human message, and (for per-element problems)
/// the index and value of the offending element.
#[derive(Debug, Clone, PartialEq)]
pub struct PackError {
    pub kind: ErrorKind,
    /// Index of the offending element in the caller's array, if any.
    pub index: Option<usize>,
    /// The offending value as text (`"0"`, `"-3"`, `"1.5"`), if any.
    pub value: Option<String>,
    /// The option the error is about, if any.
    pub option: Option<OptionName>,
    pieces: Vec<Piece>,
}

/// Builds a message whose option names are spelled by the reader: text pieces
/// and [`OptionName`]s in order.
#[derive(Default)]
pub struct Message(Vec<Piece>);

impl Message {
    pub fn new() -> Self {
        Message(Vec::new())
    }
    pub fn text(mut self, s: impl Into<String>) -> Self {
        self.0.push(Piece::Text(s.into()));
        self
    }
    pub fn option(mut self, name: OptionName) -> Self {
        self.0.push(Piece::Option(name));
        self
    }
    /// `names` separated by `", "`.
    pub fn options(mut self, names: &[OptionName]) -> Self {
        for (i, &n) in names.iter().enumerate() {
            if i > 0 {
                self.0.push(Piece::Text(", ".into()));
            }
            self.0.push(Piece::Option(n));
        }
        self
    }
}

impl PackError {
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        PackError::with(kind, Message::new().text(message))
    }

    /// An error whose message names options.
    pub fn with(kind: ErrorKind, message: Message) -> Self {
        PackError {
            kind,
            index: None,
            value: None,
            option: None,
            pieces: message.0,
        }
    }

    /// An error about element `index` whose value renders as `value`.
    pub fn at(
        kind: ErrorKind,
        index: usize,
        value: impl fmt::Display,
        message: impl Into<String>,
    ) -> Self {
        PackError::new(kind, message).index(index).value(value)
    }

    /// `option `name`{suffix} = value is invalid: why`, kind
    /// [`ErrorKind::InvalidOption`]. `suffix` locates an element of a list
    /// option (`"[3]"`), empty otherwise.
    pub fn option(name: OptionName, suffix: &str, value: impl fmt::Display, why: &str) -> Self {
        let value = value.to_string();
        let msg = Message::new()
            .text("option `")
            .option(name)
            .text(format!("{suffix}` = {value} is invalid: {why}"));
        PackError::with(ErrorKind::InvalidOption, msg)
            .value(value)
            .about(name)
    }

    /// `option `name` = 0 is invalid: it must be at least 1`, for a count or
    /// size option given as zero: one rule and one message wherever a count
    /// must be positive.
    pub fn zero_option(name: OptionName) -> Self {
        PackError::option(name, "", 0, "it must be at least 1")
    }

    pub fn aborted() -> Self {
        PackError::new(
            ErrorKind::Aborted,
            "the packing was aborted before it finished",
        )
    }

    pub fn index(mut self, i: usize) -> Self {
        self.index = Some(i);
        self
    }

    pub fn value(mut self, v: impl fmt::Display) -> Self {
        self.value = Some(v.to_string());
        self
    }

    pub fn about(mut self, name: OptionName) -> Self {
        self.option = Some(name);
        self
    }

    /// The message with option names spelled by `name`.
    pub fn message_with(&self, name: impl Fn(OptionName) -> &'static str) -> String {
        self.pieces
            .iter()
            .map(|p| match p {
                Piece::Text(t) => t.as_str(),
                Piece::Option(o) => name(*o),
            })
            .collect()
    }

    /// The message with option names spelled as the Rust API spells them.
    pub fn message(&self) -> String {
        self.message_with(OptionName::rust_name)
    }
}

impl fmt::Display for PackError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}: {}", self.kind, self.message())
    }
}

impl std::error::Error for PackError {}

pub type Result<T> = std::result::Result<T, PackError>;
