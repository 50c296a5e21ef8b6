//! Training rows, streaming and prefix merging as JavaScript sees them: thin
//! conversions around `seqpack_core::rows`.

use crate::convert::{self, js_number, NativeOptions, NativeRowsOptions, NativeStrategyOptions};
use crate::errors::{guard, Failure};
use crate::output::{v8, NativePackedRows, NativePrefixMerge, RowArrays};
use crate::{CancelToken, Work};
use napi::bindgen_prelude::*;
use napi::bindgen_prelude::{ToNapiValue, TypeName, ValueType};
use napi_derive::napi;
use seqpack_core::rows::{
    Docs, Overflow, OverflowCounts, PackedRows, RowBuffers, RowsOptions, StreamBins,
};
use seqpack_core::{self as core, ErrorKind, OptionName, PackError};
use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

/// Token ids as JS passes them: `Int32Array` (used in place), `Uint32Array`
/// (checked, then used in place) or numbers (`Float64Array`, checked and converted).
pub type JsTokens = Either3<Int32Array, Uint32Array, Float64Array>;

/// Runs `f` on the token ids as `i32`, naming the first id outside `i32`.
fn with_tokens<R>(tokens: &JsTokens, f: impl FnOnce(&[i32]) -> core::Result<R>) -> core::Result<R> {
    match tokens {
        Either3::A(t) => f(t),
        Either3::B(t) => f(convert::tokens_from_u32(t)?),
        Either3::C(t) => f(&convert::tokens_from_f64(t)?),
    }
}

fn rows_options(
    capacity: Option<f64>,
    strategy: Option<String>,
    extra: Option<NativeStrategyOptions>,
    rows: Option<NativeRowsOptions>,
) -> core::Result<RowsOptions> {
    let request = NativeOptions::new(capacity, strategy, extra).request()?;
    rows.unwrap_or_default().rows(request)
}

fn pack_rows(
    tokens: &[i32],
    offsets: &[u32],
    opts: &RowsOptions,
    ctl: &core::Control,
) -> core::Result<PackedRows> {
    let docs = Docs::new(tokens, offsets)?;
    core::rows::pack_rows(&docs, opts, ctl)
}

/// Packs tokenised documents into training rows (borrowed, no copy for
/// `Int32Array`/`Uint32Array` tokens). The four token arrays are allocated
/// in JavaScript's heap first and the core writes the rows straight into
/// them, so each output byte is written once.
#[napi(js_name = "packRows")]
pub fn pack_rows_sync(
    env: Env,
    tokens: JsTokens,
    offsets: &[u32],
    capacity: Option<f64>,
    strategy: Option<String>,
    extra: Option<NativeStrategyOptions>,
    rows: Option<NativeRowsOptions>,
) -> Result<NativePackedRows> {
    let ctl = core::Control::none();
    let (opts, layout) = guard(&env, || {
        let opts = rows_options(capacity, strategy, extra, rows)?;
        let layout = with_tokens(&tokens, |t| {
            core::rows::plan_rows(&Docs::new(t, offsets)?, &opts, &ctl)
        })?;
        Ok((opts, layout))
    })?;
    let slots = layout.slots();
    // SAFETY: the slices are written below and dropped before the arrays are
    // returned to JavaScript.
    let (input_ids, ids) = unsafe { v8::Int32Array::alloc(&env, slots)? };
    let (labels, lab) = unsafe { v8::Int32Array::alloc(&env, slots)? };
    let (position_ids, pos) = unsafe { v8::Int32Array::alloc(&env, slots)? };
    let (attention_mask, mask) = unsafe { v8::Uint8Array::alloc(&env, slots)? };
    populate(&[bytes_of(ids), bytes_of(lab), bytes_of(pos), bytes_of(mask)]);
    guard(&env, || {
        let out = RowBuffers {
            input_ids: ids,
            labels: lab,
            position_ids: pos,
            attention_mask: mask,
        };
        with_tokens(&tokens, |t| {
            layout.fill(&Docs::new(t, offsets)?, &opts, out, &ctl)
        })?;
        Ok(())
    })?;
    let arrays = RowArrays {
        input_ids,
        labels,
        position_ids,
        attention_mask,
    };
    Ok(NativePackedRows::new(layout, arrays))
}

/// Start address and length in bytes of a slice.
fn bytes_of<T>(s: &[T]) -> (usize, usize) {
    (s.as_ptr() as usize, std::mem::size_of_val(s))
}

/// Maps the fresh pages of the output buffers in bulk before the rows are
/// written (Linux `MADV_POPULATE_WRITE`, kernel 5.14+), on every core, so
/// the fill then writes into mapped memory: a first write to a fresh page
/// otherwise costs a page fault, and for 13 output bytes per slot those
/// faults were most of the time of `packRows`. Best effort: a kernel
/// without it (`EINVAL`) or elsewhere than Linux, the writes fault the pages
/// in as before. Only the whole pages inside each buffer are advised.
fn populate(bufs: &[(usize, usize)]) {
    #[cfg(target_os = "linux")]
    {
        const PAGE: usize = 4096;
        const MIN: usize = 1 << 20;
        // Each buffer in two halves, so two cores share the work evenly.
        let parts: Vec<(usize, usize)> = bufs
            .iter()
            .filter(|&&(_, len)| len >= MIN)
            .flat_map(|&(at, len)| [(at, len / 2), (at + len / 2, len - len / 2)])
            .map(|(at, len)| {
                let start = at.next_multiple_of(PAGE);
                let end = (at + len) / PAGE * PAGE;
                (start, end.saturating_sub(start))
            })
            .filter(|&(_, len)| len > 0)
            .collect();
        if parts.is_empty() {
            return;
        }
        let chunks: Vec<std::ops::Range<usize>> = (0..parts.len()).map(|i| i..i + 1).collect();
        let workers = core::parallel::Workers::new(core::parallel::machine_threads());
        workers.map(&chunks, |i, _| {
            let (at, len) = parts[i];
            // SAFETY: whole pages inside a live buffer this call owns and
            // has not handed out; populating maps pages, it never changes
            // their (zero) contents.
            unsafe { libc::madvise(at as *mut libc::c_void, len, libc::MADV_POPULATE_WRITE) };
        });
    }
    #[cfg(not(target_os = "linux"))]
    let _ = bufs;
}

pub type RowsWork = Work<PackedRows, NativePackedRows>;

enum OwnedTokens {
    I32(Vec<i32>),
    U32(Vec<u32>),
    F64(Vec<f64>),
}

/// [`pack_rows_sync`] on the libuv pool; tokens and offsets are copied once
/// on the JS thread, and `token` cancels at the packing's checkpoints.
#[napi(
    js_name = "packRowsAsync",
    ts_return_type = "Promise<NativePackedRows>"
)]
#[allow(clippy::too_many_arguments)]
pub fn pack_rows_async(
    tokens: JsTokens,
    offsets: Uint32Array,
    capacity: Option<f64>,
    strategy: Option<String>,
    extra: Option<NativeStrategyOptions>,
    rows: Option<NativeRowsOptions>,
    token: &CancelToken,
) -> AsyncTask<RowsWork> {
    let owned = match tokens {
        Either3::A(t) => OwnedTokens::I32(t.to_vec()),
        Either3::B(t) => OwnedTokens::U32(t.to_vec()),
        Either3::C(t) => OwnedTokens::F64(t.to_vec()),
    };
    let offsets = offsets.to_vec();
    let flag = token.flag.clone();
    AsyncTask::new(Work::new(move || {
        let ctl = core::Control::with_flag(&flag);
        ctl.check()?;
        let opts = rows_options(capacity, strategy, extra, rows)?;
        let run = |t: &[i32]| pack_rows(t, &offsets, &opts, &ctl);
        Ok(match owned {
            OwnedTokens::I32(t) => run(&t)?,
            OwnedTokens::U32(t) => run(convert::tokens_from_u32(&t)?)?,
            OwnedTokens::F64(t) => run(&convert::tokens_from_f64(&t)?)?,
        })
    }))
}

/// Groups documents sharing a token prefix into trie-flattened sequences.
#[napi(js_name = "mergePrefixes")]
pub fn merge_prefixes(
    env: Env,
    tokens: JsTokens,
    offsets: &[u32],
    min_prefix: f64,
    max_length: f64,
) -> Result<NativePrefixMerge> {
    guard(&env, || {
        let min_prefix = convert::integer(OptionName::MinPrefix, min_prefix)? as u32;
        let max_length = convert::integer(OptionName::MaxLength, max_length)? as u32;
        Ok(with_tokens(&tokens, |t| {
            core::rows::merge_prefixes(&Docs::new(t, offsets)?, min_prefix, max_length)
        })?
        .into())
    })
}

/// What a stream is fed; fixed by the first push.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Feed {
    Lengths,
    Tokens,
}

/// A piece of a document waiting in an open bin (tokens mode).
struct Waiting {
    doc: u64,
    start: u32,
    tokens: Box<[i32]>,
}

/// A stream's state, shared by its class instance and its fast lengths
/// functions ([`NativeStreamPacker::fast_lengths`]).
struct Stream {
    packer: core::rows::StreamPacker,
    opts: RowsOptions,
    capacity: u32,
    feed: Option<Feed>,
    closed: StreamBins,
    waiting: HashMap<u64, Waiting>,
    docs: u64,
    overflow: OverflowCounts,
}

fn mixed(feed: Feed) -> PackError {
    let (was, now) = match feed {
        Feed::Lengths => ("lengths", "tokens"),
        Feed::Tokens => ("tokens", "lengths"),
    };
    PackError::new(
        ErrorKind::InvalidInput,
        format!("this StreamPacker was fed {was}; it cannot take {now} (use one packer per kind)"),
    )
}

impl Stream {
    fn feed(&mut self, f: Feed) -> core::Result<()> {
        match self.feed {
            None => {
                self.feed = Some(f);
                Ok(())
            }
            Some(g) if g == f => Ok(()),
            Some(g) => Err(mixed(g)),
        }
    }

    fn push_len(&mut self, len: f64) -> core::Result<()> {
        if len >= 1.0 && len <= u32::MAX as f64 && len == len.trunc() {
            return self.packer.push(len as u32, &mut self.closed);
        }
        let i = self.packer.pushed() as usize;
        let shown = js_number(len);
        if len == 0.0 {
            return self.packer.push(0, &mut self.closed);
        }
        if len > u32::MAX as f64 && len == len.trunc() && len.is_finite() {
            return Err(PackError::at(
                ErrorKind::LengthExceedsCapacity,
                i,
                &shown,
                format!(
                    "item {i} has length {shown}: it exceeds the capacity {}",
                    self.capacity
                ),
            ));
        }
        Err(PackError::at(
            ErrorKind::InvalidLength,
            i,
            &shown,
            format!("item {i} has length {shown}: lengths must be positive integers"),
        ))
    }

    /// One length in lengths mode; the closed bins now waiting.
    fn push_length(&mut self, len: f64) -> std::result::Result<u32, Failure> {
        self.feed(Feed::Lengths)?;
        self.push_len(len)?;
        Ok(self.closed.len() as u32)
    }

    /// The rows of the closed bins, their waiting tokens released.
    fn closed_rows(&mut self) -> core::Result<PackedRows> {
        let closed = std::mem::take(&mut self.closed);
        let mut tokens = Vec::new();
        let mut offsets = vec![0u32];
        let mut origin = Vec::new();
        let mut bins = Vec::with_capacity(closed.len());
        for b in 0..closed.len() {
            let mut bin = Vec::with_capacity(closed.bin(b).len());
            for item in closed.bin(b) {
                let w = self.waiting.remove(item).expect("a closed item is waiting");
                bin.push(origin.len() as u32);
                tokens.extend_from_slice(&w.tokens);
                offsets.push(tokens.len() as u32);
                origin.push((w.doc, w.start));
            }
            bins.push(bin);
        }
        let lengths: Vec<u32> = offsets.windows(2).map(|w| w[1] - w[0]).collect();
        let packing = core::Packing::from_bins(&bins, &lengths);
        let docs = Docs::new(&tokens, &offsets)?;
        let mut rows =
            core::rows::rows_from_packing(&docs, &packing, &self.opts, &core::Control::none())?;
        let layout = &mut rows.layout;
        for (d, start) in layout
            .segment_doc
            .iter_mut()
            .zip(layout.segment_start.iter_mut())
        {
            let (doc, first) = origin[*d as usize];
            *d = u32::try_from(doc).map_err(|_| {
                PackError::new(
                    ErrorKind::TooManyItems,
                    "more than 2^32 documents pushed: segmentDoc cannot name them",
                )
            })?;
            *start += first;
        }
        rows.overflow = std::mem::take(&mut self.overflow);
        Ok(rows)
    }

    /// Checks every document of a batch against the overflow policy before
    /// anything is pushed, so a bad batch leaves the packer unchanged.
    fn check_docs(&self, docs: &Docs) -> core::Result<()> {
        let policy = self.opts.overflow;
        for d in 0..docs.num_docs() {
            let len = docs.len_of(d);
            let index = self.docs as usize + d;
            if len == 0 && policy != Overflow::Drop {
                return Err(PackError::at(
                    ErrorKind::InvalidLength,
                    index,
                    0,
                    format!("document {index} has no tokens: every document needs at least one (or use overflow 'drop')"),
                ));
            }
            if len > self.capacity && policy == Overflow::Error {
                return Err(PackError::at(
                    ErrorKind::LengthExceedsCapacity,
                    index,
                    len,
                    format!(
                        "document {index} has length {len}, more than the capacity {} (choose overflow 'truncate', 'split' or 'drop')",
                        self.capacity
                    ),
                ));
            }
        }
        Ok(())
    }

    fn push_docs(&mut self, docs: &Docs) -> core::Result<PackedRows> {
        self.check_docs(docs)?;
        let cap = self.capacity as usize;
        for d in 0..docs.num_docs() {
            let doc = self.docs;
            self.docs += 1;
            let t = docs.doc(d);
            let keep: &[i32] = match self.opts.overflow {
                _ if t.len() <= cap && !t.is_empty() => t,
                Overflow::Drop => {
                    self.overflow.dropped += 1;
                    self.overflow.tokens_lost += t.len() as u64;
                    continue;
                }
                Overflow::Truncate => {
                    self.overflow.truncated += 1;
                    self.overflow.tokens_lost += (t.len() - cap) as u64;
                    &t[..cap]
                }
                Overflow::Split => {
                    self.overflow.split += 1;
                    t
                }
                Overflow::Error => unreachable!("checked by check_docs"),
            };
            for (k, piece) in keep.chunks(cap).enumerate() {
                let item = self.packer.pushed();
                self.waiting.insert(
                    item,
                    Waiting {
                        doc,
                        start: (k * cap) as u32,
                        tokens: piece.into(),
                    },
                );
                self.packer.push(piece.len() as u32, &mut self.closed)?;
            }
        }
        self.closed_rows()
    }
}

/// A streaming packer. Lengths mode: pushes return how many closed bins are
/// waiting, read with `takeInto` (see [`NativeStreamPacker::fast_lengths`]). Tokens mode: pushes return
/// the rows of the bins that closed. Memory: the open bins' items (and, in
/// tokens mode, only their tokens), or one window.
#[napi]
pub struct NativeStreamPacker {
    s: Rc<RefCell<Stream>>,
}

#[napi]
impl NativeStreamPacker {
    /// `window`: documents per offline-packed window; `max_open`: bound on
    /// the open bins of online `ff`/`bf`/`wf`.
    #[napi(constructor)]
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        env: Env,
        capacity: Option<f64>,
        strategy: Option<String>,
        extra: Option<NativeStrategyOptions>,
        rows: Option<NativeRowsOptions>,
        window: Option<f64>,
        max_open: Option<f64>,
    ) -> Result<Self> {
        guard(&env, || {
            let opts = rows_options(capacity, strategy, extra, rows)?;
            let window = window
                .map(|w| convert::integer(OptionName::Window, w))
                .transpose()?;
            let max_open = max_open
                .map(|m| convert::integer(OptionName::MaxOpen, m))
                .transpose()?;
            let packer = core::rows::StreamPacker::new(
                &opts.request,
                window.map(|w| w as usize),
                max_open.map(|m| m as usize),
            )?;
            let stream = Stream {
                packer,
                capacity: opts.request.capacity(),
                opts,
                feed: None,
                closed: StreamBins::default(),
                waiting: HashMap::new(),
                docs: 0,
                overflow: OverflowCounts::default(),
            };
            Ok(NativeStreamPacker {
                s: Rc::new(RefCell::new(stream)),
            })
        })
    }

    /// Two plain functions over this stream's state for the per-document
    /// path, `[push(length): number, takeInto(scratch: Float64Array): number]`
    /// (see [`fast_push`] and [`fast_take`]). A class method pays for napi-rs's
    /// receiver checks (unwrap, class identity) on every call, several times
    /// the cost of pushing a length; these functions carry the state as their
    /// callback data instead, so a push is one napi call with a number in
    /// and a number out.
    #[napi(
        js_name = "fastLengths",
        ts_return_type = "[(length: number) => number, (scratch: Float64Array) => number]"
    )]
    pub fn fast_lengths(&self, env: Env) -> Result<Raw> {
        let push = fast_function(&env, "push", fast_push, &self.s)?;
        let take = fast_function(&env, "takeInto", fast_take, &self.s)?;
        let mut array = std::ptr::null_mut();
        napi::check_status!(unsafe {
            napi::sys::napi_create_array_with_length(env.raw(), 2, &mut array)
        })?;
        for (i, f) in [push, take].into_iter().enumerate() {
            napi::check_status!(unsafe {
                napi::sys::napi_set_element(env.raw(), array, i as u32, f)
            })?;
        }
        Ok(Raw(array))
    }

    /// Pushes lengths in order (those before a bad one stay pushed; the
    /// error names the bad one's push index).
    #[napi(js_name = "pushLengths")]
    pub fn push_lengths(
        &mut self,
        env: Env,
        lengths: Either<Uint32Array, Float64Array>,
    ) -> Result<u32> {
        guard(&env, || {
            let s = &mut *self.s.borrow_mut();
            s.feed(Feed::Lengths)?;
            match &lengths {
                Either::A(v) => s.packer.push_all(v, &mut s.closed)?,
                Either::B(v) => {
                    for &l in v.iter() {
                        s.push_len(l)?;
                    }
                }
            }
            Ok(s.closed.len() as u32)
        })
    }

    /// Closes every open bin (lengths mode); returns the waiting bin count.
    #[napi(js_name = "flushLengths")]
    pub fn flush_lengths(&mut self, env: Env) -> Result<u32> {
        guard(&env, || {
            let s = &mut *self.s.borrow_mut();
            s.feed(Feed::Lengths)?;
            s.packer.flush(&mut s.closed)?;
            Ok(s.closed.len() as u32)
        })
    }

    /// Pushes documents (flat tokens + offsets); returns the rows of the bins
    /// that closed. The whole batch is checked first: an error leaves the
    /// packer unchanged.
    #[napi(js_name = "pushTokens")]
    pub fn push_tokens(
        &mut self,
        env: Env,
        tokens: JsTokens,
        offsets: &[u32],
    ) -> Result<NativePackedRows> {
        guard(&env, || {
            let s = &mut *self.s.borrow_mut();
            s.feed(Feed::Tokens)?;
            let rows = with_tokens(&tokens, |t| s.push_docs(&Docs::new(t, offsets)?))?;
            Ok(rows.into())
        })
    }

    /// Closes every open bin (tokens mode) and returns their rows.
    #[napi(js_name = "flushTokens")]
    pub fn flush_tokens(&mut self, env: Env) -> Result<NativePackedRows> {
        guard(
            &env,
            || -> std::result::Result<NativePackedRows, Failure> {
                let s = &mut *self.s.borrow_mut();
                s.feed(Feed::Tokens)?;
                s.packer.flush(&mut s.closed)?;
                Ok(s.closed_rows()?.into())
            },
        )
    }

    /// Items pushed so far (pieces of split documents count one each).
    #[napi(getter)]
    pub fn pushed(&self) -> f64 {
        self.s.borrow().packer.pushed() as f64
    }

    /// Items held in open bins or the current window.
    #[napi(getter)]
    pub fn pending(&self) -> f64 {
        self.s.borrow().packer.pending() as f64
    }
}

/// A JS value made by hand, returned as is.
pub struct Raw(napi::sys::napi_value);

impl TypeName for Raw {
    fn type_name() -> &'static str {
        "unknown"
    }
    fn value_type() -> ValueType {
        ValueType::Unknown
    }
}

impl ToNapiValue for Raw {
    unsafe fn to_napi_value(_: napi::sys::napi_env, val: Self) -> Result<napi::sys::napi_value> {
        Ok(val.0)
    }
}

/// The state a fast function owns: its own strong count of the stream.
type FastData = Rc<RefCell<Stream>>;

/// A JS function calling `cb` with a clone of `stream` as its data, freed by
/// a finalizer when the function is collected (so the state lives as long as
/// the class instance or any of its functions, whichever is last).
fn fast_function(
    env: &Env,
    name: &str,
    cb: unsafe extern "C" fn(
        napi::sys::napi_env,
        napi::sys::napi_callback_info,
    ) -> napi::sys::napi_value,
    stream: &FastData,
) -> Result<napi::sys::napi_value> {
    use napi::{check_status, sys};
    unsafe extern "C" fn finalize(
        _: sys::napi_env,
        data: *mut std::ffi::c_void,
        _: *mut std::ffi::c_void,
    ) {
        // SAFETY: `data` is the `Box<FastData>` leaked below, finalized once.
        drop(unsafe { Box::from_raw(data.cast::<FastData>()) });
    }
    let data = Box::into_raw(Box::new(stream.clone())).cast::<std::ffi::c_void>();
    let mut f = std::ptr::null_mut();
    let made = unsafe {
        sys::napi_create_function(
            env.raw(),
            name.as_ptr().cast(),
            name.len() as isize,
            Some(cb),
            data,
            &mut f,
        )
    };
    if made != sys::Status::napi_ok {
        // SAFETY: no function took `data`.
        unsafe { finalize(env.raw(), data, std::ptr::null_mut()) };
        check_status!(made, "could not create the stream's {} function", name)?;
    }
    check_status!(
        unsafe {
            sys::napi_add_finalizer(
                env.raw(),
                f,
                data,
                Some(finalize),
                std::ptr::null_mut(),
                std::ptr::null_mut(),
            )
        },
        "could not attach the stream's {} state",
        name
    )?;
    Ok(f)
}

/// Reads up to `N` arguments and the function's stream.
///
/// # Safety
/// `info` is the callback info of a function made by [`fast_function`].
unsafe fn fast_args<const N: usize>(
    env: napi::sys::napi_env,
    info: napi::sys::napi_callback_info,
) -> Result<([napi::sys::napi_value; N], usize, &'static FastData)> {
    let mut args = [std::ptr::null_mut(); N];
    let mut argc = N;
    let mut data = std::ptr::null_mut();
    napi::check_status!(unsafe {
        napi::sys::napi_get_cb_info(
            env,
            info,
            &mut argc,
            args.as_mut_ptr(),
            std::ptr::null_mut(),
            &mut data,
        )
    })?;
    // SAFETY: the data of a fast function is its live `Box<FastData>` (freed
    // only when the function itself is collected, so not during a call).
    Ok((args, argc, unsafe { &*data.cast::<FastData>() }))
}

/// Throws `e` (a JS error already built) and returns no value.
unsafe fn throw(env: napi::sys::napi_env, e: Error) -> napi::sys::napi_value {
    unsafe { napi::JsError::from(e).throw_into(env) };
    std::ptr::null_mut()
}

/// `push(length)`: pushes one length, returns how many closed bins wait
/// (read them with `takeInto`). A bad length throws the stream's typed
/// error naming its push index.
unsafe extern "C" fn fast_push(
    env: napi::sys::napi_env,
    info: napi::sys::napi_callback_info,
) -> napi::sys::napi_value {
    let js = Env::from_raw(env);
    let run = || -> Result<napi::sys::napi_value> {
        let (args, argc, stream) = unsafe { fast_args::<1>(env, info)? };
        let mut len = f64::NAN;
        if argc == 1 {
            // A non-number leaves NaN, which the push rejects as an invalid length.
            unsafe { napi::sys::napi_get_value_double(env, args[0], &mut len) };
        }
        let waiting = guard(&js, || stream.borrow_mut().push_length(len))?;
        let mut out = std::ptr::null_mut();
        napi::check_status!(unsafe { napi::sys::napi_create_uint32(env, waiting, &mut out) })?;
        Ok(out)
    };
    match run() {
        Ok(v) => v,
        Err(e) => unsafe { throw(env, e) },
    }
}

/// `takeInto(scratch)`: moves the waiting closed bins into `scratch` (a
/// `Float64Array`) as `[numBins, numItems, binIds..., offsets (numBins + 1)...,
/// items...]` and returns the number of slots written; or, if they do not
/// fit, leaves the bins waiting and returns minus the slots they need (the
/// caller grows its scratch and calls again: one form for closed bins).
unsafe extern "C" fn fast_take(
    env: napi::sys::napi_env,
    info: napi::sys::napi_callback_info,
) -> napi::sys::napi_value {
    use napi::sys;
    let run = || -> Result<sys::napi_value> {
        let (args, argc, stream) = unsafe { fast_args::<1>(env, info)? };
        let mut kind = 0;
        let mut len = 0usize;
        let mut data = std::ptr::null_mut();
        let ok = argc == 1
            && unsafe {
                sys::napi_get_typedarray_info(
                    env,
                    args[0],
                    &mut kind,
                    &mut len,
                    &mut data,
                    std::ptr::null_mut(),
                    std::ptr::null_mut(),
                )
            } == sys::Status::napi_ok
            && kind == sys::TypedarrayType::float64_array;
        if !ok {
            return Err(Error::new(
                Status::InvalidArg,
                "takeInto needs a Float64Array",
            ));
        }
        let scratch: &mut [f64] = if len == 0 {
            &mut []
        } else {
            // SAFETY: a live Float64Array of `len` elements (napi checked the
            // kind); no JS runs while this call holds it.
            unsafe { std::slice::from_raw_parts_mut(data.cast::<f64>(), len) }
        };
        let written = guard(&Env::from_raw(env), || {
            let mut s = stream.borrow_mut();
            let written = write_bins(&s.closed, scratch);
            if written >= 0 {
                s.closed.clear();
            }
            Ok(written)
        })?;
        let mut out = std::ptr::null_mut();
        napi::check_status!(unsafe { sys::napi_create_double(env, written as f64, &mut out) })?;
        Ok(out)
    };
    match run() {
        Ok(v) => v,
        Err(e) => unsafe { throw(env, e) },
    }
}

/// `bins` flattened into `out` as `fast_take` lays it out; the slots written,
/// or minus the slots needed if they do not fit.
fn write_bins(bins: &StreamBins, out: &mut [f64]) -> i64 {
    let nb = bins.len();
    let ni = bins.items.len();
    let need = 2 + nb + (nb + 1) + ni;
    if need > out.len() {
        return -(need as i64);
    }
    let (head, rest) = out.split_at_mut(2);
    head[0] = nb as f64;
    head[1] = ni as f64;
    let (ids, rest) = rest.split_at_mut(nb);
    let (offs, rest) = rest.split_at_mut(nb + 1);
    for (o, &b) in ids.iter_mut().zip(&bins.bins) {
        *o = b as f64;
    }
    for (o, &x) in offs.iter_mut().zip(&bins.offsets) {
        *o = x as f64;
    }
    for (o, &x) in rest[..ni].iter_mut().zip(&bins.items) {
        *o = x as f64;
    }
    need as i64
}
