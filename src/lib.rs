//! The Node.js face of seqpack: converts between JavaScript values and
//! `seqpack-core`, and nothing else. No algorithm lives here.
//!
//! Boundary rules:
//! - Input typed arrays are borrowed for the duration of a synchronous call
//!   (no copy) only when nothing can write them meanwhile: the JS thread is
//!   blocked in the call, and the TS layer copies input backed by a
//!   `SharedArrayBuffer` (which other threads may write) once before the
//!   call. Async calls copy the input once on the JS thread, so later
//!   mutation by JS cannot race the worker.
//! - Output arrays are copied into V8-owned buffers (freed by the GC alone,
//!   see `output::v8`); `pack`'s whole result is one buffer
//!   (`output::NativePacking`).
//! - JS numbers become core integers only in [`convert`], and JS names of
//!   options and error codes live only in [`convert`] and [`errors`].
//! - Every export runs its work inside [`errors::guard`] (sync) or a [`Work`]
//!   (async): a core error or a panic becomes a JS `Error` whose `code`,
//!   `index` and `value` are properties, never a process abort.
//!
//! Adding an export: write the conversion from JS arguments to core types in
//! [`convert`], call the core inside `guard(&env, || ...)` for a synchronous
//! export or `AsyncTask::new(Work::new(move || ...))` for an async one, and
//! give the result type a `#[napi(object)]` struct with `From<core type>`
//! in [`output`]. The TS layer then calls it through the generated
//! `native.d.ts` types.

#![deny(clippy::all)]

use napi::bindgen_prelude::*;
use napi_derive::napi;
use seqpack_core as core;
use std::marker::PhantomData;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

mod convert;
mod errors;
// napi-derive registers exports only outside `cfg(test)`, so in the unit-test
// build the exports of these private modules look unused to rustc.
#[cfg_attr(test, allow(dead_code))]
mod io;
#[cfg_attr(test, allow(dead_code))]
mod output;
#[cfg_attr(test, allow(dead_code))]
mod rows;
use convert::{NativeOptions, NativeStrategyOptions};
use errors::{catch, guard, Failure};
use output::{NativeBalance, NativeContract, NativePacking, NativeStrategyInfo};

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
        let cap = req.capacity();
        match self {
            Lengths::U32(v) => core::pack(v, &req, ctl),
            Lengths::I32(v) => core::pack(&convert::lengths_from_i32(v, cap)?, &req, ctl),
            Lengths::F64(v) => core::pack(&convert::lengths_from_f64(v, cap)?, &req, ctl),
        }
    }

    fn pack_sync(self, env: &Env, options: NativeOptions) -> Result<NativePacking> {
        guard(env, || {
            Ok(self.pack(&options, &core::Control::none())?.into())
        })
    }
}

/// Packs a `Uint32Array` of lengths, borrowed without copying.
#[napi(js_name = "packU32", ts_return_type = "ArrayBuffer")]
pub fn pack_u32(
    env: Env,
    lengths: &[u32],
    capacity: Option<f64>,
    strategy: Option<String>,
    extra: Option<NativeStrategyOptions>,
) -> Result<NativePacking> {
    Lengths::U32(lengths).pack_sync(&env, NativeOptions::new(capacity, strategy, extra))
}

/// Packs an `Int32Array` of lengths (negative values are reported by index).
#[napi(js_name = "packI32", ts_return_type = "ArrayBuffer")]
pub fn pack_i32(
    env: Env,
    lengths: &[i32],
    capacity: Option<f64>,
    strategy: Option<String>,
    extra: Option<NativeStrategyOptions>,
) -> Result<NativePacking> {
    Lengths::I32(lengths).pack_sync(&env, NativeOptions::new(capacity, strategy, extra))
}

/// Packs JavaScript numbers (a plain array converted to `Float64Array` by the TS layer).
#[napi(js_name = "packF64", ts_return_type = "ArrayBuffer")]
pub fn pack_f64(
    env: Env,
    lengths: &[f64],
    capacity: Option<f64>,
    strategy: Option<String>,
    extra: Option<NativeStrategyOptions>,
) -> Result<NativePacking> {
    Lengths::F64(lengths).pack_sync(&env, NativeOptions::new(capacity, strategy, extra))
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

type Job<T> = Box<dyn FnOnce() -> std::result::Result<T, Failure> + Send>;

/// Work for the libuv pool: `job` runs off the JS thread (panics caught);
/// its output becomes the JS value `J`, its failure a JS error with a code.
pub struct Work<T, J> {
    job: Option<Job<T>>,
    failure: Option<Failure>,
    js: PhantomData<fn() -> J>,
}

impl<T, J> Work<T, J> {
    pub fn new(job: impl FnOnce() -> std::result::Result<T, Failure> + Send + 'static) -> Self {
        Work {
            job: Some(Box::new(job)),
            failure: None,
            js: PhantomData,
        }
    }
}

impl<T: Send + 'static, J: ToNapiValue + TypeName + From<T>> Task for Work<T, J> {
    type Output = T;
    type JsValue = J;

    fn compute(&mut self) -> Result<T> {
        let job = self.job.take().expect("compute runs once");
        catch(job).map_err(|f| {
            // The JS error object can only be made on the JS thread, in `reject`.
            self.failure = Some(f);
            Error::from_reason("seqpack work failed")
        })
    }

    fn resolve(&mut self, _env: Env, output: T) -> Result<J> {
        Ok(output.into())
    }

    fn reject(&mut self, env: Env, err: Error) -> Result<J> {
        Err(match self.failure.take() {
            Some(f) => f.into_js(&env),
            None => err,
        })
    }
}

/// Input copied off the JS heap for a worker thread.
enum OwnedLengths {
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

    /// Async packing of these lengths, cancelled through `token`.
    fn pack_async(self, options: NativeOptions, token: &CancelToken) -> AsyncTask<PackWork> {
        let flag = token.flag.clone();
        AsyncTask::new(Work::new(move || {
            let ctl = core::Control::with_flag(&flag);
            ctl.check()?;
            Ok(self.borrow().pack(&options, &ctl)?)
        }))
    }
}

pub type PackWork = Work<core::Outcome, NativePacking>;

/// Packs on the libuv pool. The lengths are copied once, here on the JS
/// thread, so later mutation by JS cannot race the worker (one export for
/// every array kind: the copy costs more than telling the kinds apart).
#[napi(js_name = "packAsync", ts_return_type = "Promise<ArrayBuffer>")]
pub fn pack_async(
    lengths: Either3<Uint32Array, Int32Array, Float64Array>,
    capacity: Option<f64>,
    strategy: Option<String>,
    extra: Option<NativeStrategyOptions>,
    token: &CancelToken,
) -> AsyncTask<PackWork> {
    let owned = match lengths {
        Either3::A(v) => OwnedLengths::U32(v.to_vec()),
        Either3::B(v) => OwnedLengths::I32(v.to_vec()),
        Either3::C(v) => OwnedLengths::F64(v.to_vec()),
    };
    owned.pack_async(NativeOptions::new(capacity, strategy, extra), token)
}

/// Context-parallel order of one packed row, lengths as a `Uint32Array` (borrowed).
#[napi(js_name = "balanceU32")]
pub fn balance_u32(env: Env, lengths: &[u32], nodes: f64) -> Result<NativeBalance> {
    guard(&env, || {
        let nodes = convert::integer(core::OptionName::Nodes, nodes)? as u32;
        Ok(core::balance::balance(lengths, nodes)?.into())
    })
}

/// Context-parallel order of one packed row, lengths as JS numbers (validated like `pack`'s).
#[napi(js_name = "balanceF64")]
pub fn balance_f64(env: Env, lengths: &[f64], nodes: f64) -> Result<NativeBalance> {
    guard(&env, || {
        let nodes = convert::integer(core::OptionName::Nodes, nodes)? as u32;
        let lengths = convert::balance_lengths_from_f64(lengths)?;
        Ok(core::balance::balance(&lengths, nodes)?.into())
    })
}

/// The strategy catalogue.
#[napi]
pub fn strategies() -> Vec<NativeStrategyInfo> {
    core::STRATEGIES
        .iter()
        .map(NativeStrategyInfo::from)
        .collect()
}

/// What the TS layer and this addon must agree on (see `output::contract`).
#[napi]
pub fn contract() -> NativeContract {
    output::contract()
}

/// Test hook, only in builds with the `test-hooks` feature (never in the
/// release binary): panics on purpose, synchronously (`"sync"`) or inside
/// async work (`"async"`), to prove panics surface as errors and Node survives.
#[cfg(feature = "test-hooks")]
#[napi(
    js_name = "panicForTesting",
    ts_return_type = "Promise<ArrayBuffer> | void"
)]
pub fn panic_for_testing(env: Env, mode: String) -> Result<Option<AsyncTask<PackWork>>> {
    if mode == "async" {
        return Ok(Some(AsyncTask::new(Work::new(|| {
            panic!("deliberate panic inside async work (test hook)")
        }))));
    }
    guard(&env, || -> std::result::Result<(), Failure> {
        panic!("deliberate panic in a synchronous export (test hook)")
    })?;
    Ok(None)
}
