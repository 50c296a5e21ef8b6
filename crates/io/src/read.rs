//! Streaming readers: tokens (a list-of-integers column) or lengths (an
//! integer column), from JSONL, Parquet or Arrow IPC.
//!
//! Memory: a reader holds one chunk of at most `chunk_docs` documents (plus,
//! for Parquet, the pages of the row group being decoded; for an Arrow IPC
//! batch larger than a chunk, that batch, which is sliced without copying).
//! Chunks are filled into caller-owned buffers ([`TokenReader::next_into`]),
//! so a streaming caller allocates nothing per chunk once warm.
//!
//! Document indices in errors and in [`TokenChunk::first_doc`] count
//! documents from the start of the input (blank JSONL lines are not
//! documents).

use crate::convert::{append_lengths, append_tokens, ColCtx};
use crate::error::{display_path, Error, Result};
use crate::format::Format;
use crate::jsonl::{is_blank, parse_length_line, parse_token_line, LineCtx};
use arrow_array::{ArrayRef, RecordBatch};
use arrow_schema::{ArrowError, SchemaRef};
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use parquet::arrow::ProjectionMask;
use std::fs::File;
use std::io::{BufRead, BufReader, Read, Seek, SeekFrom};
use std::path::Path;

/// Default field in tokens mode (the Hugging Face name).
pub const DEFAULT_TOKENS_FIELD: &str = "input_ids";
/// Default field in lengths mode.
pub const DEFAULT_LENGTHS_FIELD: &str = "length";
/// Default number of documents per chunk: large enough that per-chunk
/// overhead vanishes, small enough (a few MB of tokens) to stay in cache-ish
/// working sets and bound memory.
pub const DEFAULT_CHUNK_DOCS: usize = 8192;

/// Options shared by the token and length readers.
#[derive(Debug, Clone, Default)]
pub struct ReadOptions {
    /// `None`: infer from the file extension ([`Format::from_path`]).
    pub format: Option<Format>,
    /// `None`: [`DEFAULT_TOKENS_FIELD`] or [`DEFAULT_LENGTHS_FIELD`].
    pub field: Option<String>,
    /// Documents per chunk; `0` means [`DEFAULT_CHUNK_DOCS`].
    pub chunk_docs: usize,
}

impl ReadOptions {
    pub fn with_field(mut self, f: impl Into<String>) -> Self {
        self.field = Some(f.into());
        self
    }
    pub fn with_format(mut self, f: Format) -> Self {
        self.format = Some(f);
        self
    }
    pub fn with_chunk_docs(mut self, n: usize) -> Self {
        self.chunk_docs = n;
        self
    }
    fn chunk(&self) -> usize {
        if self.chunk_docs == 0 {
            DEFAULT_CHUNK_DOCS
        } else {
            self.chunk_docs
        }
    }
}

/// A run of consecutive documents: document `first_doc + i` is
/// `tokens[offsets[i] as usize..offsets[i + 1] as usize]`.
///
/// Offsets are `u32` (matching `packRows`' `Uint32Array` offsets): a chunk, and
/// a read-all result, holds at most `u32::MAX` tokens, else
/// [`Error::TooLarge`]; stream in chunks for larger inputs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenChunk {
    pub first_doc: u64,
    pub tokens: Vec<i32>,
    /// `num_docs + 1` entries, starting at 0.
    pub offsets: Vec<u32>,
}

impl Default for TokenChunk {
    fn default() -> Self {
        TokenChunk { first_doc: 0, tokens: Vec::new(), offsets: vec![0] }
    }
}

impl TokenChunk {
    pub fn num_docs(&self) -> usize {
        self.offsets.len() - 1
    }
    pub fn doc(&self, i: usize) -> &[i32] {
        &self.tokens[self.offsets[i] as usize..self.offsets[i + 1] as usize]
    }
    fn reset(&mut self, first_doc: u64) {
        self.first_doc = first_doc;
        self.tokens.clear();
        self.offsets.clear();
        self.offsets.push(0);
    }
}

/// Lengths of consecutive documents starting at `first_doc`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LengthChunk {
    pub first_doc: u64,
    pub lengths: Vec<u32>,
}

/// All documents of an input: `tokens` flat, `offsets` of `num_docs + 1`.
pub type Tokens = TokenChunk;

enum Sink<'a> {
    Tokens(&'a mut TokenChunk),
    Lengths(&'a mut LengthChunk),
}

impl Sink<'_> {
    fn docs(&self) -> usize {
        match self {
            Sink::Tokens(c) => c.num_docs(),
            Sink::Lengths(c) => c.lengths.len(),
        }
    }
}

/// Where documents come from.
enum Source {
    Jsonl { reader: Box<dyn BufRead + Send>, line: Vec<u8> },
    /// Arrow record batches (Parquet or IPC) with the column's index in them.
    Batches { batches: Box<dyn Iterator<Item = std::result::Result<RecordBatch, ArrowError>> + Send>, column: usize, pending: Option<(ArrayRef, usize)> },
}

/// The engine behind both public readers.
struct Reader {
    file: String,
    field: String,
    chunk: usize,
    source: Source,
    next_doc: u64,
    done: bool,
}

fn corrupt(file: &str, e: impl std::fmt::Display) -> Error {
    Error::Corrupt { file: file.to_string(), row: None, detail: e.to_string() }
}

fn find_column(file: &str, field: &str, schema: &SchemaRef) -> Result<usize> {
    schema.index_of(field).map_err(|_| Error::MissingField {
        file: file.to_string(),
        field: field.to_string(),
        row: None,
        available: schema.fields().iter().map(|f| f.name().clone()).collect(),
    })
}

/// Maps errors the Arrow/Parquet decoders raise. IO failures stay IO; all else
/// means the bytes are not a valid file of the format.
fn arrow_err(file: &str, e: ArrowError) -> Error {
    match e {
        ArrowError::IoError(_, io) => Error::io(file, io),
        ArrowError::ExternalError(inner) => match inner.downcast::<parquet::errors::ParquetError>() {
            Ok(pe) => corrupt(file, pe),
            Err(other) => corrupt(file, other),
        },
        other => corrupt(file, other),
    }
}

impl Reader {
    fn open(path: &Path, opts: &ReadOptions, default_field: &str) -> Result<Reader> {
        let file = display_path(path);
        let format = match opts.format {
            Some(f) => f,
            None => Format::from_path(path)?,
        };
        let field = opts.field.clone().unwrap_or_else(|| default_field.to_string());
        let f = File::open(path).map_err(|e| Error::io(&file, e))?;
        if f.metadata().map(|m| m.is_dir()).unwrap_or(false) {
            return Err(Error::Io { file, source: std::io::Error::other("is a directory") });
        }
        let source = match format {
            Format::Jsonl => Source::Jsonl { reader: Box::new(BufReader::with_capacity(1 << 20, f)), line: Vec::new() },
            Format::Parquet => {
                let builder = ParquetRecordBatchReaderBuilder::try_new(f).map_err(|e| match e {
                    parquet::errors::ParquetError::External(inner) => match inner.downcast::<std::io::Error>() {
                        Ok(io) => Error::io(&file, *io),
                        Err(other) => corrupt(&file, other),
                    },
                    other => corrupt(&file, other),
                })?;
                let column = find_column(&file, &field, builder.schema())?;
                let mask = ProjectionMask::roots(builder.parquet_schema(), [column]);
                let reader = builder.with_projection(mask).with_batch_size(opts.chunk()).build().map_err(|e| corrupt(&file, e))?;
                // After projection the batch holds only the wanted column.
                Source::Batches { batches: Box::new(reader), column: 0, pending: None }
            }
            Format::Arrow | Format::ArrowStream => {
                let mut f = f;
                let mut magic = [0u8; 6];
                let is_file = f.read_exact(&mut magic).is_ok() && &magic == b"ARROW1";
                f.seek(SeekFrom::Start(0)).map_err(|e| Error::io(&file, e))?;
                if is_file {
                    let probe = arrow_ipc::reader::FileReader::try_new(BufReader::new(f.try_clone().map_err(|e| Error::io(&file, e))?), None)
                        .map_err(|e| arrow_err(&file, e))?;
                    let column = find_column(&file, &field, &probe.schema())?;
                    drop(probe);
                    f.seek(SeekFrom::Start(0)).map_err(|e| Error::io(&file, e))?;
                    let reader = arrow_ipc::reader::FileReader::try_new(BufReader::new(f), Some(vec![column])).map_err(|e| arrow_err(&file, e))?;
                    Source::Batches { batches: Box::new(reader), column: 0, pending: None }
                } else {
                    Self::stream_source(&file, &field, Box::new(BufReader::with_capacity(1 << 20, f)))?
                }
            }
        };
        Ok(Reader { file, field, chunk: opts.chunk(), source, next_doc: 0, done: false })
    }

    fn stream_source(file: &str, field: &str, r: Box<dyn Read + Send>) -> Result<Source> {
        let reader = arrow_ipc::reader::StreamReader::try_new(r, None).map_err(|e| arrow_err(file, e))?;
        let column = find_column(file, field, &reader.schema())?;
        Ok(Source::Batches { batches: Box::new(reader), column, pending: None })
    }

    fn from_reader(r: Box<dyn Read + Send>, name: &str, format: Format, opts: &ReadOptions, default_field: &str) -> Result<Reader> {
        let field = opts.field.clone().unwrap_or_else(|| default_field.to_string());
        let source = match format {
            Format::Jsonl => Source::Jsonl { reader: Box::new(BufReader::with_capacity(1 << 20, r)), line: Vec::new() },
            Format::Arrow | Format::ArrowStream => Self::stream_source(name, &field, r)?,
            Format::Parquet => {
                return Err(Error::InvalidOption { detail: format!("{name}: Parquet needs a seekable file, not a stream; write it to a file first") })
            }
        };
        Ok(Reader { file: name.to_string(), field, chunk: opts.chunk(), source, next_doc: 0, done: false })
    }

    /// Fills `sink` with up to `chunk` documents. Returns false at the end.
    /// On error the reader is finished (a later call returns false).
    fn fill(&mut self, mut sink: Sink) -> Result<bool> {
        if self.done {
            return Ok(false);
        }
        let r = self.fill_inner(&mut sink);
        match r {
            Ok(n) if n > 0 => {
                self.next_doc += n as u64;
                Ok(true)
            }
            Ok(_) => {
                self.done = true;
                if self.next_doc == 0 {
                    Err(Error::Empty { file: self.file.clone() })
                } else {
                    Ok(false)
                }
            }
            Err(e) => {
                self.done = true;
                Err(e)
            }
        }
    }

    fn fill_inner(&mut self, sink: &mut Sink) -> Result<usize> {
        let first = self.next_doc;
        match sink {
            Sink::Tokens(c) => c.reset(first),
            Sink::Lengths(c) => {
                c.first_doc = first;
                c.lengths.clear();
            }
        }
        let chunk = self.chunk;
        match &mut self.source {
            Source::Jsonl { reader, line } => {
                while sink.docs() < chunk {
                    line.clear();
                    let n = reader.read_until(b'\n', line).map_err(|e| Error::io(&self.file, e))?;
                    if n == 0 {
                        break;
                    }
                    if is_blank(line) {
                        continue;
                    }
                    let ctx = LineCtx::new(&self.file, &self.field, first + sink.docs() as u64);
                    match sink {
                        Sink::Tokens(c) => {
                            parse_token_line(line, &ctx, &mut c.tokens)?;
                            if c.tokens.len() > u32::MAX as usize {
                                return Err(Error::TooLarge { file: self.file.clone(), detail: "more than 4294967295 tokens in one chunk".into() });
                            }
                            c.offsets.push(c.tokens.len() as u32);
                        }
                        Sink::Lengths(c) => c.lengths.push(parse_length_line(line, &ctx)?),
                    }
                }
            }
            Source::Batches { batches, column, pending } => {
                let ctx = ColCtx { file: &self.file, field: &self.field };
                while sink.docs() < chunk {
                    let (arr, off) = match pending.take() {
                        Some(p) => p,
                        None => match batches.next() {
                            None => break,
                            Some(b) => (b.map_err(|e| arrow_err(&self.file, e))?.column(*column).clone(), 0),
                        },
                    };
                    let want = chunk - sink.docs();
                    let take = want.min(arr.len() - off);
                    let part = arr.slice(off, take);
                    if off + take < arr.len() {
                        *pending = Some((arr, off + take));
                    }
                    let row = first + sink.docs() as u64;
                    match sink {
                        Sink::Tokens(c) => append_tokens(&part, row, &ctx, &mut c.tokens, &mut c.offsets)?,
                        Sink::Lengths(c) => append_lengths(&part, row, &ctx, &mut c.lengths)?,
                    }
                }
            }
        }
        Ok(sink.docs())
    }
}

/// Defines a public streaming reader over [`Reader`]: `$name` fills `$chunk`
/// chunks (through `Sink::$sink`) from the field the options name, or
/// `$field`, and is an `Iterator` of owned chunks. One definition, so the
/// token and length readers cannot drift apart in behaviour.
macro_rules! chunk_reader {
    ($(#[$doc:meta])* $name:ident, $chunk:ident, $sink:ident, $field:ident) => {
        $(#[$doc])*
        pub struct $name(Reader);

        impl $name {
            /// Opens a file; the format comes from `opts.format` or the extension.
            pub fn open(path: impl AsRef<Path>, opts: &ReadOptions) -> Result<$name> {
                Reader::open(path.as_ref(), opts, $field).map($name)
            }

            /// Reads from any byte stream (e.g. stdin): `Format::Jsonl`, or Arrow IPC
            /// stream layout for `Format::Arrow`/`ArrowStream`. `name` is used in
            /// error messages (e.g. `<stdin>`). Parquet is refused (needs seeking).
            pub fn from_reader(r: impl Read + Send + 'static, name: &str, format: Format, opts: &ReadOptions) -> Result<$name> {
                Reader::from_reader(Box::new(r), name, format, opts, $field).map($name)
            }

            /// Replaces `chunk`'s contents with the next documents, reusing its
            /// buffers. Returns `Ok(false)` when the input is exhausted.
            pub fn next_into(&mut self, chunk: &mut $chunk) -> Result<bool> {
                self.0.fill(Sink::$sink(chunk))
            }

            /// Documents read so far.
            pub fn docs_read(&self) -> u64 {
                self.0.next_doc
            }

            /// The field being read.
            pub fn field(&self) -> &str {
                &self.0.field
            }
        }

        impl Iterator for $name {
            type Item = Result<$chunk>;
            fn next(&mut self) -> Option<Self::Item> {
                let mut c = $chunk::default();
                match self.next_into(&mut c) {
                    Ok(true) => Some(Ok(c)),
                    Ok(false) => None,
                    Err(e) => Some(Err(e)),
                }
            }
        }
    };
}

chunk_reader!(
    /// Streams documents' tokens in chunks. Also an `Iterator` of owned chunks.
    ///
    /// An input without any document yields [`Error::Empty`] (once, then ends),
    /// so a pipeline never writes an empty output by accident.
    TokenReader, TokenChunk, Tokens, DEFAULT_TOKENS_FIELD
);

chunk_reader!(
    /// Streams documents' lengths from an integer column.
    LengthReader, LengthChunk, Lengths, DEFAULT_LENGTHS_FIELD
);

/// Reads every document of a token reader into one flat buffer.
/// O(total tokens); fails with [`Error::TooLarge`] past `u32::MAX` tokens.
pub fn read_all_tokens(mut reader: TokenReader) -> Result<Tokens> {
    let mut all = TokenChunk::default();
    let mut chunk = TokenChunk::default();
    while reader.next_into(&mut chunk)? {
        let base = all.tokens.len();
        if base + chunk.tokens.len() > u32::MAX as usize {
            return Err(Error::TooLarge {
                file: reader.0.file.clone(),
                detail: format!("more than {} tokens; use the streaming reader", u32::MAX),
            });
        }
        all.tokens.extend_from_slice(&chunk.tokens);
        all.offsets.extend(chunk.offsets[1..].iter().map(|&o| o + base as u32));
    }
    Ok(all)
}

/// Convenience: every document of `path` (format from `opts` or extension).
pub fn read_tokens(path: impl AsRef<Path>, opts: &ReadOptions) -> Result<Tokens> {
    // One chunk holding everything: no merge copy (the memory is kept
    // anyway). Parquet clamps its batch size to the file's row count.
    let mut o = opts.clone();
    if o.chunk_docs == 0 {
        o.chunk_docs = usize::MAX;
    }
    read_all_tokens(TokenReader::open(path, &o)?)
}

/// Convenience: every length of `path`.
pub fn read_lengths(path: impl AsRef<Path>, opts: &ReadOptions) -> Result<Vec<u32>> {
    let mut all = Vec::new();
    for c in LengthReader::open(path, opts)? {
        all.extend_from_slice(&c?.lengths);
    }
    Ok(all)
}
