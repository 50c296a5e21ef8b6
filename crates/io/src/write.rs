//! Packed-row writers: Parquet, Arrow IPC (file or stream) and JSONL.
//!
//! Columns (one record per packed row of `capacity` tokens):
//!
//! | column | type | content |
//! |---|---|---|
//! | `input_ids` | `fixed_size_list<int32>[capacity]` (or `list<int32>`) | tokens, padding = pad id |
//! | `labels` | same | labels as materialised by the packer |
//! | `position_ids` | same | positions, restarting at 0 per segment |
//! | `attention_mask` | `fixed_size_list<int8>[capacity]` (or `list<int8>`) | 1 on tokens, 0 on padding |
//! | `seq_lens` | `list<int32>` | length of each segment of the row, in row order |
//! | `doc_ids` | `list<int32>` | source document index of each segment |
//! | `doc_starts` | `list<int32>` | offset of each segment's first token inside its document |
//!
//! `doc_ids`/`doc_starts` are int32 rather than uint32 because PyTorch and
//! NumPy-based loaders handle int32 everywhere while uint32 support is
//! patchy; a document index or start beyond `i32::MAX` is
//! [`Error::TooLarge`]. List children are non-nullable (there are no
//! nulls), which lets Parquet skip definition levels for the leaves.
//!
//! Atomicity: a writer creates `.<name>.<random>.tmp` in the destination's
//! directory, appends to it, and renames it over the destination only in
//! [`RowWriter::finish`] (after an fsync when [`WriteOptions::sync`] is set). If any
//! write fails, or the writer is dropped without `finish`, the temporary file
//! is deleted, so a complete-looking output exists only when it is complete.

use crate::error::{display_path, Error, Result};
use crate::format::Format;
use arrow_array::{ArrayRef, FixedSizeListArray, Int32Array, Int8Array, ListArray, RecordBatch};
use arrow_buffer::{Buffer, OffsetBuffer, ScalarBuffer};
use arrow_schema::{DataType, Field, FieldRef, Schema, SchemaRef};
use parquet::arrow::ArrowWriter;
use parquet::basic::{Compression as PqCompression, Encoding, ZstdLevel};
use parquet::column::writer::{get_column_writer, ColumnCloseResult, ColumnWriter};
use parquet::file::properties::{EnabledStatistics, WriterProperties, WriterPropertiesPtr};
use parquet::file::writer::{SerializedFileWriter, SerializedPageWriter, TrackedWrite};
use seqpack_core::parallel::{machine_threads, Workers};
use parquet::schema::types::ColumnDescPtr;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use tempfile::NamedTempFile;

/// A borrowed view of packed rows, the layout of seqpack-core's `packRows`.
///
/// Invariants (checked by [`PackedRowsView::validate`], O(rows)):
/// `input_ids`, `labels`, `position_ids`, `attention_mask` each hold
/// `num_rows * capacity` values, row `r` being `[r * capacity, (r + 1) * capacity)`;
/// `row_segments` holds `num_rows + 1` non-decreasing offsets into the
/// three segment arrays (which have equal lengths); row `r`'s segments are
/// `row_segments[r]..row_segments[r + 1]`. `row_segments[0]` need not be 0,
/// so a view of a row range can borrow the whole segment arrays.
#[derive(Debug, Clone, Copy)]
pub struct PackedRowsView<'a> {
    pub capacity: u32,
    pub num_rows: usize,
    pub input_ids: &'a [i32],
    pub labels: &'a [i32],
    pub position_ids: &'a [i32],
    pub attention_mask: &'a [u8],
    pub row_segments: &'a [u32],
    pub segment_doc: &'a [u32],
    pub segment_start: &'a [u32],
    pub segment_length: &'a [u32],
}

impl<'a> PackedRowsView<'a> {
    pub fn validate(&self) -> Result<()> {
        let bad = |detail: String| Err(Error::InvalidRows { detail });
        if self.capacity == 0 {
            return bad("capacity is 0".into());
        }
        let cells = match self.num_rows.checked_mul(self.capacity as usize) {
            Some(c) => c,
            None => return bad("num_rows * capacity overflows".into()),
        };
        for (name, len) in [
            ("input_ids", self.input_ids.len()),
            ("labels", self.labels.len()),
            ("position_ids", self.position_ids.len()),
            ("attention_mask", self.attention_mask.len()),
        ] {
            if len != cells {
                return bad(format!("{name} has {len} values, expected num_rows * capacity = {} * {} = {cells}", self.num_rows, self.capacity));
            }
        }
        if self.row_segments.len() != self.num_rows + 1 {
            return bad(format!("row_segments has {} entries, expected num_rows + 1 = {}", self.row_segments.len(), self.num_rows + 1));
        }
        let nseg = self.segment_doc.len();
        if self.segment_start.len() != nseg || self.segment_length.len() != nseg {
            return bad(format!(
                "segment arrays differ in length (doc {}, start {}, length {})",
                nseg,
                self.segment_start.len(),
                self.segment_length.len()
            ));
        }
        for r in 0..self.num_rows {
            let (a, b) = (self.row_segments[r] as usize, self.row_segments[r + 1] as usize);
            if a > b || b > nseg {
                return bad(format!("row_segments[{r}..={}] = {a}..{b} is not a range of the {nseg} segments", r + 1));
            }
            let used: u64 = self.segment_length[a..b].iter().map(|&l| l as u64).sum();
            if used > self.capacity as u64 {
                return bad(format!("row {r} has segments totalling {used} tokens, over capacity {}", self.capacity));
            }
        }
        Ok(())
    }

    /// The rows `r0..r1` as a view (no copy).
    pub fn rows(&self, r0: usize, r1: usize) -> PackedRowsView<'a> {
        let c = self.capacity as usize;
        PackedRowsView {
            capacity: self.capacity,
            num_rows: r1 - r0,
            input_ids: &self.input_ids[r0 * c..r1 * c],
            labels: &self.labels[r0 * c..r1 * c],
            position_ids: &self.position_ids[r0 * c..r1 * c],
            attention_mask: &self.attention_mask[r0 * c..r1 * c],
            row_segments: &self.row_segments[r0..=r1],
            segment_doc: self.segment_doc,
            segment_start: self.segment_start,
            segment_length: self.segment_length,
        }
    }
}

/// Parquet compression codec. Ignored by the Arrow IPC and JSONL writers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Compression {
    /// zstd at the given level (1..=22); the default is level 1, where zstd
    /// still compresses token columns well and costs least time.
    Zstd(i32),
    Snappy,
    None,
}

impl Default for Compression {
    fn default() -> Self {
        Compression::Zstd(1)
    }
}

/// How the four per-token columns are typed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ListLayout {
    /// `fixed_size_list<T>[capacity]`: the shape is in the schema, so loaders
    /// (`datasets` → `Sequence(length=capacity)`) get a rectangular tensor.
    #[default]
    FixedSize,
    /// `list<T>` with every list of length `capacity`, for consumers that do
    /// not understand fixed-size lists.
    Variable,
}

/// Writer options. `Default` gives: format from the extension, zstd level 1,
/// 1024 rows per row group/batch, fixed-size lists, no fsync, no dictionary
/// encoding.
#[derive(Debug, Clone)]
pub struct WriteOptions {
    pub format: Option<Format>,
    pub compression: Compression,
    /// Rows per Parquet row group and per Arrow IPC batch (at 4096 tokens a
    /// row is ~52 KB uncompressed, so 1024 rows ≈ 53 MB buffered at most).
    pub row_group_rows: usize,
    pub layout: ListLayout,
    /// fsync the temporary file before the rename, so even an OS crash or
    /// power loss cannot leave a renamed but unwritten file. Off by default:
    /// the rename already guarantees that a process failure never leaves a
    /// complete-looking partial file, and an fsync of a multi-GB output can
    /// cost more than the whole encode (pyarrow and `datasets` do not sync).
    pub sync: bool,
    /// Dictionary-encode the Parquet `input_ids` and `labels` columns. Off by
    /// default: on real token ids (23.5M GPT-2 tokens of Python sources packed
    /// at 4096, zstd 1) the dictionary made the file larger (34.7 vs 30.4 MB:
    /// its 16-bit indices compress worse than zstd does on plain int32) and
    /// cost 0.4 s more CPU (a hash per token). It can win on other
    /// vocabularies or codecs, hence the option. `position_ids` and
    /// `attention_mask` are always delta-encoded, the segment lists keep
    /// the Parquet writer's default (dictionary).
    pub dictionary: bool,
}

impl Default for WriteOptions {
    fn default() -> Self {
        WriteOptions {
            format: None,
            compression: Compression::default(),
            row_group_rows: 1024,
            layout: ListLayout::FixedSize,
            sync: false,
            dictionary: false,
        }
    }
}

/// What [`RowWriter::finish`] reports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WriteSummary {
    pub path: PathBuf,
    pub format: Format,
    pub rows: u64,
    pub bytes: u64,
}

enum Sink {
    Parquet(Box<ParquetSink>),
    Ipc(arrow_ipc::writer::FileWriter<BufWriter<NamedTempFile>>),
    IpcStream(arrow_ipc::writer::StreamWriter<BufWriter<NamedTempFile>>),
    Jsonl(BufWriter<NamedTempFile>, Vec<u8>),
}

/// Incremental, atomic writer of packed rows. See the module docs.
pub struct RowWriter {
    path: PathBuf,
    file: String,
    format: Format,
    capacity: u32,
    opts: WriteOptions,
    schema: SchemaRef,
    /// `None` once finished or after a failed write (the temp file is then
    /// already deleted).
    sink: Option<Sink>,
    rows: u64,
}

fn list_field(t: DataType) -> FieldRef {
    Arc::new(Field::new("item", t, false))
}

/// The output schema for `capacity` and `layout`.
pub fn rows_schema(capacity: u32, layout: ListLayout) -> SchemaRef {
    let tok = |t: DataType| match layout {
        ListLayout::FixedSize => DataType::FixedSizeList(list_field(t), capacity as i32),
        ListLayout::Variable => DataType::List(list_field(t)),
    };
    let seg = || DataType::List(list_field(DataType::Int32));
    Arc::new(Schema::new(vec![
        Field::new("input_ids", tok(DataType::Int32), false),
        Field::new("labels", tok(DataType::Int32), false),
        Field::new("position_ids", tok(DataType::Int32), false),
        Field::new("attention_mask", tok(DataType::Int8), false),
        Field::new("seq_lens", seg(), false),
        Field::new("doc_ids", seg(), false),
        Field::new("doc_starts", seg(), false),
    ]))
}

impl RowWriter {
    /// Creates the temporary file next to `path` and the format's writer.
    /// Fails with [`Error::NotFound`] when the directory does not exist.
    pub fn create(path: impl AsRef<Path>, capacity: u32, opts: &WriteOptions) -> Result<RowWriter> {
        let path = path.as_ref().to_path_buf();
        let file = display_path(&path);
        if capacity == 0 || capacity > i32::MAX as u32 {
            return Err(Error::InvalidOption { detail: format!("capacity {capacity} must be in 1..=2147483647") });
        }
        if opts.row_group_rows == 0 {
            return Err(Error::InvalidOption { detail: "row_group_rows must be at least 1".into() });
        }
        if let Compression::Zstd(l) = opts.compression {
            ZstdLevel::try_new(l).map_err(|e| Error::InvalidOption { detail: format!("zstd level {l}: {e}") })?;
        }
        let format = match opts.format {
            Some(f) => f,
            None => Format::from_path(&path)?,
        };
        let dir = match path.parent() {
            Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
            _ => PathBuf::from("."),
        };
        let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| "out".into());
        let tmp = tempfile::Builder::new()
            .prefix(&format!(".{name}."))
            .suffix(".tmp")
            .tempfile_in(&dir)
            .map_err(|e| Error::io(&file, e))?;
        let schema = rows_schema(capacity, opts.layout);
        let sink = match format {
            Format::Parquet => {
                let compression = match opts.compression {
                    Compression::Zstd(l) => PqCompression::ZSTD(ZstdLevel::try_new(l).unwrap()),
                    Compression::Snappy => PqCompression::SNAPPY,
                    Compression::None => PqCompression::UNCOMPRESSED,
                };
                // Leaf paths as the Arrow writer will name them (e.g.
                // `input_ids.list.item`), taken from its own schema mapping.
                let descr = parquet::arrow::ArrowSchemaConverter::new()
                    .convert(&schema)
                    .map_err(|e| Error::InvalidOption { detail: format!("schema: {e}") })?;
                // Chosen by measurement on 23.5M real GPT-2 tokens packed at
                // 4096 (zstd 1; CPU time of the whole encode): see
                // [`WriteOptions::dictionary`] and docs/io.md.
                let mut props = WriterProperties::builder()
                    .set_compression(compression)
                    .set_max_row_group_size(opts.row_group_rows)
                    // Values go to the encoder in runs of 8192 (not 1024):
                    // fewer per-batch passes over levels and page checks.
                    .set_write_batch_size(8192)
                    .set_statistics_enabled(EnabledStatistics::Chunk);
                for c in descr.columns() {
                    let path = c.path().clone();
                    match c.path().parts()[0].as_str() {
                        "input_ids" | "labels" => {
                            props = props.set_column_dictionary_enabled(path.clone(), opts.dictionary);
                        }
                        // Runs (0, 1, 2, ... and 1, 1, ..., 0, 0) are nearly
                        // free as deltas (bit width 0 inside a run), and skip
                        // the dictionary's hash per value.
                        "position_ids" | "attention_mask" => {
                            props = props.set_column_dictionary_enabled(path.clone(), false).set_column_encoding(path.clone(), Encoding::DELTA_BINARY_PACKED);
                        }
                        _ => continue,
                    }
                    // No min/max or level histograms on the per-token
                    // columns: no reader prunes on them, and they cost a
                    // pass per value (a fifth of the encode).
                    props = props.set_column_statistics_enabled(path, EnabledStatistics::None);
                }
                let props = props.build();
                // The ArrowWriter only sets up the file (schema, the embedded
                // Arrow schema, properties); row groups are then encoded by
                // [`ParquetSink`] with one column per thread.
                let w = ArrowWriter::try_new(tmp, schema.clone(), Some(props)).map_err(|e| Error::Corrupt { file: file.clone(), row: None, detail: e.to_string() })?;
                let (writer, _) = w.into_serialized_writer().map_err(|e| parquet_write_err(&file, e))?;
                Sink::Parquet(Box::new(ParquetSink::new(writer, opts.row_group_rows)))
            }
            Format::Arrow => Sink::Ipc(
                arrow_ipc::writer::FileWriter::try_new(BufWriter::with_capacity(1 << 20, tmp), &schema).map_err(|e| arrow_write_err(&file, e))?,
            ),
            Format::ArrowStream => Sink::IpcStream(
                arrow_ipc::writer::StreamWriter::try_new(BufWriter::with_capacity(1 << 20, tmp), &schema).map_err(|e| arrow_write_err(&file, e))?,
            ),
            Format::Jsonl => Sink::Jsonl(BufWriter::with_capacity(1 << 20, tmp), Vec::with_capacity(1 << 16)),
        };
        Ok(RowWriter { path, file, format, capacity, opts: opts.clone(), schema, sink: Some(sink), rows: 0 })
    }

    pub fn schema(&self) -> &SchemaRef {
        &self.schema
    }

    pub fn rows_written(&self) -> u64 {
        self.rows
    }

    /// Appends the rows of `view` (validated first). O(cells): the view is
    /// copied once into Arrow buffers (it is borrowed, Arrow needs owned
    /// buffers), then encoded. On error the temporary file is deleted and
    /// every later call fails.
    pub fn write(&mut self, view: &PackedRowsView) -> Result<()> {
        let r = self.write_inner(view);
        if r.is_err() {
            self.sink = None; // drops the writer and deletes the temp file
        }
        r
    }

    fn write_inner(&mut self, view: &PackedRowsView) -> Result<()> {
        if self.sink.is_none() {
            return Err(Error::InvalidOption { detail: format!("{}: writer already finished or failed", self.file) });
        }
        view.validate()?;
        if view.capacity != self.capacity {
            return Err(Error::InvalidRows { detail: format!("rows have capacity {}, the writer was created for {}", view.capacity, self.capacity) });
        }
        let step = self.opts.row_group_rows;
        let file = self.file.clone();
        match self.sink.as_mut().unwrap() {
            Sink::Parquet(w) => {
                w.write(&file, view)?;
                self.rows += view.num_rows as u64;
            }
            sink => {
                let mut r0 = 0;
                while r0 < view.num_rows {
                    let r1 = (r0 + step).min(view.num_rows);
                    let part = view.rows(r0, r1);
                    match sink {
                        Sink::Jsonl(w, line) => write_jsonl(w, line, &part).map_err(|e| Error::io(&file, e))?,
                        Sink::Ipc(w) => w.write(&to_batch(&self.schema, self.opts.layout, &part, &file)?).map_err(|e| arrow_write_err(&file, e))?,
                        Sink::IpcStream(w) => w.write(&to_batch(&self.schema, self.opts.layout, &part, &file)?).map_err(|e| arrow_write_err(&file, e))?,
                        Sink::Parquet(_) => unreachable!(),
                    }
                    self.rows += (r1 - r0) as u64;
                    r0 = r1;
                }
            }
        }
        Ok(())
    }

    /// Completes the file and renames it into place. An output with no rows is
    /// refused ([`Error::Empty`]) and nothing is left behind.
    pub fn finish(mut self) -> Result<WriteSummary> {
        let sink = self.sink.take().ok_or_else(|| Error::InvalidOption { detail: format!("{}: writer already failed", self.file) })?;
        if self.rows == 0 {
            return Err(Error::Empty { file: self.file.clone() });
        }
        let file = self.file.clone();
        let tmp: NamedTempFile = match sink {
            Sink::Parquet(mut w) => {
                w.flush(&file)?;
                w.writer.into_inner().map_err(|e| parquet_write_err(&file, e))?
            }
            Sink::Ipc(mut w) => {
                w.finish().map_err(|e| arrow_write_err(&file, e))?;
                w.into_inner().map_err(|e| arrow_write_err(&file, e))?.into_inner().map_err(|e| Error::io(&file, e.into_error()))?
            }
            Sink::IpcStream(mut w) => {
                w.finish().map_err(|e| arrow_write_err(&file, e))?;
                w.into_inner().map_err(|e| arrow_write_err(&file, e))?.into_inner().map_err(|e| Error::io(&file, e.into_error()))?
            }
            Sink::Jsonl(w, _) => w.into_inner().map_err(|e| Error::io(&file, e.into_error()))?,
        };
        if self.opts.sync {
            tmp.as_file().sync_all().map_err(|e| Error::io(&file, e))?;
        }
        let bytes = tmp.as_file().metadata().map(|m| m.len()).map_err(|e| Error::io(&file, e))?;
        // The temporary file was created 0600; the output gets the usual
        // permissions of a new file (0666 less the umask, as `open` gives).
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = 0o666 & !current_umask();
            std::fs::set_permissions(tmp.path(), std::fs::Permissions::from_mode(mode)).map_err(|e| Error::io(&file, e))?;
        }
        tmp.persist(&self.path).map_err(|e| Error::io(&file, e.error))?;
        Ok(WriteSummary { path: self.path.clone(), format: self.format, rows: self.rows, bytes })
    }
}

/// The process umask, read from the mode a probe file gets (the libc call
/// would need a dependency; `umask(2)` also cannot be read without setting it).
#[cfg(unix)]
fn current_umask() -> u32 {
    use std::os::unix::fs::PermissionsExt;
    static UMASK: std::sync::OnceLock<u32> = std::sync::OnceLock::new();
    *UMASK.get_or_init(|| {
        let dir = std::env::temp_dir();
        let probe = dir.join(format!(".seqpack-umask-{}", std::process::id()));
        let mode = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&probe)
            .and_then(|f| f.metadata())
            .map(|m| m.permissions().mode() & 0o777);
        let _ = std::fs::remove_file(&probe);
        match mode {
            Ok(m) => 0o666 & !m,
            Err(_) => 0o022,
        }
    })
}

/// The Parquet sink's partial row group, copied, carried from one `write` to
/// the next: the per-token columns (ids, labels, positions; mask) and the
/// segment arrays (length, document, start) with per-row offsets from 0.
#[derive(Default)]
struct Pending {
    capacity: u32,
    num_rows: usize,
    tokens: [Vec<i32>; 3],
    mask: Vec<u8>,
    row_segments: Vec<u32>,
    segments: [Vec<u32>; 3],
}

impl Pending {
    /// O(cells of `v`); segment offsets are rebased onto the copied arrays.
    fn append(&mut self, v: &PackedRowsView) {
        self.capacity = v.capacity;
        if self.row_segments.is_empty() {
            self.row_segments.push(0);
        }
        for (dst, src) in self.tokens.iter_mut().zip([v.input_ids, v.labels, v.position_ids]) {
            dst.extend_from_slice(src);
        }
        self.mask.extend_from_slice(v.attention_mask);
        let (s0, s1) = (v.row_segments[0], v.row_segments[v.num_rows]);
        let base = self.segments[0].len() as u32;
        self.row_segments.extend(v.row_segments[1..].iter().map(|&o| o - s0 + base));
        for (dst, src) in self.segments.iter_mut().zip([v.segment_length, v.segment_doc, v.segment_start]) {
            dst.extend_from_slice(&src[s0 as usize..s1 as usize]);
        }
        self.num_rows += v.num_rows;
    }

    fn view(&self) -> PackedRowsView<'_> {
        let [input_ids, labels, position_ids] = &self.tokens;
        let [segment_length, segment_doc, segment_start] = &self.segments;
        PackedRowsView {
            capacity: self.capacity,
            num_rows: self.num_rows,
            input_ids,
            labels,
            position_ids,
            attention_mask: &self.mask,
            row_segments: &self.row_segments,
            segment_doc,
            segment_start,
            segment_length,
        }
    }
}

/// One row group's segment lists as int32 values with their levels.
struct SegmentLists {
    /// Definition levels: 1 per value, 0 for a row without segments.
    def: Vec<i16>,
    /// Repetition levels: 0 on a row's first level, 1 on the others.
    rep: Vec<i16>,
    /// `seq_lens`, `doc_ids`, `doc_starts` values.
    values: [Vec<i32>; 3],
}

impl SegmentLists {
    /// O(segments). The values must fit int32 ([`check_segments`]).
    fn new(view: &PackedRowsView) -> SegmentLists {
        let (s0, s1) = (view.row_segments[0] as usize, view.row_segments[view.num_rows] as usize);
        let mut def = Vec::with_capacity(s1 - s0 + view.num_rows);
        let mut rep = Vec::with_capacity(s1 - s0 + view.num_rows);
        for r in 0..view.num_rows {
            let n = (view.row_segments[r + 1] - view.row_segments[r]) as usize;
            rep.push(0);
            def.push(i16::from(n > 0));
            if n > 1 {
                rep.extend(std::iter::repeat_n(1, n - 1));
                def.extend(std::iter::repeat_n(1, n - 1));
            }
        }
        let conv = |src: &[u32]| src[s0..s1].iter().map(|&v| v as i32).collect();
        SegmentLists { def, rep, values: [conv(view.segment_length), conv(view.segment_doc), conv(view.segment_start)] }
    }
}

/// Fails with [`Error::TooLarge`] on a segment value over `i32::MAX`, naming
/// the segment's index in `view`'s segment arrays. O(segments).
fn check_segments(file: &str, view: &PackedRowsView) -> Result<()> {
    let (s0, s1) = (view.row_segments[0] as usize, view.row_segments[view.num_rows] as usize);
    for (what, src) in [("length", view.segment_length), ("document index", view.segment_doc), ("start", view.segment_start)] {
        if let Some(k) = src[s0..s1].iter().position(|&v| v > i32::MAX as u32) {
            return Err(Error::TooLarge {
                file: file.to_string(),
                detail: format!("{what} of segment {} is {}, over the int32 column range", s0 + k, src[s0 + k]),
            });
        }
    }
    Ok(())
}

/// An encoded column chunk: its bytes (page headers and pages, offsets
/// relative to the start) and the metadata `append_column` relocates.
type Chunk = (bytes::Bytes, ColumnCloseResult);

/// Encodes one column chunk of int32 values with the given levels into memory.
fn encode_chunk(descr: &ColumnDescPtr, props: &WriterPropertiesPtr, values: &[i32], def: &[i16], rep: &[i16], size_hint: usize) -> parquet::errors::Result<Chunk> {
    let mut sink = TrackedWrite::new(Vec::with_capacity(size_hint));
    let close = {
        let mut w = get_column_writer(descr.clone(), props.clone(), Box::new(SerializedPageWriter::new(&mut sink)));
        match &mut w {
            ColumnWriter::Int32ColumnWriter(t) => {
                t.write_batch(values, Some(def), Some(rep))?;
            }
            _ => return Err(parquet::errors::ParquetError::General(format!("column {} is not int32", descr.path()))),
        }
        w.close()?
    };
    Ok((bytes::Bytes::from(sink.into_inner()?), close))
}

/// Parquet output encoded straight from the borrowed rows, column chunks in
/// parallel.
///
/// Why not arrow-rs's `ArrowWriter`: it needs owned Arrow arrays (a copy of
/// every cell), derives definition/repetition levels and a per-value index of
/// non-null slots (8 bytes per cell) from them, gathers values through that
/// index, and encodes the columns of a row group one after another on the
/// calling thread. Here the levels of the per-token columns are the same for
/// every full row group (every list has `capacity` values: definition 1
/// everywhere, repetition 0 at each row start and 1 elsewhere), so they are
/// built once and shared; values are passed as the contiguous slices they
/// already are; and all (row group, column) chunks of up to [`parallelism`]
/// row groups are encoded into memory on scoped threads pulling jobs largest
/// first, then appended in row-group and schema order, so the file does not
/// depend on the thread count. The file's schema and embedded Arrow schema
/// come from `ArrowWriter`'s own setup, so readers see the same types.
///
/// A write that ends inside a row group leaves those rows pending (copied);
/// the next write or the finish completes the group, so every row group but
/// the last has exactly `row_group_rows` rows, however the writes are sized.
/// Memory: the shared levels (4 bytes per cell of one row group), the
/// encoded chunks of the row groups in flight, and the pending rows.
struct ParquetSink {
    writer: SerializedFileWriter<NamedTempFile>,
    props: WriterPropertiesPtr,
    leaves: Vec<ColumnDescPtr>,
    step: usize,
    /// Levels of `tok_rep.len() / capacity` full-length lists (grown on demand).
    tok_def: Vec<i16>,
    tok_rep: Vec<i16>,
    pending: Pending,
}

impl ParquetSink {
    fn new(writer: SerializedFileWriter<NamedTempFile>, step: usize) -> ParquetSink {
        let props = writer.properties().clone();
        let leaves = writer.schema_descr().columns().to_vec();
        ParquetSink { writer, props, leaves, step, tok_def: Vec::new(), tok_rep: Vec::new(), pending: Pending::default() }
    }

    /// Writes the full row groups of `view` (topping up the pending rows
    /// first) and keeps a trailing partial group pending.
    fn write(&mut self, file: &str, view: &PackedRowsView) -> Result<()> {
        check_segments(file, view)?;
        let mut r0 = 0;
        if self.pending.num_rows > 0 {
            r0 = (self.step - self.pending.num_rows).min(view.num_rows);
            self.pending.append(&view.rows(0, r0));
            if self.pending.num_rows < self.step {
                return Ok(());
            }
            let p = std::mem::take(&mut self.pending);
            self.encode(file, &[p.view()])?;
        }
        let group = machine_threads();
        while view.num_rows - r0 >= self.step {
            let mut parts = Vec::with_capacity(group);
            while parts.len() < group && view.num_rows - r0 >= self.step {
                parts.push(view.rows(r0, r0 + self.step));
                r0 += self.step;
            }
            self.encode(file, &parts)?;
        }
        if r0 < view.num_rows {
            self.pending.append(&view.rows(r0, view.num_rows));
        }
        Ok(())
    }

    fn flush(&mut self, file: &str) -> Result<()> {
        if self.pending.num_rows == 0 {
            return Ok(());
        }
        let p = std::mem::take(&mut self.pending);
        self.encode(file, &[p.view()])
    }

    /// Encodes `groups` as consecutive row groups: every (column, group)
    /// chunk is one job on the core's worker pool (the caller works too), the
    /// per-token columns first since they are the largest; the chunks are
    /// then appended in file order on this thread.
    fn encode(&mut self, file: &str, groups: &[PackedRowsView]) -> Result<()> {
        let cap = groups[0].capacity as usize;
        let cells = groups.iter().map(|g| g.num_rows).max().unwrap_or(0) * cap;
        if self.tok_rep.len() < cells {
            self.tok_def = vec![1; cells];
            self.tok_rep = (0..cells).map(|k| i16::from(k % cap != 0)).collect();
        }
        let segs: Vec<SegmentLists> = groups.iter().map(SegmentLists::new).collect();
        let cols = self.leaves.len();
        let ng = groups.len();
        // Job k is column k / ng of group k % ng.
        let jobs: Vec<std::ops::Range<usize>> = (0..cols * ng).map(|k| k..k + 1).collect();
        let (props, leaves, tok_def, tok_rep) = (&self.props, &self.leaves, &self.tok_def, &self.tok_rep);
        let workers = Workers::new(machine_threads());
        let mut results: Vec<Option<parquet::errors::Result<Chunk>>> = workers
            .map(&jobs, |k, _| {
                let (c, g) = (k / ng, k % ng);
                let v = &groups[g];
                let n = v.num_rows * cap;
                let (def, rep) = (&tok_def[..n], &tok_rep[..n]);
                let hint = n; // about a byte per cell once compressed, at most
                Some(match c {
                    0 => encode_chunk(&leaves[c], props, v.input_ids, def, rep, hint),
                    1 => encode_chunk(&leaves[c], props, v.labels, def, rep, hint),
                    2 => encode_chunk(&leaves[c], props, v.position_ids, def, rep, hint),
                    3 => {
                        let mask: Vec<i32> = v.attention_mask.iter().map(|&m| i32::from(m)).collect();
                        encode_chunk(&leaves[c], props, &mask, def, rep, hint / 16)
                    }
                    _ => {
                        let s = &segs[g];
                        encode_chunk(&leaves[c], props, &s.values[c - 4], &s.def, &s.rep, s.def.len() * 4)
                    }
                })
            });
        let err = |e| parquet_write_err(file, e);
        for g in 0..ng {
            let mut rg = self.writer.next_row_group().map_err(err)?;
            for c in 0..cols {
                let (bytes, close) = results[c * ng + g].take().expect("every chunk encoded once").map_err(err)?;
                rg.append_column(&bytes, close).map_err(err)?;
            }
            rg.close().map_err(err)?;
        }
        Ok(())
    }
}

fn arrow_write_err(file: &str, e: arrow_schema::ArrowError) -> Error {
    match e {
        arrow_schema::ArrowError::IoError(_, io) => Error::io(file, io),
        other => Error::Corrupt { file: file.to_string(), row: None, detail: format!("while writing: {other}") },
    }
}

fn parquet_write_err(file: &str, e: parquet::errors::ParquetError) -> Error {
    match e {
        parquet::errors::ParquetError::External(inner) => match inner.downcast::<std::io::Error>() {
            Ok(io) => Error::io(file, *io),
            Err(other) => Error::Corrupt { file: file.to_string(), row: None, detail: format!("while writing: {other}") },
        },
        other => Error::Corrupt { file: file.to_string(), row: None, detail: format!("while writing: {other}") },
    }
}

/// Writes `view` to a new file in one go (create, write, finish).
pub fn write_rows(path: impl AsRef<Path>, view: &PackedRowsView, opts: &WriteOptions) -> Result<WriteSummary> {
    let mut w = RowWriter::create(path, view.capacity, opts)?;
    w.write(view)?;
    w.finish()
}

fn i32_values(v: &[i32]) -> Int32Array {
    Int32Array::new(ScalarBuffer::from(Buffer::from_slice_ref(v)), None)
}

fn tok_column(layout: ListLayout, cap: u32, rows: usize, t: DataType, values: ArrayRef) -> ArrayRef {
    let f = list_field(t);
    match layout {
        ListLayout::FixedSize => Arc::new(FixedSizeListArray::new(f, cap as i32, values, None)),
        ListLayout::Variable => {
            let offsets = OffsetBuffer::from_lengths(std::iter::repeat_n(cap as usize, rows));
            Arc::new(ListArray::new(f, offsets, values, None))
        }
    }
}

/// A segment list column; the values must fit int32 ([`check_segments`]).
fn seg_column(view: &PackedRowsView, src: &[u32]) -> ArrayRef {
    let base = view.row_segments[0];
    let (s0, s1) = (base as usize, view.row_segments[view.num_rows] as usize);
    let vals: Vec<i32> = src[s0..s1].iter().map(|&v| v as i32).collect();
    let offsets: Vec<i32> = view.row_segments.iter().map(|&o| (o - base) as i32).collect();
    Arc::new(ListArray::new(
        list_field(DataType::Int32),
        OffsetBuffer::new(ScalarBuffer::from(offsets)),
        Arc::new(Int32Array::from(vals)),
        None,
    ))
}

fn to_batch(schema: &SchemaRef, layout: ListLayout, view: &PackedRowsView, file: &str) -> Result<RecordBatch> {
    check_segments(file, view)?;
    let (cap, n) = (view.capacity, view.num_rows);
    let mask = Int8Array::new(ScalarBuffer::new(Buffer::from_slice_ref(view.attention_mask), 0, view.attention_mask.len()), None);
    let cols: Vec<ArrayRef> = vec![
        tok_column(layout, cap, n, DataType::Int32, Arc::new(i32_values(view.input_ids))),
        tok_column(layout, cap, n, DataType::Int32, Arc::new(i32_values(view.labels))),
        tok_column(layout, cap, n, DataType::Int32, Arc::new(i32_values(view.position_ids))),
        tok_column(layout, cap, n, DataType::Int8, Arc::new(mask)),
        seg_column(view, view.segment_length),
        seg_column(view, view.segment_doc),
        seg_column(view, view.segment_start),
    ];
    RecordBatch::try_new(schema.clone(), cols).map_err(|e| Error::InvalidRows { detail: e.to_string() })
}

/// Appends `"key":[v,...]`, preceded by a comma unless it is the first
/// member of the object `line` holds.
fn push_list<T: itoa::Integer + Copy>(line: &mut Vec<u8>, key: &str, vals: &[T]) {
    let mut buf = itoa::Buffer::new();
    if line.last() != Some(&b'{') {
        line.push(b',');
    }
    line.push(b'"');
    line.extend_from_slice(key.as_bytes());
    line.extend_from_slice(b"\":[");
    let mut first = true;
    for &v in vals {
        if !first {
            line.push(b',');
        }
        first = false;
        line.extend_from_slice(buf.format(v).as_bytes());
    }
    line.push(b']');
}

/// One JSON object per row: the per-token columns over the row's cells,
/// then the per-segment columns over its segments, in the schema's order.
fn write_jsonl(w: &mut impl Write, line: &mut Vec<u8>, view: &PackedRowsView) -> std::io::Result<()> {
    let c = view.capacity as usize;
    for r in 0..view.num_rows {
        let cells = r * c..(r + 1) * c;
        let segs = view.row_segments[r] as usize..view.row_segments[r + 1] as usize;
        line.clear();
        line.push(b'{');
        for (key, col) in [("input_ids", view.input_ids), ("labels", view.labels), ("position_ids", view.position_ids)] {
            push_list(line, key, &col[cells.clone()]);
        }
        push_list(line, "attention_mask", &view.attention_mask[cells]);
        for (key, col) in [("seq_lens", view.segment_length), ("doc_ids", view.segment_doc), ("doc_starts", view.segment_start)] {
            push_list(line, key, &col[segs.clone()]);
        }
        line.extend_from_slice(b"}\n");
        w.write_all(line)?;
    }
    Ok(())
}
