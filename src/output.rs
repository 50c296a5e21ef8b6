//! Core results to JavaScript values, and the catalogue as JavaScript sees it.

use crate::convert::{js_name, option_kind, OptionKind};
use napi::bindgen_prelude::*;
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

/// Slots of `NativePacking::metrics`, a `Float64Array`, named by their
/// `PackResult` property (a dot descends into a summary object). One small
/// typed array instead of an object tree: setting ~20 named properties on 3
/// objects cost more than the packing itself for inputs of a few thousand
/// items. The TS layer decodes by these names ([`contract`]), never by position.
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

fn metrics_array(m: &core::Metrics) -> Float64Array {
    let u = &m.utilisation;
    let c = &m.items_per_bin;
    let values: [f64; METRICS_LAYOUT.len()] = [
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
    Float64Array::new(values.to_vec())
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
    /// Slots named by `contract().metricsLayout`.
    pub metrics: Float64Array,
    /// Grouped strategies only.
    pub group_balance: Option<NativeGroupBalance>,
}

impl From<core::Outcome> for NativePacking {
    /// Hands the core's vectors to JS without copying.
    fn from(o: core::Outcome) -> Self {
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
/// the options `pack` takes and their shapes, the error codes, and the
/// metrics layout.
#[napi(object)]
pub struct NativeContract {
    pub pack_options: Vec<NativeOptionSpec>,
    pub error_codes: Vec<crate::errors::ErrorCode>,
    pub metrics_layout: Vec<String>,
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
    }
}
