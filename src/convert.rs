//! Conversions between napi values and core types.

use napi::bindgen_prelude::*;
use napi_derive::napi;
use seqpack_core as core;

/// Options as JavaScript passes them. Types were checked by the TS layer;
/// values (ranges, integrality) are validated by the core.
#[napi(object)]
#[derive(Default)]
pub struct NativeOptions {
    pub capacity: Option<f64>,
    pub strategy: Option<String>,
    pub k: Option<f64>,
    pub seed: Option<f64>,
    pub threads: Option<f64>,
    pub group_size: Option<f64>,
    pub capacities: Option<Vec<f64>>,
    pub weights: Option<Vec<f64>>,
    pub layouts: Option<Vec<Vec<f64>>>,
}

impl NativeOptions {
    pub fn request(&self) -> core::Result<core::Request> {
        let raw = core::RawOptions {
            k: self.k,
            seed: self.seed,
            threads: self.threads,
            group_size: self.group_size,
            capacities: self.capacities.clone(),
            weights: self.weights.clone(),
            layouts: self.layouts.clone(),
        };
        core::Request::new(self.strategy.as_deref(), self.capacity, &raw)
    }
}

#[napi(object)]
pub struct NativeSummary {
    pub mean: f64,
    pub std: f64,
    pub min: f64,
    pub max: f64,
}

impl From<core::metrics::Summary> for NativeSummary {
    fn from(s: core::metrics::Summary) -> Self {
        NativeSummary { mean: s.mean, std: s.std, min: s.min, max: s.max }
    }
}

#[napi(object)]
pub struct NativeMetrics {
    pub num_bins: f64,
    pub num_items: f64,
    pub total_tokens: f64,
    pub total_capacity: f64,
    pub padding_tokens: f64,
    pub efficiency: f64,
    pub utilisation: NativeSummary,
    pub items_per_bin: NativeSummary,
    pub lower_bound_l1: f64,
    pub lower_bound_l2: f64,
    pub gap: f64,
    /// Grouped strategies only.
    pub group_balance: Option<NativeGroupBalance>,
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
    pub metrics: NativeMetrics,
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
        metrics: NativeMetrics {
            num_bins: m.num_bins as f64,
            num_items: m.num_items as f64,
            total_tokens: m.total_tokens as f64,
            total_capacity: m.total_capacity as f64,
            padding_tokens: m.padding_tokens as f64,
            efficiency: m.efficiency,
            utilisation: m.utilisation.into(),
            items_per_bin: m.items_per_bin.into(),
            lower_bound_l1: m.lower_bound_l1 as f64,
            lower_bound_l2: m.lower_bound_l2 as f64,
            gap: m.gap,
            group_balance: m.groups.map(Into::into),
        },
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
    Error::new(Status::GenericFailure, format!("{}{SEP}{index}{SEP}{value}{SEP}{}", e.kind.code(), e.message))
}
