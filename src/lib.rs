//! The Node.js face of seqpack: converts between JavaScript values and
//! `seqpack-core`, and nothing else. No algorithm lives here.
//!
//! Boundary rules:
//! - Input typed arrays are borrowed for the duration of a synchronous call
//!   (no copy); async calls copy the input once on the JS thread, so later
//!   mutation by JS cannot race the worker.
//! - Output arrays are Rust `Vec`s handed to JS as external buffers (no copy).
//! - Every export runs inside [`guard`], which turns a Rust panic into a JS
//!   error (`ERR_SEQPACK_INTERNAL`) instead of aborting the process; async
//!   work does the same inside `compute`.
//! - Core errors are encoded as `CODE \x1f index \x1f value \x1f message`; the
//!   TypeScript layer decodes them into `SeqpackError` with `code`, `index`, `value`.

#![deny(clippy::all)]

use napi::bindgen_prelude::*;
use napi_derive::napi;
use seqpack_core as core;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

mod convert;
use convert::{
    encode_error, to_js, NativeBalance, NativeOptions, NativePacking, NativeStrategyInfo,
    NativeStrategyOptions,
};

/// Runs `f`, converting a panic into an `ERR_SEQPACK_INTERNAL` error.
fn guard<T>(f: impl FnOnce() -> core::Result<T>) -> Result<T> {
    match catch_unwind(AssertUnwindSafe(f)) {
        Ok(Ok(v)) => Ok(v),
        Ok(Err(e)) => Err(encode_error(&e)),
        Err(payload) => {
            let what = payload
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| payload.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "unknown panic".into());
            Err(encode_error(&core::PackError::new(
                core::ErrorKind::Internal,
                format!("internal error in seqpack (please report it): {what}"),
            )))
        }
    }
}

/// Lengths as they come from JS, borrowed: the one place that turns any of
/// the accepted input kinds into a packing (sync exports and async work alike).
#[derive(Clone, Copy)]
enum Lengths<'a> {
    U32(&'a [u32]),
    I32(&'a [i32]),
    F64(&'a [f64]),
}

impl Lengths<'_> {
    /// Validates the request, converts `i32`/`f64` input (naming the first bad
    /// element), and packs. `u32` input is used in place.
    fn pack(self, options: &NativeOptions, ctl: &core::Control) -> core::Result<core::Outcome> {
        let req = options.request()?;
        match self {
            Lengths::U32(v) => core::pack(v, &req, ctl),
            Lengths::I32(v) => core::pack(&core::input::from_i32(v, req.capacity)?, &req, ctl),
            Lengths::F64(v) => core::pack(&core::input::from_f64(v, req.capacity)?, &req, ctl),
        }
    }
}

/// Packs a `Uint32Array` of lengths, borrowed without copying.
#[napi(js_name = "packU32")]
pub fn pack_u32(
    lengths: &[u32],
    capacity: Option<f64>,
    strategy: Option<String>,
    extra: Option<NativeStrategyOptions>,
) -> Result<NativePacking> {
    let options = NativeOptions::new(capacity, strategy, extra);
    guard(|| Lengths::U32(lengths).pack(&options, &core::Control::none())).map(to_js)
}

/// Packs an `Int32Array` of lengths (negative values are reported by index).
#[napi(js_name = "packI32")]
pub fn pack_i32(
    lengths: &[i32],
    capacity: Option<f64>,
    strategy: Option<String>,
    extra: Option<NativeStrategyOptions>,
) -> Result<NativePacking> {
    let options = NativeOptions::new(capacity, strategy, extra);
    guard(|| Lengths::I32(lengths).pack(&options, &core::Control::none())).map(to_js)
}

/// Packs JavaScript numbers (a plain array converted to `Float64Array` by the TS layer).
#[napi(js_name = "packF64")]
pub fn pack_f64(
    lengths: &[f64],
    capacity: Option<f64>,
    strategy: Option<String>,
    extra: Option<NativeStrategyOptions>,
) -> Result<NativePacking> {
    let options = NativeOptions::new(capacity, strategy, extra);
    guard(|| Lengths::F64(lengths).pack(&options, &core::Control::none())).map(to_js)
}

/// A cancellation flag shared between JS (which sets it when an `AbortSignal`
/// fires) and the worker thread running the packing.
#[napi]
pub struct CancelToken {
    flag: Arc<AtomicBool>,
}

#[napi]
impl CancelToken {
    #[napi(constructor)]
    pub fn new() -> Self {
        CancelToken {
            flag: Arc::new(AtomicBool::new(false)),
        }
    }

    /// Requests cancellation; the worker stops at its next checkpoint.
    #[napi]
    pub fn cancel(&self) {
        self.flag.store(true, Ordering::Relaxed);
    }

    #[napi(getter)]
    pub fn cancelled(&self) -> bool {
        self.flag.load(Ordering::Relaxed)
    }
}

impl Default for CancelToken {
    fn default() -> Self {
        Self::new()
    }
}

/// Input copied off the JS heap for a worker thread.
pub enum OwnedLengths {
    U32(Vec<u32>),
    I32(Vec<i32>),
    F64(Vec<f64>),
}

impl OwnedLengths {
    fn borrow(&self) -> Lengths<'_> {
        match self {
            OwnedLengths::U32(v) => Lengths::U32(v),
            OwnedLengths::I32(v) => Lengths::I32(v),
            OwnedLengths::F64(v) => Lengths::F64(v),
        }
    }
}

/// Work for the libuv pool: validation and packing run off the JS thread.
pub struct PackTask {
    lengths: Option<OwnedLengths>,
    options: NativeOptions,
    flag: Arc<AtomicBool>,
    panic_for_testing: bool,
}

impl Task for PackTask {
    type Output = core::Outcome;
    type JsValue = NativePacking;

    fn compute(&mut self) -> Result<Self::Output> {
        let lengths = self.lengths.take();
        let (options, flag, panic_for_testing) =
            (&self.options, &self.flag, self.panic_for_testing);
        guard(move || {
            if panic_for_testing {
                panic!("deliberate panic inside async compute (test hook)");
            }
            let ctl = core::Control::with_flag(flag);
            ctl.check()?;
            lengths
                .expect("compute runs once")
                .borrow()
                .pack(options, &ctl)
        })
    }

    fn resolve(&mut self, _env: Env, output: Self::Output) -> Result<Self::JsValue> {
        Ok(to_js(output))
    }
}

fn task(lengths: OwnedLengths, options: NativeOptions, token: &CancelToken) -> AsyncTask<PackTask> {
    AsyncTask::new(PackTask {
        lengths: Some(lengths),
        options,
        flag: token.flag.clone(),
        panic_for_testing: false,
    })
}

#[napi(js_name = "packAsyncU32", ts_return_type = "Promise<NativePacking>")]
pub fn pack_async_u32(
    lengths: &[u32],
    capacity: Option<f64>,
    strategy: Option<String>,
    extra: Option<NativeStrategyOptions>,
    token: &CancelToken,
) -> AsyncTask<PackTask> {
    let options = NativeOptions::new(capacity, strategy, extra);
    task(OwnedLengths::U32(lengths.to_vec()), options, token)
}

#[napi(js_name = "packAsyncI32", ts_return_type = "Promise<NativePacking>")]
pub fn pack_async_i32(
    lengths: &[i32],
    capacity: Option<f64>,
    strategy: Option<String>,
    extra: Option<NativeStrategyOptions>,
    token: &CancelToken,
) -> AsyncTask<PackTask> {
    let options = NativeOptions::new(capacity, strategy, extra);
    task(OwnedLengths::I32(lengths.to_vec()), options, token)
}

#[napi(js_name = "packAsyncF64", ts_return_type = "Promise<NativePacking>")]
pub fn pack_async_f64(
    lengths: &[f64],
    capacity: Option<f64>,
    strategy: Option<String>,
    extra: Option<NativeStrategyOptions>,
    token: &CancelToken,
) -> AsyncTask<PackTask> {
    let options = NativeOptions::new(capacity, strategy, extra);
    task(OwnedLengths::F64(lengths.to_vec()), options, token)
}

/// Context-parallel order of one packed row, lengths as a `Uint32Array` (borrowed).
/// `nodes` is a JS number validated by the core.
#[napi(js_name = "balanceU32")]
pub fn balance_u32(lengths: &[u32], nodes: f64) -> Result<NativeBalance> {
    guard(|| core::balance::balance(lengths, core::balance::nodes_from_f64(nodes)?)).map(Into::into)
}

/// Context-parallel order of one packed row, lengths as JS numbers (validated like `pack`'s).
#[napi(js_name = "balanceF64")]
pub fn balance_f64(lengths: &[f64], nodes: f64) -> Result<NativeBalance> {
    guard(|| {
        let nodes = core::balance::nodes_from_f64(nodes)?;
        core::balance::balance(&core::input::from_f64(lengths, core::MAX_CAPACITY)?, nodes)
    })
    .map(Into::into)
}

/// The strategy catalogue.
#[napi]
pub fn strategies() -> Result<Vec<NativeStrategyInfo>> {
    guard(|| {
        Ok(core::STRATEGIES
            .iter()
            .map(|s| NativeStrategyInfo::from(*s))
            .collect())
    })
}

/// Test hook: panics on purpose, synchronously (`"sync"`) or inside async
/// compute (`"async"`), to prove panics surface as errors and Node survives.
#[napi(
    js_name = "panicForTesting",
    ts_return_type = "Promise<NativePacking> | void"
)]
pub fn panic_for_testing(env: Env, mode: String) -> Result<Option<AsyncTask<PackTask>>> {
    let _ = env;
    if mode == "async" {
        let options = NativeOptions {
            capacity: Some(1.0),
            ..Default::default()
        };
        return Ok(Some(AsyncTask::new(PackTask {
            lengths: Some(OwnedLengths::U32(vec![1])),
            options,
            flag: Arc::new(AtomicBool::new(false)),
            panic_for_testing: true,
        })));
    }
    guard(|| -> core::Result<()> {
        panic!("deliberate panic in a synchronous export (test hook)")
    })?;
    Ok(None)
}
