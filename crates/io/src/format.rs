//! File formats and their detection from a file name.

use crate::error::{display_path, Error, Result};
use std::path::Path;

/// A dataset file format.
///
/// For reading, [`Format::Arrow`] accepts both IPC layouts: the file layout
/// (starts with the `ARROW1` magic) and the stream layout (what Hugging Face
/// `datasets` keeps in its cache `.arrow` files); the reader sniffs the magic.
/// For writing, [`Format::Arrow`] writes the IPC file layout and
/// [`Format::ArrowStream`] the stream layout.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    /// One JSON value per line: an object holding the field, or a bare array
    /// of token ids (a bare integer in lengths mode).
    Jsonl,
    Parquet,
    Arrow,
    ArrowStream,
}

impl Format {
    /// Infers the format from the extension (case-insensitive):
    /// `.jsonl .ndjson .json` → JSONL, `.parquet .pq` → Parquet,
    /// `.arrow .feather .ipc` → Arrow (IPC file, or stream when reading),
    /// `.arrows` → Arrow stream. Anything else is [`Error::UnknownFormat`].
    pub fn from_path(path: &Path) -> Result<Format> {
        let ext = path
            .extension()
            .and_then(|e| e.to_str())
            .map(|e| e.to_ascii_lowercase())
            .unwrap_or_default();
        match ext.as_str() {
            "jsonl" | "ndjson" | "json" => Ok(Format::Jsonl),
            "parquet" | "pq" => Ok(Format::Parquet),
            "arrow" | "feather" | "ipc" => Ok(Format::Arrow),
            "arrows" => Ok(Format::ArrowStream),
            _ => Err(Error::UnknownFormat { file: display_path(path) }),
        }
    }

    /// Parses a user-facing name (`jsonl`, `parquet`, `arrow`, `arrow-stream`).
    pub fn from_name(name: &str) -> Option<Format> {
        match name.to_ascii_lowercase().as_str() {
            "jsonl" | "ndjson" | "json" => Some(Format::Jsonl),
            "parquet" => Some(Format::Parquet),
            "arrow" | "ipc" | "feather" => Some(Format::Arrow),
            "arrow-stream" | "arrows" => Some(Format::ArrowStream),
            _ => None,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Format::Jsonl => "jsonl",
            Format::Parquet => "parquet",
            Format::Arrow => "arrow",
            Format::ArrowStream => "arrow-stream",
        }
    }
}
