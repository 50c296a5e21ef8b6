//! Core results to JavaScript values, and the catalogue as JavaScript sees it.

use crate::convert::{js_name, option_kind, OptionKind};
use napi::bindgen_prelude::{ToNapiValue, TypeName, ValueType};
use napi::sys;
use napi_derive::napi;
use seqpack_core::{self as core, OptionName, Strategy};

/// Short names of the strategies, as the `strategy` option takes them.
/// [`to_js_strategy`] is exhaustive, so a core strategy without a name here
/// does not compile; a vitest contract test checks the names match the core's.
#[napi(string_enum)]
pub enum StrategyName {
    #[napi(value = "nf")]
    Nf,
    #[napi(value = "ff")]
    Ff,
    #[napi(value = "bf")]
    Bf,
    #[napi(value = "wf")]
    Wf,
    #[napi(value = "hk")]
    Hk,
    #[napi(value = "ffd")]
    Ffd,
    #[napi(value = "bfd")]
    Bfd,
    #[napi(value = "ffs")]
    Ffs,
    #[napi(value = "mffd")]
    Mffd,
    #[napi(value = "obfd")]
    Obfd,
    #[napi(value = "obfdp")]
    Obfdp,
    #[napi(value = "ogbfd")]
    Ogbfd,
    #[napi(value = "ogbfdp")]
    Ogbfdp,
    #[napi(value = "ohgbfd")]
    Ohgbfd,
    #[napi(value = "oshgbfd")]
    Oshgbfd,
}

fn to_js_strategy(s: Strategy) -> StrategyName {
    match s {
        Strategy::Nf => StrategyName::Nf,
        Strategy::Ff => StrategyName::Ff,
        Strategy::Bf => StrategyName::Bf,
        Strategy::Wf => StrategyName::Wf,
        Strategy::Hk => StrategyName::Hk,
        Strategy::Ffd => StrategyName::Ffd,
        Strategy::Bfd => StrategyName::Bfd,
        Strategy::Ffs => StrategyName::Ffs,
        Strategy::Mffd => StrategyName::Mffd,
        Strategy::Obfd => StrategyName::Obfd,
        Strategy::Obfdp => StrategyName::Obfdp,
        Strategy::Ogbfd => StrategyName::Ogbfd,
        Strategy::Ogbfdp => StrategyName::Ogbfdp,
        Strategy::Ohgbfd => StrategyName::Ohgbfd,
        Strategy::Oshgbfd => StrategyName::Oshgbfd,
    }
}

/// The metrics as `f64` slots (the start of a [`NativePacking`] header, and
/// `metrics` of the row outputs), named by their `PackResult` property (a dot
/// descends into a summary object). Slots instead of an object tree: setting
/// ~20 named properties on 3 objects cost more than the packing itself for
/// inputs of a few thousand items. The TS layer decodes by these names
/// ([`contract`]), never by position.
pub const METRICS_LAYOUT: [&str; 17] = [
    "numBins",
    "numItems",
    "totalTokens",
    "totalCapacity",
    "paddingTokens",
    "efficiency",
    "utilisation.mean",
    "utilisation.std",
    "utilisation.min",
    "utilisation.max",
    "itemsPerBin.mean",
    "itemsPerBin.std",
    "itemsPerBin.min",
    "itemsPerBin.max",
    "lowerBoundL1",
    "lowerBound",
    "gap",
];

/// Output typed arrays whose memory V8 owns.
///
/// Each type holds the core's `Vec` until napi converts the result; then it
/// allocates an ordinary (V8-owned) `ArrayBuffer` through napi, copies the
/// `Vec` into it and frees the `Vec` at once. Why not hand the `Vec` over as
/// an external buffer (no copy): Node runs the finalizers of external buffers
/// only on a later event-loop turn, so a synchronous loop that drops its
/// results keeps every one of them alive (a loop of `pack()` on 100k items
/// grew past 1 GB). A V8-owned buffer is reported to the GC as it is made
/// and freed by the GC alone, so memory stays flat without yielding. The
/// copy is one `memcpy` into memory the caller would have faulted in anyway.
///
/// The names are the JS ones so the generated `native.d.ts` says
/// `Uint32Array` etc. Output only: they are never read back from JS.
pub mod v8 {
    use napi::bindgen_prelude::{ToNapiValue, TypeName, ValueType};
    use napi::{check_status, sys, Env, Result};
    use std::ptr;

    /// A fresh V8-owned `ArrayBuffer` of `bytes` bytes: the buffer and the
    /// start of its (zeroed) memory. Every output allocation goes through
    /// here, so all of them are reported to the GC as they are made.
    pub(crate) fn array_buffer(
        env: sys::napi_env,
        bytes: usize,
    ) -> Result<(sys::napi_value, *mut u8)> {
        let mut data: *mut std::ffi::c_void = ptr::null_mut();
        let mut buffer = ptr::null_mut();
        check_status!(
            unsafe { sys::napi_create_arraybuffer(env, bytes, &mut data, &mut buffer) },
            "could not allocate an output ArrayBuffer of {} bytes",
            bytes
        )?;
        Ok((buffer, data.cast()))
    }

    /// A fresh V8-owned typed array of `len` elements of `elem` bytes:
    /// the array and the start of its (zeroed) memory.
    fn create(
        env: sys::napi_env,
        kind: sys::napi_typedarray_type,
        len: usize,
        elem: usize,
    ) -> Result<(sys::napi_value, *mut u8)> {
        let (buffer, data) = array_buffer(env, len * elem)?;
        let mut array = ptr::null_mut();
        check_status!(
            unsafe { sys::napi_create_typedarray(env, kind, len, buffer, 0, &mut array) },
            "could not create an output typed array"
        )?;
        Ok((array, data))
    }

    /// Where an output's elements are: still in the core's `Vec` (copied
    /// into a V8-owned buffer on conversion), or already in one.
    enum Store<T> {
        Vec(Vec<T>),
        Js(sys::napi_value),
    }

    macro_rules! v8_owned {
        ($name:ident, $t:ty, $kind:expr) => {
            #[doc = concat!("A `", stringify!($name), "` output, V8-owned once converted.")]
            pub struct $name(Store<$t>);

            impl $name {
                /// A V8-owned array of `len` zeroed elements, made now, and its
                /// memory, for the core to write in place (no copy on
                /// conversion).
                ///
                /// # Safety
                /// The slice is valid while the array is alive: use it only
                /// before the current napi call returns (the handle keeps the
                /// array alive until then; V8 never moves the memory of an
                /// `ArrayBuffer`), and not once JavaScript can see the array.
                #[allow(dead_code)] // not every element type is written in place
                pub(crate) unsafe fn alloc<'a>(
                    env: &Env,
                    len: usize,
                ) -> Result<(Self, &'a mut [$t])> {
                    let (array, data) = create(env.raw(), $kind, len, std::mem::size_of::<$t>())?;
                    let slice: &mut [$t] = if len == 0 {
                        &mut []
                    } else {
                        // SAFETY: napi gave `len` elements of writable, zeroed
                        // memory at `data`, aligned for any element type
                        // (the allocator's alignment), owned by the new
                        // buffer and referenced nowhere else yet.
                        unsafe { std::slice::from_raw_parts_mut(data.cast::<$t>(), len) }
                    };
                    Ok(($name(Store::Js(array)), slice))
                }
            }

            impl TypeName for $name {
                fn type_name() -> &'static str {
                    stringify!($name)
                }
                fn value_type() -> ValueType {
                    ValueType::Object
                }
            }

            impl ToNapiValue for $name {
                unsafe fn to_napi_value(env: sys::napi_env, val: Self) -> Result<sys::napi_value> {
                    let v = match val.0 {
                        Store::Js(array) => return Ok(array),
                        Store::Vec(v) => v,
                    };
                    let (array, data) = create(env, $kind, v.len(), std::mem::size_of::<$t>())?;
                    let bytes = std::mem::size_of_val(v.as_slice());
                    if bytes > 0 {
                        // SAFETY: napi gave `bytes` writable bytes at `data`; the
                        // source is a live Vec of exactly `bytes` bytes; they
                        // cannot overlap (one is V8's fresh allocation).
                        unsafe { ptr::copy_nonoverlapping(v.as_ptr().cast::<u8>(), data, bytes) };
                    }
                    Ok(array)
                }
            }

            impl From<Vec<$t>> for $name {
                fn from(v: Vec<$t>) -> Self {
                    $name(Store::Vec(v))
                }
            }
        };
    }
    v8_owned!(Uint8Array, u8, sys::TypedarrayType::uint8_array);
    v8_owned!(Int32Array, i32, sys::TypedarrayType::int32_array);
    v8_owned!(Uint32Array, u32, sys::TypedarrayType::uint32_array);
    v8_owned!(Float64Array, f64, sys::TypedarrayType::float64_array);
}

/// A Rust `Vec` that becomes a JS typed array of the matching kind.
pub trait TypedElement: Sized {
    type Array: From<Vec<Self>>;
}
impl TypedElement for u8 {
    type Array = v8::Uint8Array;
}
impl TypedElement for i32 {
    type Array = v8::Int32Array;
}
impl TypedElement for u32 {
    type Array = v8::Uint32Array;
}
impl TypedElement for f64 {
    type Array = v8::Float64Array;
}

/// The one way every output `Vec` is handed to JavaScript as a typed array:
/// copied into a V8-owned buffer when the result is converted (see [`v8`]).
/// Keep every typed output going through here so the allocation policy
/// stays in one place.
pub fn js_array<T: TypedElement>(v: Vec<T>) -> T::Array {
    T::Array::from(v)
}

pub(crate) fn metrics_array(m: &core::Metrics) -> v8::Float64Array {
    js_array(metrics_values(m).to_vec())
}

/// The metrics in [`METRICS_LAYOUT`] order.
fn metrics_values(m: &core::Metrics) -> [f64; METRICS_LAYOUT.len()] {
    let u = &m.utilisation;
    let c = &m.items_per_bin;
    [
        m.num_bins as f64,
        m.num_items as f64,
        m.total_tokens as f64,
        m.total_capacity as f64,
        m.padding_tokens as f64,
        m.efficiency,
        u.mean,
        u.std,
        u.min,
        u.max,
        c.mean,
        c.std,
        c.min,
        c.max,
        m.lower_bound_l1 as f64,
        m.lower_bound_l2 as f64,
        m.gap,
    ]
}

/// Slots of the header of a packed `pack` result ([`NativePacking`]), named
/// by their `PackResult` property (a dot descends into an object): the
/// metrics of [`METRICS_LAYOUT`], then the lengths of the optional arrays
/// (`-1` when absent) and the group balance (`NaN` without groups). The TS
/// layer decodes by these names ([`contract`]), never by position.
pub const PACKING_LAYOUT: [&str; METRICS_LAYOUT.len() + 7] = {
    const EXTRA: [&str; 7] = [
        "binCapacities.length",
        "groupOffsets.length",
        "groupBalance.numGroups",
        "groupBalance.tokenSpreadMean",
        "groupBalance.tokenSpreadMax",
        "groupBalance.attentionSpreadMean",
        "groupBalance.attentionSpreadMax",
    ];
    let mut out = [""; METRICS_LAYOUT.len() + 7];
    let mut i = 0;
    while i < out.len() {
        out[i] = if i < METRICS_LAYOUT.len() {
            METRICS_LAYOUT[i]
        } else {
            EXTRA[i - METRICS_LAYOUT.len()]
        };
        i += 1;
    }
    out
};

/// `pack`'s whole result as ONE V8-owned `ArrayBuffer`: a header of `f64`
/// slots named by [`PACKING_LAYOUT`], then the `u32` arrays `items`
/// (`numItems`), `binOffsets` (`numBins + 1`), `binLoads` (`numBins`), and,
/// when their header length is not `-1`, `binCapacities` and `groupOffsets`.
/// The TS layer makes typed-array views onto it.
///
/// Why one buffer: a small call's cost was mostly the boundary, not the
/// packing: four `ArrayBuffer` + typed-array pairs, an object with seven
/// named properties and a nested object, each a napi call (and every named
/// property an interned-string lookup). One allocation and one copy per
/// array cost the same for large results and a fraction for small ones. The
/// buffer is V8-owned for the reasons given in [`v8`].
pub struct NativePacking(pub(crate) core::Outcome);

impl From<core::Outcome> for NativePacking {
    fn from(o: core::Outcome) -> Self {
        NativePacking(o)
    }
}

impl NativePacking {
    /// The header values, in [`PACKING_LAYOUT`] order.
    fn header(&self) -> [f64; PACKING_LAYOUT.len()] {
        let mut h = [0.0; PACKING_LAYOUT.len()];
        let m = metrics_values(&self.0.metrics);
        h[..m.len()].copy_from_slice(&m);
        let p = &self.0.packing;
        let len_or_absent = |a: &Option<Vec<u32>>| a.as_ref().map_or(-1.0, |v| v.len() as f64);
        let g = self.0.metrics.groups.as_ref();
        let extra = [
            len_or_absent(&p.bin_capacities),
            len_or_absent(&p.group_offsets),
            g.map_or(f64::NAN, |g| g.num_groups as f64),
            g.map_or(f64::NAN, |g| g.token_spread_mean),
            g.map_or(f64::NAN, |g| g.token_spread_max as f64),
            g.map_or(f64::NAN, |g| g.attention_spread_mean),
            g.map_or(f64::NAN, |g| g.attention_spread_max as f64),
        ];
        h[m.len()..].copy_from_slice(&extra);
        h
    }
}

impl TypeName for NativePacking {
    fn type_name() -> &'static str {
        "ArrayBuffer"
    }
    fn value_type() -> ValueType {
        ValueType::Object
    }
}

impl ToNapiValue for NativePacking {
    unsafe fn to_napi_value(env: sys::napi_env, val: Self) -> napi::Result<sys::napi_value> {
        let header = val.header();
        let p = &val.0.packing;
        let arrays: [&[u32]; 5] = [
            &p.items,
            &p.bin_offsets,
            &p.bin_loads,
            p.bin_capacities.as_deref().unwrap_or(&[]),
            p.group_offsets.as_deref().unwrap_or(&[]),
        ];
        let bytes = std::mem::size_of_val(&header)
            + arrays.iter().map(|a| std::mem::size_of_val(*a)).sum::<usize>();
        let (buffer, data) = v8::array_buffer(env, bytes)?;
        // SAFETY: napi gave `bytes` writable bytes at `data`, exactly the
        // header plus the arrays; every source is a live slice of the sizes
        // summed above, and none overlaps V8's fresh allocation.
        unsafe {
            let mut at = data;
            let header_bytes = std::mem::size_of_val(&header);
            std::ptr::copy_nonoverlapping(header.as_ptr().cast::<u8>(), at, header_bytes);
            at = at.add(header_bytes);
            for a in arrays {
                let n = std::mem::size_of_val(a);
                std::ptr::copy_nonoverlapping(a.as_ptr().cast::<u8>(), at, n);
                at = at.add(n);
            }
        }
        Ok(buffer)
    }
}

/// A context-parallel order (`balance`). Loads are exact in the core (`u128`)
/// and rounded to the nearest double here.
#[napi(object, object_from_js = false)]
pub struct NativeBalance {
    pub order: v8::Uint32Array,
    pub loads: v8::Float64Array,
    pub mean: f64,
    pub max_deviation: f64,
    pub exact: bool,
}

impl From<core::balance::Balance> for NativeBalance {
    fn from(b: core::balance::Balance) -> Self {
        NativeBalance {
            order: js_array(b.order),
            loads: js_array(b.loads.into_iter().map(|l| l as f64).collect()),
            mean: b.mean,
            max_deviation: b.max_deviation,
            exact: b.exact,
        }
    }
}

#[napi(object)]
pub struct NativeStrategyInfo {
    pub name: StrategyName,
    pub full_name: String,
    pub online: bool,
    pub time_complexity: String,
    pub approximation: String,
    /// JS names of the options it takes besides `capacity`.
    pub options: Vec<String>,
    pub grouped: bool,
}

impl From<&core::StrategyInfo> for NativeStrategyInfo {
    fn from(s: &core::StrategyInfo) -> Self {
        NativeStrategyInfo {
            name: to_js_strategy(s.strategy),
            full_name: s.full_name.into(),
            online: s.online,
            time_complexity: s.time_complexity.into(),
            approximation: s.approximation.into(),
            options: s.options.iter().map(|&o| js_name(o).into()).collect(),
            grouped: s.grouped,
        }
    }
}

/// One strategy option: its JS name and the shape of its value.
#[napi(object)]
pub struct NativeOptionSpec {
    pub name: String,
    pub kind: OptionKind,
    /// Most entries a list option may have (checked before it is converted).
    pub max_length: Option<u32>,
}

/// Everything the TS layer must agree on with this addon, read once at load:
/// the options `pack` takes and their shapes, the error codes, the metrics
/// layout and the header layout of a packed `pack` result.
#[napi(object)]
pub struct NativeContract {
    pub pack_options: Vec<NativeOptionSpec>,
    pub error_codes: Vec<crate::errors::ErrorCode>,
    pub metrics_layout: Vec<String>,
    /// Header slots of a packed `pack` result (see [`NativePacking`]).
    pub packing_layout: Vec<String>,
}

pub fn contract() -> NativeContract {
    let pack_options = OptionName::ALL
        .iter()
        .filter(|&&o| core::STRATEGIES.iter().any(|s| s.options.contains(&o)))
        .map(|&o| NativeOptionSpec {
            name: js_name(o).into(),
            kind: option_kind(o),
            max_length: crate::convert::max_length(o),
        })
        .collect();
    NativeContract {
        pack_options,
        error_codes: crate::errors::ErrorCode::all().to_vec(),
        metrics_layout: METRICS_LAYOUT.iter().map(|s| s.to_string()).collect(),
        packing_layout: PACKING_LAYOUT.iter().map(|s| s.to_string()).collect(),
    }
}

/// Packed training rows (see `seqpack_core::rows::PackedRows`). Metrics use
/// the layout of [`METRICS_LAYOUT`]; `overflow` is `[split, truncated,
/// dropped, tokensLost]`.
#[napi(object, object_from_js = false)]
pub struct NativePackedRows {
    pub capacity: u32,
    pub num_rows: f64,
    pub input_ids: v8::Int32Array,
    pub labels: v8::Int32Array,
    pub position_ids: v8::Int32Array,
    pub attention_mask: v8::Uint8Array,
    pub row_segments: v8::Uint32Array,
    pub segment_doc: v8::Uint32Array,
    pub segment_start: v8::Uint32Array,
    pub segment_length: v8::Uint32Array,
    pub max_seqlen: u32,
    pub metrics: v8::Float64Array,
    pub overflow: v8::Float64Array,
    pub row_bin: v8::Uint32Array,
    pub group_offsets: Option<v8::Uint32Array>,
}

/// The four token arrays of rows, as JS outputs.
pub struct RowArrays {
    pub input_ids: v8::Int32Array,
    pub labels: v8::Int32Array,
    pub position_ids: v8::Int32Array,
    pub attention_mask: v8::Uint8Array,
}

impl NativePackedRows {
    /// The rows of `layout` with its token arrays `arrays`.
    pub fn new(l: core::rows::RowsLayout, arrays: RowArrays) -> Self {
        let o = &l.overflow;
        NativePackedRows {
            capacity: l.capacity,
            num_rows: l.num_rows as f64,
            metrics: metrics_array(&l.metrics),
            overflow: js_array(vec![
                o.split as f64,
                o.truncated as f64,
                o.dropped as f64,
                o.tokens_lost as f64,
            ]),
            input_ids: arrays.input_ids,
            labels: arrays.labels,
            position_ids: arrays.position_ids,
            attention_mask: arrays.attention_mask,
            row_segments: js_array(l.row_segments),
            segment_doc: js_array(l.segment_doc),
            segment_start: js_array(l.segment_start),
            segment_length: js_array(l.segment_length),
            max_seqlen: l.max_seqlen,
            row_bin: js_array(l.row_bin),
            group_offsets: l.group_offsets.map(js_array),
        }
    }
}

impl From<core::rows::PackedRows> for NativePackedRows {
    fn from(r: core::rows::PackedRows) -> Self {
        let arrays = RowArrays {
            input_ids: js_array(r.input_ids),
            labels: js_array(r.labels),
            position_ids: js_array(r.position_ids),
            attention_mask: js_array(r.attention_mask),
        };
        NativePackedRows::new(r.layout, arrays)
    }
}

/// Shared-prefix merge (see `seqpack_core::rows::PrefixMerge`).
#[napi(object, object_from_js = false)]
pub struct NativePrefixMerge {
    pub tokens: v8::Int32Array,
    pub parent: v8::Int32Array,
    pub position: v8::Int32Array,
    pub seq_offsets: v8::Uint32Array,
    pub member_offsets: v8::Uint32Array,
    pub member_doc: v8::Uint32Array,
    pub span_offsets: v8::Uint32Array,
    pub span_start: v8::Uint32Array,
    pub span_len: v8::Uint32Array,
    pub attention_pairs: v8::Float64Array,
    /** Tokens in the input documents (compare with `tokens.length` for the saving). */
    pub tokens_in: f64,
}

impl From<core::rows::PrefixMerge> for NativePrefixMerge {
    fn from(m: core::rows::PrefixMerge) -> Self {
        NativePrefixMerge {
            tokens: js_array(m.tokens),
            parent: js_array(m.parent),
            position: js_array(m.position),
            seq_offsets: js_array(m.seq_offsets),
            member_offsets: js_array(m.member_offsets),
            member_doc: js_array(m.member_doc),
            span_offsets: js_array(m.span_offsets),
            span_start: js_array(m.span_start),
            span_len: js_array(m.span_len),
            attention_pairs: js_array(m.attention_pairs.into_iter().map(|x| x as f64).collect()),
            tokens_in: m.tokens_in as f64,
        }
    }
}
