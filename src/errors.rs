//! Errors as JavaScript sees them: a stable `code` per failure, and the
//! conversion of core errors and panics into JS `Error` objects that carry
//! `code`, `index` and `value` as properties (nothing to parse back out of
//! the message).

use crate::convert::js_name;
use napi::bindgen_prelude::*;
use napi_derive::napi;
use seqpack_core::{ErrorKind, PackError};
use std::cell::{Cell, RefCell};
use std::sync::Once;

/// Every `error.code` seqpack produces. The TS `ErrorCode` type is derived
/// from this enum through the generated `native.d.ts`.
#[napi(string_enum)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ErrorCode {
    /// `lengths` is not an array of numbers or a supported typed array, or
    /// napi could not read an argument (e.g. a Proxy around a typed array).
    #[napi(value = "ERR_SEQPACK_INVALID_INPUT")]
    InvalidInput,
    #[napi(value = "ERR_SEQPACK_INVALID_LENGTH")]
    InvalidLength,
    #[napi(value = "ERR_SEQPACK_LENGTH_EXCEEDS_CAPACITY")]
    LengthExceedsCapacity,
    #[napi(value = "ERR_SEQPACK_INVALID_CAPACITY")]
    InvalidCapacity,
    #[napi(value = "ERR_SEQPACK_UNKNOWN_STRATEGY")]
    UnknownStrategy,
    #[napi(value = "ERR_SEQPACK_INVALID_OPTION")]
    InvalidOption,
    #[napi(value = "ERR_SEQPACK_TOO_MANY_ITEMS")]
    TooManyItems,
    #[napi(value = "ERR_SEQPACK_ABORTED")]
    Aborted,
    /// A bug in seqpack (a caught panic). Never the caller's fault.
    #[napi(value = "ERR_SEQPACK_INTERNAL")]
    Internal,
    /// A dataset file (or the output's directory) does not exist.
    #[napi(value = "ERR_SEQPACK_FILE_NOT_FOUND")]
    FileNotFound,
    /// Any other operating-system failure reading or writing a file.
    #[napi(value = "ERR_SEQPACK_IO")]
    Io,
    /// The file format could not be told from the name; pass `format`.
    #[napi(value = "ERR_SEQPACK_UNKNOWN_FORMAT")]
    UnknownFormat,
    /// The token (or lengths) field is not in the data.
    #[napi(value = "ERR_SEQPACK_MISSING_FIELD")]
    MissingField,
    /// The field is there but is not a list of integers (or an integer).
    #[napi(value = "ERR_SEQPACK_WRONG_FIELD_TYPE")]
    WrongFieldType,
    /// A token id that is not an integer in the int32 range (`index` = document).
    #[napi(value = "ERR_SEQPACK_INVALID_TOKEN")]
    InvalidToken,
    /// A null document where a token list was required (`index` = document).
    #[napi(value = "ERR_SEQPACK_NULL_VALUE")]
    NullValue,
    /// The file is not valid for its format (bad JSON line, bad Parquet footer...).
    #[napi(value = "ERR_SEQPACK_CORRUPT_FILE")]
    CorruptFile,
    /// The dataset (or the output) has no documents.
    #[napi(value = "ERR_SEQPACK_EMPTY_DATASET")]
    EmptyDataset,
    /// More tokens or documents than 32-bit offsets address; use a window.
    #[napi(value = "ERR_SEQPACK_TOO_LARGE")]
    TooLarge,
    /// Rows handed to `writeRows` are inconsistent (lengths, offsets).
    #[napi(value = "ERR_SEQPACK_INVALID_ROWS")]
    InvalidRows,
}

/// Every code with its string, in declaration order: the one list that
/// [`ErrorCode::all`] and [`ErrorCode::as_str`] read (a napi string enum
/// cannot be iterated).
const CODES: [(ErrorCode, &str); 20] = [
    (ErrorCode::InvalidInput, "ERR_SEQPACK_INVALID_INPUT"),
    (ErrorCode::InvalidLength, "ERR_SEQPACK_INVALID_LENGTH"),
    (ErrorCode::LengthExceedsCapacity, "ERR_SEQPACK_LENGTH_EXCEEDS_CAPACITY"),
    (ErrorCode::InvalidCapacity, "ERR_SEQPACK_INVALID_CAPACITY"),
    (ErrorCode::UnknownStrategy, "ERR_SEQPACK_UNKNOWN_STRATEGY"),
    (ErrorCode::InvalidOption, "ERR_SEQPACK_INVALID_OPTION"),
    (ErrorCode::TooManyItems, "ERR_SEQPACK_TOO_MANY_ITEMS"),
    (ErrorCode::Aborted, "ERR_SEQPACK_ABORTED"),
    (ErrorCode::Internal, "ERR_SEQPACK_INTERNAL"),
    (ErrorCode::FileNotFound, "ERR_SEQPACK_FILE_NOT_FOUND"),
    (ErrorCode::Io, "ERR_SEQPACK_IO"),
    (ErrorCode::UnknownFormat, "ERR_SEQPACK_UNKNOWN_FORMAT"),
    (ErrorCode::MissingField, "ERR_SEQPACK_MISSING_FIELD"),
    (ErrorCode::WrongFieldType, "ERR_SEQPACK_WRONG_FIELD_TYPE"),
    (ErrorCode::InvalidToken, "ERR_SEQPACK_INVALID_TOKEN"),
    (ErrorCode::NullValue, "ERR_SEQPACK_NULL_VALUE"),
    (ErrorCode::CorruptFile, "ERR_SEQPACK_CORRUPT_FILE"),
    (ErrorCode::EmptyDataset, "ERR_SEQPACK_EMPTY_DATASET"),
    (ErrorCode::TooLarge, "ERR_SEQPACK_TOO_LARGE"),
    (ErrorCode::InvalidRows, "ERR_SEQPACK_INVALID_ROWS"),
];

impl ErrorCode {
    pub const fn all() -> [ErrorCode; CODES.len()] {
        let mut out = [ErrorCode::Internal; CODES.len()];
        let mut i = 0;
        while i < CODES.len() {
            out[i] = CODES[i].0;
            i += 1;
        }
        out
    }

    pub fn as_str(self) -> &'static str {
        match CODES.iter().find(|(c, _)| *c == self) {
            Some((_, s)) => s,
            None => unreachable!("every code is in CODES"),
        }
    }
}

impl From<ErrorKind> for ErrorCode {
    fn from(k: ErrorKind) -> Self {
        match k {
            ErrorKind::InvalidInput => ErrorCode::InvalidInput,
            ErrorKind::InvalidLength => ErrorCode::InvalidLength,
            ErrorKind::LengthExceedsCapacity => ErrorCode::LengthExceedsCapacity,
            ErrorKind::InvalidCapacity => ErrorCode::InvalidCapacity,
            ErrorKind::UnknownStrategy => ErrorCode::UnknownStrategy,
            ErrorKind::InvalidOption => ErrorCode::InvalidOption,
            ErrorKind::TooManyItems => ErrorCode::TooManyItems,
            ErrorKind::Aborted => ErrorCode::Aborted,
            ErrorKind::InputChanged => ErrorCode::InvalidInput,
        }
    }
}

impl From<seqpack_io::ErrorKind> for ErrorCode {
    fn from(k: seqpack_io::ErrorKind) -> Self {
        use seqpack_io::ErrorKind as K;
        match k {
            K::NotFound => ErrorCode::FileNotFound,
            K::Io => ErrorCode::Io,
            K::UnknownFormat => ErrorCode::UnknownFormat,
            K::MissingField => ErrorCode::MissingField,
            K::WrongFieldType => ErrorCode::WrongFieldType,
            K::BadToken => ErrorCode::InvalidToken,
            K::BadLength => ErrorCode::InvalidLength,
            K::NullValue => ErrorCode::NullValue,
            K::Corrupt => ErrorCode::CorruptFile,
            K::Empty => ErrorCode::EmptyDataset,
            K::TooLarge => ErrorCode::TooLarge,
            K::InvalidRows => ErrorCode::InvalidRows,
            K::InvalidOption => ErrorCode::InvalidOption,
        }
    }
}

/// A failure on its way to JavaScript: a core or IO error, or a caught panic.
#[derive(Debug)]
pub enum Failure {
    Pack(PackError),
    Io(seqpack_io::Error),
    Panic(String),
}

impl From<PackError> for Failure {
    fn from(e: PackError) -> Self {
        Failure::Pack(e)
    }
}

impl Failure {
    fn parts(&self) -> (ErrorCode, String, Option<usize>, Option<&str>) {
        match self {
            Failure::Pack(e) => (
                e.kind.into(),
                e.message_with(js_name),
                e.index,
                e.value.as_deref(),
            ),
            Failure::Io(e) => (e.kind().into(), e.to_string(), e.row().map(|r| r as usize), None),
            Failure::Panic(what) => (
                ErrorCode::Internal,
                format!("internal error in seqpack (please report it): {what}"),
                None,
                None,
            ),
        }
    }

    /// A JS `Error` with `code`, and `index`/`value` when known.
    pub fn into_js(self, env: &Env) -> Error {
        let (code, message, index, value) = self.parts();
        let build = || -> Result<Error> {
            let mut obj = env.create_error(Error::new(Status::GenericFailure, &message))?;
            obj.set_named_property("code", code.as_str())?;
            if let Some(i) = index {
                obj.set_named_property("index", i as f64)?;
            }
            if let Some(v) = value {
                obj.set_named_property("value", v)?;
            }
            Ok(Error::from(obj.to_unknown()))
        };
        // If the env cannot build the object, the plain error still carries
        // the code as its status and the message.
        build().unwrap_or_else(|_| {
            Error::new(
                Status::GenericFailure,
                format!("{}: {message}", code.as_str()),
            )
        })
    }
}

thread_local! {
    /// Depth of [`catch`] calls on this thread: a panic here is caught.
    static CATCHING: Cell<u32> = const { Cell::new(0) };
    /// Where the last caught panic on this thread happened.
    static LOCATION: RefCell<Option<String>> = const { RefCell::new(None) };
}

/// Installs, once, a panic hook that stays silent for panics [`catch`] turns
/// into errors (on the catching thread, or on a `seqpack-*` pool thread,
/// which only runs work of caught calls and re-raises into it) and hands
/// every other panic to the hook that was installed before, so a real crash
/// elsewhere in the process still prints. The default hook would print
/// three lines to stderr for an error the caller already receives.
fn install_quiet_hook() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            let caught = CATCHING.with(Cell::get) > 0
                || std::thread::current()
                    .name()
                    .is_some_and(|n| n.starts_with("seqpack-"));
            if caught {
                let at = info
                    .location()
                    .map(|l| format!("{}:{}", l.file(), l.line()));
                LOCATION.with(|c| *c.borrow_mut() = at);
            } else {
                previous(info)
            }
        }));
    });
}

/// Runs `f`, catching a panic (the release profile unwinds on purpose).
/// The panic is reported through the returned error only (see
/// [`install_quiet_hook`]).
pub fn catch<T>(
    f: impl FnOnce() -> std::result::Result<T, Failure>,
) -> std::result::Result<T, Failure> {
    install_quiet_hook();
    CATCHING.with(|c| c.set(c.get() + 1));
    let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(f));
    CATCHING.with(|c| c.set(c.get() - 1));
    match r {
        Ok(r) => r,
        Err(payload) => {
            let what = payload
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| payload.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "unknown panic".into());
            let at = LOCATION.with(|c| c.borrow_mut().take());
            Err(Failure::Panic(match at {
                Some(at) => format!("{what} (at {at})"),
                None => what,
            }))
        }
    }
}

/// [`catch`] for a synchronous export: failures become JS errors on `env`.
pub fn guard<T>(env: &Env, f: impl FnOnce() -> std::result::Result<T, Failure>) -> Result<T> {
    catch(f).map_err(|e| e.into_js(env))
}
