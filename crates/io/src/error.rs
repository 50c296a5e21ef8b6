//! One error type for every reader and writer.
//!
//! Each variant carries what a user needs to fix the input: the file (or
//! `<stdin>`), the field, and for value errors the document (row) index and
//! the offending value. [`Error::kind`] maps every variant to an
//! [`ErrorKind`] whose [`ErrorKind::as_str`] names are stable, so a binding
//! layer can map them to its own error codes without parsing messages.

use std::fmt;
use std::path::Path;

/// Defines [`ErrorKind`], its stable names and [`Error::kind`] from one
/// list: every [`Error`] variant has the kind of the same name, so adding a
/// variant without its kind (or a name) does not compile.
macro_rules! error_kinds {
    ($($(#[$doc:meta])* $kind:ident = $name:literal,)*) => {
        /// Stable, data-free classification of an [`Error`].
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum ErrorKind {
            $($(#[$doc])* $kind,)*
        }

        impl ErrorKind {
            /// Stable snake-case name (never changes once published).
            pub fn as_str(self) -> &'static str {
                match self {
                    $(ErrorKind::$kind => $name,)*
                }
            }
        }

        impl Error {
            pub fn kind(&self) -> ErrorKind {
                match self {
                    $(Error::$kind { .. } => ErrorKind::$kind,)*
                }
            }
        }
    };
}

error_kinds! {
    /// The input file (or the output directory) does not exist.
    NotFound = "not_found",
    /// Any other operating-system IO failure (permissions, disk full...).
    Io = "io",
    /// The format could not be inferred from the file name.
    UnknownFormat = "unknown_format",
    /// The requested field/column is not in the data.
    MissingField = "missing_field",
    /// The field exists but has a type this crate cannot read as requested.
    WrongFieldType = "wrong_field_type",
    /// A token id that is not an integer or does not fit in `i32`.
    BadToken = "bad_token",
    /// A length that is not an integer or does not fit in `u32`.
    BadLength = "bad_length",
    /// A null document where a list (or a length) was required.
    NullValue = "null_value",
    /// The file is not valid for its format (bad JSON, bad Parquet footer...).
    Corrupt = "corrupt",
    /// The dataset has no documents.
    Empty = "empty",
    /// A count exceeds what the 32-bit offsets/ids can address.
    TooLarge = "too_large",
    /// A packed-rows view handed to a writer is internally inconsistent.
    InvalidRows = "invalid_rows",
    /// An option value is out of range (e.g. a zero row-group size).
    InvalidOption = "invalid_option",
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Every failure of this crate. `file` is the path as given, or `<stdin>` /
/// the name the caller gave a reader. `row` is the 0-based document index in
/// the whole input (not in the chunk); `position` the 0-based token index
/// inside that document.
#[derive(Debug)]
pub enum Error {
    NotFound { file: String },
    Io { file: String, source: std::io::Error },
    UnknownFormat { file: String },
    MissingField { file: String, field: String, row: Option<u64>, available: Vec<String> },
    WrongFieldType { file: String, field: String, found: String, expected: &'static str },
    BadToken { file: String, field: String, row: u64, position: Option<u64>, value: String },
    BadLength { file: String, field: String, row: u64, value: String },
    NullValue { file: String, field: String, row: u64 },
    Corrupt { file: String, row: Option<u64>, detail: String },
    Empty { file: String },
    TooLarge { file: String, detail: String },
    InvalidRows { detail: String },
    InvalidOption { detail: String },
}

impl Error {
    /// The document index the error is about, when there is one.
    pub fn row(&self) -> Option<u64> {
        match self {
            Error::BadToken { row, .. } | Error::BadLength { row, .. } | Error::NullValue { row, .. } => Some(*row),
            Error::MissingField { row, .. } | Error::Corrupt { row, .. } => *row,
            _ => None,
        }
    }

    /// Maps an OS error on `file`, keeping "not found" distinct.
    pub fn io(file: &str, source: std::io::Error) -> Error {
        if source.kind() == std::io::ErrorKind::NotFound {
            Error::NotFound { file: file.to_string() }
        } else {
            Error::Io { file: file.to_string(), source }
        }
    }
}

pub(crate) fn display_path(p: &Path) -> String {
    p.display().to_string()
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::NotFound { file } => write!(f, "{file}: no such file or directory"),
            Error::Io { file, source } => write!(f, "{file}: {source}"),
            Error::UnknownFormat { file } => write!(
                f,
                "{file}: cannot tell the format from the file name (expected .jsonl, .ndjson, .json, .parquet, .arrow, .feather, .ipc or .arrows); pass the format explicitly"
            ),
            Error::MissingField { file, field, row, available } => {
                write!(f, "{file}: field \"{field}\" not found")?;
                if let Some(r) = row {
                    write!(f, " in document {r}")?;
                }
                if !available.is_empty() {
                    write!(f, " (fields: {})", available.join(", "))?;
                }
                Ok(())
            }
            Error::WrongFieldType { file, field, found, expected } => {
                write!(f, "{file}: field \"{field}\" has type {found}, expected {expected}")
            }
            Error::BadToken { file, field, row, position, value } => {
                write!(f, "{file}: field \"{field}\", document {row}")?;
                if let Some(p) = position {
                    write!(f, ", token {p}")?;
                }
                write!(f, ": {value} is not a token id (an integer in the int32 range)")
            }
            Error::BadLength { file, field, row, value } => write!(
                f,
                "{file}: field \"{field}\", document {row}: {value} is not a length (an integer from 0 to 4294967295)"
            ),
            Error::NullValue { file, field, row } => {
                write!(f, "{file}: field \"{field}\", document {row}: value is null")
            }
            Error::Corrupt { file, row, detail } => {
                write!(f, "{file}: corrupt or unreadable")?;
                if let Some(r) = row {
                    write!(f, " at document {r}")?;
                }
                write!(f, ": {detail}")
            }
            Error::Empty { file } => write!(f, "{file}: the dataset has no documents"),
            Error::TooLarge { file, detail } => write!(f, "{file}: too large: {detail}"),
            Error::InvalidRows { detail } => write!(f, "invalid packed rows: {detail}"),
            Error::InvalidOption { detail } => write!(f, "invalid option: {detail}"),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Io { source, .. } => Some(source),
            _ => None,
        }
    }
}

pub type Result<T> = std::result::Result<T, Error>;
