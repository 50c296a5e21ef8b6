//! seqpack-io: dataset IO for seqpack.
//!
//! Reads a tokenised dataset (a list-of-integers column such as
//! `input_ids`, or an integer column of lengths) from JSONL, Parquet or Arrow
//! IPC, streaming in chunks of documents into flat `tokens` + `offsets`
//! buffers, the layout seqpack-core packs; and writes packed training rows
//! (the `packRows` columns) to Parquet, Arrow IPC or JSONL, incrementally and
//! atomically. Pure Rust, no JS; errors are one typed enum with stable kinds.
//!
//! ```no_run
//! use seqpack_io::{ReadOptions, TokenReader, TokenChunk};
//! let mut reader = TokenReader::open("train.parquet", &ReadOptions::default())?;
//! let mut chunk = TokenChunk::default();
//! while reader.next_into(&mut chunk)? {
//!     // chunk.tokens / chunk.offsets: documents chunk.first_doc..
//! }
//! # Ok::<(), seqpack_io::Error>(())
//! ```

mod convert;
mod error;
mod format;
mod jsonl;
mod read;
mod rows_view;
mod write;

pub use error::{Error, ErrorKind, Result};
pub use format::Format;
pub use read::{
    read_all_tokens, read_lengths, read_tokens, LengthChunk, LengthReader, ReadOptions, TokenChunk, TokenReader, Tokens, DEFAULT_CHUNK_DOCS,
    DEFAULT_LENGTHS_FIELD, DEFAULT_TOKENS_FIELD,
};
pub use write::{rows_schema, write_rows, Compression, ListLayout, PackedRowsView, RowWriter, WriteOptions, WriteSummary};
