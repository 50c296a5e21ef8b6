//! Dataset files as JavaScript sees them: thin conversions around
//! `seqpack-io` (readers, writers) plus one native pack job (read -> pack
//! rows -> write) whose progress JS polls, so a CLI's main thread only
//! draws the progress bar.

use crate::convert::{self, NativeOptions, NativeRowsOptions, NativeStrategyOptions};
use crate::errors::{guard, Failure};
use crate::output::{js_array, metrics_array, v8};
use crate::{CancelToken, Work};
use napi::bindgen_prelude::*;
use napi_derive::napi;
use seqpack_core::rows::{Docs, Overflow, PackedRows, RowsOptions};
use seqpack_core::{self as core, ErrorKind, OptionName, PackError};
use seqpack_io as io;
use std::io::Read;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Instant;

/// Where to read tokens from and how.
#[napi(object)]
#[derive(Default, Clone)]
pub struct NativeReadOptions {
    /// Column / key holding the token list (default `input_ids`).
    pub field: Option<String>,
    /// `jsonl`, `parquet`, `arrow`, `arrow-stream`; default from the extension.
    pub format: Option<String>,
    /// Documents per chunk of a streaming reader.
    pub chunk_docs: Option<f64>,
}

/// An IO option the core does not know (the core knows no files).
fn bad_option(name: &str, value: String, want: &str) -> PackError {
    PackError::new(ErrorKind::InvalidOption, format!("option `{name}` is {value}: {want}")).value(&value)
}

/// A positive integer IO option.
fn int_option(name: &str, v: f64, max: f64) -> core::Result<u64> {
    if v.is_finite() && v == v.trunc() && v >= 1.0 && v <= max {
        Ok(v as u64)
    } else {
        Err(bad_option(name, crate::convert::js_number(v), &format!("it must be an integer in 1..={max}")))
    }
}

fn format_of(name: &Option<String>) -> core::Result<Option<io::Format>> {
    match name {
        None => Ok(None),
        Some(n) => io::Format::from_name(n)
            .map(Some)
            .ok_or_else(|| bad_option("format", format!("{n:?}"), "it must be 'jsonl', 'parquet', 'arrow' or 'arrow-stream'")),
    }
}

impl NativeReadOptions {
    fn read_options(&self) -> core::Result<io::ReadOptions> {
        let mut o = io::ReadOptions::default();
        if let Some(f) = &self.field {
            o = o.with_field(f.clone());
        }
        if let Some(f) = format_of(&self.format)? {
            o = o.with_format(f);
        }
        if let Some(n) = self.chunk_docs {
            o = o.with_chunk_docs(int_option("chunkDocs", n, 1e9)? as usize);
        }
        Ok(o)
    }
}

/// Every document of a file as flat tokens + offsets.
#[napi(object, object_from_js = false)]
pub struct NativeTokens {
    /// Index of the first document (0 for a whole file).
    pub first_doc: f64,
    pub tokens: v8::Int32Array,
    pub offsets: v8::Uint32Array,
}

impl From<io::TokenChunk> for NativeTokens {
    fn from(c: io::TokenChunk) -> Self {
        NativeTokens {
            first_doc: c.first_doc as f64,
            tokens: js_array(c.tokens),
            offsets: js_array(c.offsets),
        }
    }
}

/// Reads every document's tokens (`-` reads JSONL from stdin).
#[napi(js_name = "readTokens")]
pub fn read_tokens(env: Env, path: String, options: Option<NativeReadOptions>) -> Result<NativeTokens> {
    guard(&env, || {
        let opts = options.unwrap_or_default().read_options()?;
        let mut o = opts.clone();
        o.chunk_docs = usize::MAX;
        Ok(io::read_all_tokens(open_tokens(&path, &o)?)?.into())
    })
}

/// Reads a lengths column (or the lengths of a token-list column when `tokens` is set).
#[napi(js_name = "readLengths")]
pub fn read_lengths(
    env: Env,
    path: String,
    options: Option<NativeReadOptions>,
    from_tokens: Option<bool>,
) -> Result<v8::Uint32Array> {
    guard(&env, || {
        let opts = options.unwrap_or_default().read_options()?;
        let mut out = Vec::new();
        if from_tokens.unwrap_or(false) {
            let mut r = open_tokens(&path, &opts)?;
            let mut c = io::TokenChunk::default();
            while r.next_into(&mut c)? {
                out.extend(c.offsets.windows(2).map(|w| w[1] - w[0]));
            }
        } else {
            let mut r = io::LengthReader::open(&path, &opts)?;
            let mut c = io::LengthChunk::default();
            while r.next_into(&mut c)? {
                out.extend_from_slice(&c.lengths);
            }
        }
        Ok(js_array(out))
    })
}

/// Counts bytes pulled through it (progress of a JSONL file read).
struct Counting<R> {
    inner: R,
    bytes: Arc<AtomicU64>,
}

impl<R: Read> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.bytes.fetch_add(n as u64, Ordering::Relaxed);
        Ok(n)
    }
}

/// Opens `path` (`-` is JSONL on stdin) for tokens; `bytes` counts the bytes
/// read for JSONL inputs (the others report documents only).
fn open_counted(path: &str, opts: &io::ReadOptions, bytes: Arc<AtomicU64>) -> io::Result<io::TokenReader> {
    if path == "-" {
        let fmt = opts.format.unwrap_or(io::Format::Jsonl);
        let r = Counting { inner: std::io::stdin(), bytes };
        return io::TokenReader::from_reader(r, "<stdin>", fmt, opts);
    }
    let fmt = match opts.format {
        Some(f) => f,
        None => io::Format::from_path(std::path::Path::new(path))?,
    };
    if fmt == io::Format::Jsonl {
        let f = std::fs::File::open(path).map_err(|e| io::Error::io(path, e))?;
        let r = Counting { inner: f, bytes };
        return io::TokenReader::from_reader(r, path, fmt, opts);
    }
    io::TokenReader::open(path, opts)
}

fn open_tokens(path: &str, opts: &io::ReadOptions) -> io::Result<io::TokenReader> {
    open_counted(path, opts, Arc::new(AtomicU64::new(0)))
}

/// A streaming token reader: `next()` returns the next chunk of documents,
/// or `null` at the end. Memory: one chunk.
#[napi]
pub struct NativeTokenReader {
    reader: Option<io::TokenReader>,
}

#[napi]
impl NativeTokenReader {
    #[napi(constructor)]
    pub fn new(env: Env, path: String, options: Option<NativeReadOptions>) -> Result<Self> {
        guard(&env, || {
            let opts = options.unwrap_or_default().read_options()?;
            Ok(NativeTokenReader { reader: Some(open_tokens(&path, &opts)?) })
        })
    }

    #[napi]
    pub fn next(&mut self, env: Env) -> Result<Option<NativeTokens>> {
        guard(&env, || {
            let Some(r) = self.reader.as_mut() else { return Ok(None) };
            let mut c = io::TokenChunk::default();
            match r.next_into(&mut c) {
                Ok(true) => Ok(Some(c.into())),
                Ok(false) => {
                    self.reader = None;
                    Ok(None)
                }
                Err(e) => {
                    self.reader = None;
                    Err(e.into())
                }
            }
        })
    }

    /// Documents read so far.
    #[napi(getter, js_name = "docsRead")]
    pub fn docs_read(&self) -> f64 {
        self.reader.as_ref().map(|r| r.docs_read() as f64).unwrap_or(f64::NAN)
    }
}

/// Writer options (`format` from the extension when absent).
#[napi(object)]
#[derive(Default, Clone)]
pub struct NativeWriteOptions {
    pub format: Option<String>,
    /// `zstd` (default), `snappy` or `none` (Parquet only).
    pub compression: Option<String>,
    /// zstd level, 1..=22 (default 1).
    pub compression_level: Option<f64>,
    pub row_group_rows: Option<f64>,
    /// `fixed` (default) or `variable` lists for the per-token columns.
    pub layout: Option<String>,
    /// Dictionary-encode the Parquet `input_ids` and `labels` columns (default off).
    pub dictionary: Option<bool>,
}

impl NativeWriteOptions {
    fn write_options(&self) -> core::Result<io::WriteOptions> {
        let mut o = io::WriteOptions { format: format_of(&self.format)?, ..Default::default() };
        let level = self
            .compression_level
            .map(|l| int_option("compressionLevel", l, 22.0))
            .transpose()?
            .map(|l| l as i32);
        o.compression = match self.compression.as_deref() {
            None | Some("zstd") => io::Compression::Zstd(level.unwrap_or(1)),
            Some("snappy") => io::Compression::Snappy,
            Some("none") => io::Compression::None,
            Some(c) => {
                return Err(bad_option("compression", format!("{c:?}"), "it must be 'zstd', 'snappy' or 'none'"))
            }
        };
        if let Some(d) = self.dictionary {
            o.dictionary = d;
        }
        if let Some(n) = self.row_group_rows {
            o.row_group_rows = int_option("rowGroupRows", n, 1e9)? as usize;
        }
        o.layout = match self.layout.as_deref() {
            None | Some("fixed") => io::ListLayout::FixedSize,
            Some("variable") => io::ListLayout::Variable,
            Some(l) => {
                return Err(bad_option("layout", format!("{l:?}"), "it must be 'fixed' or 'variable'"))
            }
        };
        Ok(o)
    }
}

/// Packed rows as `writeRows` takes them (the fields of `packRows`' result).
#[napi(object)]
pub struct NativeRowsInput {
    pub capacity: u32,
    pub num_rows: f64,
    pub input_ids: Int32Array,
    pub labels: Int32Array,
    pub position_ids: Int32Array,
    pub attention_mask: Uint8Array,
    pub row_segments: Uint32Array,
    pub segment_doc: Uint32Array,
    pub segment_start: Uint32Array,
    pub segment_length: Uint32Array,
}

/// What a write produced.
#[napi(object)]
pub struct NativeWriteSummary {
    pub path: String,
    pub format: String,
    pub rows: f64,
    pub bytes: f64,
}

impl From<io::WriteSummary> for NativeWriteSummary {
    fn from(s: io::WriteSummary) -> Self {
        NativeWriteSummary {
            path: s.path.to_string_lossy().into_owned(),
            format: s.format.name().to_string(),
            rows: s.rows as f64,
            bytes: s.bytes as f64,
        }
    }
}

/// Writes packed rows to a file atomically (temporary name, renamed at the end).
#[napi(js_name = "writeRows")]
pub fn write_rows(
    env: Env,
    path: String,
    rows: NativeRowsInput,
    options: Option<NativeWriteOptions>,
) -> Result<NativeWriteSummary> {
    guard(&env, || {
        let opts = options.unwrap_or_default().write_options()?;
        let view = io::PackedRowsView {
            capacity: rows.capacity,
            num_rows: rows.num_rows as usize,
            input_ids: &rows.input_ids,
            labels: &rows.labels,
            position_ids: &rows.position_ids,
            attention_mask: &rows.attention_mask,
            row_segments: &rows.row_segments,
            segment_doc: &rows.segment_doc,
            segment_start: &rows.segment_start,
            segment_length: &rows.segment_length,
        };
        Ok(io::write_rows(&path, &view, &opts)?.into())
    })
}

/// Progress counters of a pack job, written by the worker, read by JS.
#[derive(Default)]
struct Progress {
    phase: AtomicU64,
    docs: AtomicU64,
    bytes: AtomicU64,
    rows: AtomicU64,
}

/// Totals of a finished pack job.
pub struct PackFileOutcome {
    docs: u64,
    tokens: u64,
    rows: u64,
    capacity: u32,
    padding: u64,
    bytes: u64,
    windows: u64,
    overflow: core::rows::OverflowCounts,
    read_ms: f64,
    pack_ms: f64,
    write_ms: f64,
    metrics: Option<core::Metrics>,
    path: String,
    format: String,
}

#[napi(object, object_from_js = false)]
pub struct NativePackFileSummary {
    pub path: String,
    pub format: String,
    pub docs: f64,
    pub tokens: f64,
    pub rows: f64,
    pub capacity: u32,
    pub padding_tokens: f64,
    pub bytes: f64,
    pub windows: f64,
    /// split, truncated, dropped, tokens lost.
    pub overflow: v8::Float64Array,
    pub read_ms: f64,
    pub pack_ms: f64,
    pub write_ms: f64,
    /// The whole packing's metrics (`contract().metricsLayout`), without windows.
    pub metrics: Option<v8::Float64Array>,
}

impl From<PackFileOutcome> for NativePackFileSummary {
    fn from(o: PackFileOutcome) -> Self {
        let v = &o.overflow;
        NativePackFileSummary {
            path: o.path,
            format: o.format,
            docs: o.docs as f64,
            tokens: o.tokens as f64,
            rows: o.rows as f64,
            capacity: o.capacity,
            padding_tokens: o.padding as f64,
            bytes: o.bytes as f64,
            windows: o.windows as f64,
            overflow: js_array(vec![v.split as f64, v.truncated as f64, v.dropped as f64, v.tokens_lost as f64]),
            read_ms: o.read_ms,
            pack_ms: o.pack_ms,
            write_ms: o.write_ms,
            metrics: o.metrics.as_ref().map(metrics_array),
        }
    }
}

struct PackFileSpec {
    input: String,
    output: String,
    read: io::ReadOptions,
    write: io::WriteOptions,
    rows: RowsOptions,
    window: Option<usize>,
}

fn ms(t: Instant) -> f64 {
    t.elapsed().as_secs_f64() * 1e3
}

/// Writes `r` in row-group slices, counting rows as they land.
fn write_counted(w: &mut io::RowWriter, r: &PackedRows, step: usize, p: &Progress) -> io::Result<()> {
    let v = io::PackedRowsView::from(r);
    let mut r0 = 0;
    while r0 < r.num_rows {
        let r1 = (r0 + step).min(r.num_rows);
        w.write(&v.rows(r0, r1))?;
        p.rows.fetch_add((r1 - r0) as u64, Ordering::Relaxed);
        r0 = r1;
    }
    Ok(())
}

/// The whole job off the JS thread. Without a window: read everything,
/// pack once (offline strategies see every document), write. With a window
/// of N documents: read N, pack them, write their rows, repeat; memory is
/// bounded by one window's tokens and rows.
fn run_pack_file(s: PackFileSpec, p: &Progress, ctl: &core::Control) -> std::result::Result<PackFileOutcome, Failure> {
    let cap = s.rows.request.capacity();
    // Whole batches of row groups, which the Parquet writer encodes in parallel.
    let step = s.write.row_group_rows.max(1) * std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1);
    let mut out = PackFileOutcome {
        docs: 0,
        tokens: 0,
        rows: 0,
        capacity: cap,
        padding: 0,
        bytes: 0,
        windows: 0,
        overflow: Default::default(),
        read_ms: 0.0,
        pack_ms: 0.0,
        write_ms: 0.0,
        metrics: None,
        path: s.output.clone(),
        format: String::new(),
    };
    let mut read = s.read.clone();
    if let Some(w) = s.window {
        read.chunk_docs = w;
    }
    let t = Instant::now();
    let bytes = Arc::new(AtomicU64::new(0));
    let mut reader = open_counted(&s.input, &read, bytes.clone())?;
    out.read_ms += ms(t);
    let add_overflow = |o: &mut core::rows::OverflowCounts, r: &core::rows::OverflowCounts| {
        o.split += r.split;
        o.truncated += r.truncated;
        o.dropped += r.dropped;
        o.tokens_lost += r.tokens_lost;
    };
    let sync_bytes = |p: &Progress| p.bytes.store(bytes.load(Ordering::Relaxed), Ordering::Relaxed);
    let writer = match s.window {
        None => {
            let t = Instant::now();
            let mut all = io::TokenChunk::default();
            let mut chunk = io::TokenChunk::default();
            while reader.next_into(&mut chunk)? {
                ctl.check()?;
                let base = all.tokens.len();
                if base + chunk.tokens.len() > u32::MAX as usize {
                    return Err(io::Error::TooLarge {
                        file: s.input.clone(),
                        detail: format!("more than {} tokens; pack it in windows (--window N)", u32::MAX),
                    }
                    .into());
                }
                all.tokens.extend_from_slice(&chunk.tokens);
                all.offsets.extend(chunk.offsets[1..].iter().map(|&o| o + base as u32));
                p.docs.store(reader.docs_read(), Ordering::Relaxed);
                sync_bytes(p);
            }
            drop(chunk);
            out.read_ms += ms(t);
            p.phase.store(1, Ordering::Relaxed);
            let t = Instant::now();
            let rows = core::rows::pack_rows(&Docs::new(&all.tokens, &all.offsets)?, &s.rows, ctl)?;
            out.pack_ms += ms(t);
            out.docs = (all.offsets.len() - 1) as u64;
            out.tokens = all.tokens.len() as u64;
            drop(all);
            p.phase.store(2, Ordering::Relaxed);
            let t = Instant::now();
            let mut w = io::RowWriter::create(&s.output, cap, &s.write)?;
            write_counted(&mut w, &rows, step, p)?;
            out.write_ms += ms(t);
            out.rows = rows.num_rows as u64;
            out.padding = rows.metrics.padding_tokens;
            add_overflow(&mut out.overflow, &rows.overflow);
            out.metrics = Some(rows.metrics.clone());
            out.windows = 1;
            w
        }
        Some(_) => {
            let t = Instant::now();
            let mut w = io::RowWriter::create(&s.output, cap, &s.write)?;
            out.write_ms += ms(t);
            let mut chunk = io::TokenChunk::default();
            loop {
                let t = Instant::now();
                if !reader.next_into(&mut chunk)? {
                    break;
                }
                ctl.check()?;
                p.docs.store(reader.docs_read(), Ordering::Relaxed);
                sync_bytes(p);
                out.read_ms += ms(t);
                let t = Instant::now();
                let docs = Docs::new(&chunk.tokens, &chunk.offsets)?;
                check_window(&docs, chunk.first_doc, cap, s.rows.overflow)?;
                let mut rows = core::rows::pack_rows(&docs, &s.rows, ctl)?;
                for d in rows.segment_doc.iter_mut() {
                    *d += chunk.first_doc as u32;
                }
                out.pack_ms += ms(t);
                let t = Instant::now();
                write_counted(&mut w, &rows, step, p)?;
                out.write_ms += ms(t);
                out.docs += chunk.num_docs() as u64;
                out.tokens += chunk.tokens.len() as u64;
                out.rows += rows.num_rows as u64;
                out.padding += rows.metrics.padding_tokens;
                add_overflow(&mut out.overflow, &rows.overflow);
                out.windows += 1;
            }
            w
        }
    };
    p.phase.store(3, Ordering::Relaxed);
    let t = Instant::now();
    let summary = writer.finish()?;
    out.write_ms += ms(t);
    out.bytes = summary.bytes;
    out.format = summary.format.name().to_string();
    p.phase.store(4, Ordering::Relaxed);
    Ok(out)
}

/// The per-document checks `pack_rows` makes, done first on a window so the
/// error names the document by its index in the whole input, not the window.
fn check_window(docs: &Docs, first: u64, cap: u32, overflow: Overflow) -> core::Result<()> {
    for d in 0..docs.num_docs() {
        let len = docs.len_of(d);
        let index = first as usize + d;
        if len == 0 && overflow != Overflow::Drop {
            return Err(PackError::at(
                ErrorKind::InvalidLength,
                index,
                0,
                format!("document {index} has no tokens: every document needs at least one (or use overflow 'drop')"),
            ));
        }
        if len > cap && overflow == Overflow::Error {
            return Err(PackError::at(
                ErrorKind::LengthExceedsCapacity,
                index,
                len,
                format!("document {index} has length {len}, more than the capacity {cap} (choose overflow 'truncate', 'split' or 'drop')"),
            ));
        }
    }
    Ok(())
}

pub type PackFileWork = Work<PackFileOutcome, NativePackFileSummary>;

/// A native pack job: `run()` resolves with the summary; `progress()` may be
/// polled meanwhile from JS (phase, documents read, bytes read, rows written).
#[napi]
pub struct NativePackJob {
    spec: std::sync::Mutex<Option<PackFileSpec>>,
    progress: Arc<Progress>,
}

#[napi]
impl NativePackJob {
    #[napi(constructor)]
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        env: Env,
        input: String,
        output: String,
        capacity: Option<f64>,
        strategy: Option<String>,
        extra: Option<NativeStrategyOptions>,
        rows: Option<NativeRowsOptions>,
        read: Option<NativeReadOptions>,
        write: Option<NativeWriteOptions>,
        window: Option<f64>,
    ) -> Result<Self> {
        guard(&env, || {
            let request = NativeOptions::new(capacity, strategy, extra).request()?;
            let rows = rows.unwrap_or_default().rows(request)?;
            let window = window
                .map(|w| convert::integer(OptionName::Window, w))
                .transpose()?
                .map(|w| w as usize);
            Ok(NativePackJob {
                spec: std::sync::Mutex::new(Some(PackFileSpec {
                    input,
                    output,
                    read: read.unwrap_or_default().read_options()?,
                    write: write.unwrap_or_default().write_options()?,
                    rows,
                    window,
                })),
                progress: Arc::new(Progress::default()),
            })
        })
    }

    /// Starts the job on the libuv pool (once).
    #[napi(ts_return_type = "Promise<NativePackFileSummary>")]
    pub fn run(&self, token: &CancelToken) -> AsyncTask<PackFileWork> {
        // `&self`: JS polls `progress()` while the job runs.
        let spec = self.spec.lock().ok().and_then(|mut s| s.take());
        let p = self.progress.clone();
        let flag = token.flag.clone();
        AsyncTask::new(Work::new(move || {
            let spec = spec.ok_or_else(|| {
                PackError::new(ErrorKind::InvalidInput, "this pack job was already run")
            })?;
            let ctl = core::Control::with_flag(&flag);
            run_pack_file(spec, &p, &ctl)
        }))
    }

    /// `[phase, docsRead, bytesRead, rowsWritten]`; phase 0 reading, 1
    /// packing, 2 writing, 3 finishing, 4 done.
    #[napi]
    pub fn progress(&self) -> v8::Float64Array {
        let p = &self.progress;
        js_array(vec![
            p.phase.load(Ordering::Relaxed) as f64,
            p.docs.load(Ordering::Relaxed) as f64,
            p.bytes.load(Ordering::Relaxed) as f64,
            p.rows.load(Ordering::Relaxed) as f64,
        ])
    }
}

impl From<io::Error> for Failure {
    fn from(e: io::Error) -> Self {
        Failure::Io(e)
    }
}
