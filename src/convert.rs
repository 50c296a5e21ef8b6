//! Conversions between napi values and core types.

use napi::bindgen_prelude::*;
use napi_derive::napi;
use seqpack_core as core;

/// The strategy-specific options, passed as one object only when the caller
/// gave any (most calls give none, and reading an object's properties is the
/// most expensive part of crossing the boundary for small inputs).
#[napi(object)]
#[derive(Default, Clone)]
pub struct NativeStrategyOptions {
    pub k: Option<f64>,
    pub seed: Option<f64>,
    pub threads: Option<f64>,
    pub group_size: Option<f64>,
    pub capacities: Option<Vec<f64>>,
    pub weights: Option<Vec<f64>>,
    pub layouts: Option<Vec<Vec<f64>>>,
}

/// Options as JavaScript passes them: `capacity` and `strategy` as plain
/// arguments, the rest in [`NativeStrategyOptions`]. Types were checked by the
/// TS layer; values (ranges, integrality) are validated by the core.
#[derive(Default)]
pub struct NativeOptions {
    pub capacity: Option<f64>,
    pub strategy: Option<String>,
    pub extra: Option<NativeStrategyOptions>,
}

impl NativeOptions {
    pub fn new(
        capacity: Option<f64>,
        strategy: Option<String>,
        extra: Option<NativeStrategyOptions>,
    ) -> Self {
        NativeOptions {
            capacity,
            strategy,
            extra,
        }
    }

    pub fn request(&self) -> core::Result<core::Request> {
        let raw = match &self.extra {
            Some(e) => core::RawOptions {
                k: e.k,
                seed: e.seed,
                threads: e.threads,
                group_size: e.group_size,
                capacities: e.capacities.clone(),
                weights: e.weights.clone(),
                layouts: e.layouts.clone(),
            },
            None => core::RawOptions::default(),
        };
        core::Request::new(self.strategy.as_deref(), self.capacity, &raw)
    }
}

/// Slots of `NativePacking::metrics`, a `Float64Array`. One small typed array
/// instead of an object tree: setting ~20 named properties on 3 objects cost
/// more than the packing itself for inputs of a few thousand items. The TS
/// layer (`index.ts`, `M_*` constants) reads the same layout.
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
    "lowerBoundL2",
    "gap",
];

fn metrics_array(m: &core::Metrics) -> Float64Array {
    let u = &m.utilisation;
    let c = &m.items_per_bin;
    let values: Vec<f64> = vec![
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
    ];
    debug_assert_eq!(values.len(), METRICS_LAYOUT.len());
    Float64Array::new(values)
}

/// Per-group balance (see `seqpack_core::metrics::GroupBalance`).
#[napi(object)]
pub struct NativeGroupBalance {
    pub num_groups: f64,
    pub token_spread_mean: f64,
    pub token_spread_max: f64,
    pub attention_spread_mean: f64,
    pub attention_spread_max: f64,
}

impl From<core::metrics::GroupBalance> for NativeGroupBalance {
    fn from(g: core::metrics::GroupBalance) -> Self {
        NativeGroupBalance {
            num_groups: g.num_groups as f64,
            token_spread_mean: g.token_spread_mean,
            token_spread_max: g.token_spread_max as f64,
            attention_spread_mean: g.attention_spread_mean,
            attention_spread_max: g.attention_spread_max as f64,
        }
    }
}

#[napi(object)]
pub struct NativePacking {
    pub items: Uint32Array,
    pub bin_offsets: Uint32Array,
    pub bin_loads: Uint32Array,
    pub bin_capacities: Option<Uint32Array>,
    pub group_offsets: Option<Uint32Array>,
    /// See [`METRICS_LAYOUT`].
    pub metrics: Float64Array,
    /// Grouped strategies only.
    pub group_balance: Option<NativeGroupBalance>,
}

/// Hands the core's vectors to JS without copying.
pub fn to_js(o: core::Outcome) -> NativePacking {
    let m = o.metrics;
    let p = o.packing;
    NativePacking {
        items: Uint32Array::new(p.items),
        bin_offsets: Uint32Array::new(p.bin_offsets),
        bin_loads: Uint32Array::new(p.bin_loads),
        bin_capacities: p.bin_capacities.map(Uint32Array::new),
        group_offsets: p.group_offsets.map(Uint32Array::new),
        metrics: metrics_array(&m),
        group_balance: m.groups.map(Into::into),
    }
}

/// A context-parallel order (`balance`). Loads are exact in the core (`u128`)
/// and rounded to the nearest double here.
#[napi(object)]
pub struct NativeBalance {
    pub order: Uint32Array,
    pub loads: Float64Array,
    pub mean: f64,
    pub max_deviation: f64,
    pub exact: bool,
}

impl From<core::balance::Balance> for NativeBalance {
    fn from(b: core::balance::Balance) -> Self {
        NativeBalance {
            order: Uint32Array::new(b.order),
            loads: Float64Array::new(b.loads.into_iter().map(|l| l as f64).collect()),
            mean: b.mean,
            max_deviation: b.max_deviation,
            exact: b.exact,
        }
    }
}

#[napi(object)]
pub struct NativeStrategyInfo {
    pub name: String,
    pub full_name: String,
    pub online: bool,
    pub time_complexity: String,
    pub approximation: String,
    pub options: Vec<String>,
    pub grouped: bool,
}

impl From<&core::StrategyInfo> for NativeStrategyInfo {
    fn from(s: &core::StrategyInfo) -> Self {
        NativeStrategyInfo {
            name: s.name.into(),
            full_name: s.full_name.into(),
            online: s.online,
            time_complexity: s.time_complexity.into(),
            approximation: s.approximation.into(),
            options: s.options.iter().map(|o| o.to_string()).collect(),
            grouped: s.grouped,
        }
    }
}

/// Field separator of the error protocol (ASCII unit separator).
const SEP: char = '\u{1f}';

/// Encodes a core error for the TS layer: `CODE SEP index SEP value SEP message`.
pub fn encode_error(e: &core::PackError) -> Error {
    let index = e.index.map(|i| i.to_string()).unwrap_or_default();
    let value = e.value.clone().unwrap_or_default().replace(SEP, " ");
    Error::new(
        Status::GenericFailure,
        format!(
            "{}{SEP}{index}{SEP}{value}{SEP}{}",
            e.kind.code(),
            e.message
        ),
    )
}
