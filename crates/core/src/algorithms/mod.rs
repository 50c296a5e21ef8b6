//! The algorithms, one module per family, and the catalogue users see through
//! `strategies()`.
//!
//! Each algorithm is a thin composition of an item order ([`order`]) and a
//! placement policy ([`crate::placement`]); the family modules add only what is
//! specific to them. A family module exposes two things:
//! - `CATALOG: &[StrategyInfo]`, the strategies it implements;
//! - `run(strategy, lengths, request, max_len, ctl) -> Result<Packing>`.
//!
//! Option *values* are validated once, here, in [`Request::new`], so the
//! algorithms receive typed, checked parameters.

pub mod grouped;
pub mod obfd;
pub mod obfdp;
pub mod offline;
pub mod online;
pub mod order;
pub mod runs;

use crate::control::Control;
use crate::error::{js_number, ErrorKind, PackError, Result};
use crate::input::capacity_from_f64;
use crate::packing::Packing;
use std::sync::LazyLock;

/// A packing strategy, by its short lower-case name.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Strategy {
    Nf,
    Ff,
    Bf,
    Wf,
    Hk,
    Ffd,
    Bfd,
    Ffs,
    Mffd,
    Obfd,
    Obfdp,
    Ogbfd,
    Ogbfdp,
    Ohgbfd,
    Oshgbfd,
}

/// Which module implements a strategy.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Family {
    Online,
    Offline,
    Obfd,
    Grouped,
}

/// What `strategies()` reports about one strategy.
#[derive(Clone, Copy, Debug)]
pub struct StrategyInfo {
    pub strategy: Strategy,
    pub family: Family,
    /// Short name, the value of the `strategy` option.
    pub name: &'static str,
    pub full_name: &'static str,
    /// Online strategies place items in input order without looking ahead.
    pub online: bool,
    pub time_complexity: &'static str,
    /// Worst-case approximation guarantee, as published.
    pub approximation: &'static str,
    /// Names of the options it takes (camelCase, as in JS), besides `capacity`.
    pub options: &'static [&'static str],
    /// Whether results carry groups of bins (`group_offsets`).
    pub grouped: bool,
}

/// Every implemented strategy, in the order `strategies()` lists them.
pub static STRATEGIES: LazyLock<Vec<&'static StrategyInfo>> = LazyLock::new(|| {
    online::CATALOG
        .iter()
        .chain(offline::CATALOG)
        .chain(obfd::CATALOG)
        .chain(grouped::CATALOG)
        .collect()
});

impl Strategy {
    /// Parses a short name; the error lists every valid one.
    pub fn parse(name: &str) -> Result<Strategy> {
        STRATEGIES
            .iter()
            .find(|s| s.name == name)
            .map(|s| s.strategy)
            .ok_or_else(|| {
                let names: Vec<&str> = STRATEGIES.iter().map(|s| s.name).collect();
                let mut e = PackError::new(
                    ErrorKind::UnknownStrategy,
                    format!(
                        "unknown strategy {name:?}: valid strategies are {}",
                        names.join(", ")
                    ),
                );
                e.value = Some(name.to_string());
                e
            })
    }

    pub fn info(self) -> &'static StrategyInfo {
        STRATEGIES
            .iter()
            .find(|s| s.strategy == self)
            .expect("every parsed strategy is catalogued")
    }
}

/// Strategy options as they arrive from a caller (JavaScript numbers), before validation.
#[derive(Clone, Debug, Default)]
pub struct RawOptions {
    pub k: Option<f64>,
    pub seed: Option<f64>,
    pub threads: Option<f64>,
    pub group_size: Option<f64>,
    pub capacities: Option<Vec<f64>>,
    pub weights: Option<Vec<f64>>,
    pub layouts: Option<Vec<Vec<f64>>>,
}

impl RawOptions {
    /// Names (camelCase) of the options that were given.
    pub fn given(&self) -> Vec<&'static str> {
        let mut v = Vec::new();
        if self.k.is_some() {
            v.push("k");
        }
        if self.seed.is_some() {
            v.push("seed");
        }
        if self.threads.is_some() {
            v.push("threads");
        }
        if self.group_size.is_some() {
            v.push("groupSize");
        }
        if self.capacities.is_some() {
            v.push("capacities");
        }
        if self.weights.is_some() {
            v.push("weights");
        }
        if self.layouts.is_some() {
            v.push("layouts");
        }
        v
    }
}

/// Default number of Harmonic-K classes.
pub const DEFAULT_K: u32 = 10;
/// Largest accepted `k` (each class keeps one open bin).
pub const MAX_K: u32 = 1 << 16;
/// Default shuffle seed for FFS.
pub const DEFAULT_SEED: u64 = 42;
/// Largest accepted thread count.
pub const MAX_THREADS: usize = 1024;
/// Largest accepted group size (bins per group).
pub const MAX_GROUP_SIZE: u32 = 1 << 16;

/// A validated packing request: strategy, capacity and typed options.
#[derive(Clone, Debug)]
pub struct Request {
    pub strategy: Strategy,
    /// Capacity every length is checked against. For heterogeneous strategies,
    /// the largest device capacity.
    pub capacity: u32,
    /// Harmonic-K classes (`hk`).
    pub k: u32,
    /// Shuffle seed (`ffs`).
    pub seed: u64,
    /// Worker threads (`obfdp`, `ogbfdp`); `None` = adaptive.
    pub threads: Option<usize>,
    /// Bins per group (`ogbfd`, `ogbfdp`).
    pub group_size: u32,
    /// Device capacities of one group (`ohgbfd`).
    pub capacities: Vec<u32>,
    /// Per-item weights (`ohgbfd`, `oshgbfd`); `None` = `len^2`. Length checked at pack time.
    pub weights: Option<Vec<f64>>,
    /// Allowed group layouts (`oshgbfd`).
    pub layouts: Vec<Vec<u32>>,
}

fn int_option(name: &str, v: f64, min: f64, max: f64) -> Result<f64> {
    if !v.is_finite() || v != v.trunc() {
        return Err(PackError::option(
            name,
            js_number(v),
            "it must be an integer",
        ));
    }
    if v < min || v > max {
        return Err(PackError::option(
            name,
            js_number(v),
            &format!(
                "it must be between {} and {}",
                js_number(min),
                js_number(max)
            ),
        ));
    }
    Ok(v)
}

fn capacity_list(name: &str, v: &[f64]) -> Result<Vec<u32>> {
    if v.is_empty() {
        return Err(PackError::option(
            name,
            "[]",
            "it must list at least one capacity",
        ));
    }
    v.iter()
        .enumerate()
        .map(|(i, &c)| {
            capacity_from_f64(Some(c)).map_err(|e| {
                let mut e2 = PackError::option(&format!("{name}[{i}]"), js_number(c), &e.message);
                e2.index = Some(i);
                e2
            })
        })
        .collect()
}

impl Request {
    /// Validates strategy name, capacity and options. Options a strategy does not
    /// take are rejected rather than silently ignored; required ones must be present.
    pub fn new(strategy: Option<&str>, capacity: Option<f64>, raw: &RawOptions) -> Result<Request> {
        let strategy = Strategy::parse(strategy.unwrap_or("obfd"))?;
        let info = strategy.info();
        for name in raw.given() {
            if !info.options.contains(&name) {
                let takes = if info.options.is_empty() {
                    "no options".to_string()
                } else {
                    info.options.join(", ")
                };
                return Err(PackError::new(
                    ErrorKind::InvalidOption,
                    format!(
                        "option `{name}` does not apply to strategy {:?} (it takes {takes})",
                        info.name
                    ),
                ));
            }
        }
        crate::limits::check_options(raw)?;
        let required = |name: &str| {
            PackError::new(
                ErrorKind::InvalidOption,
                format!("strategy {:?} requires option `{name}`", info.name),
            )
        };
        let k = match raw.k {
            Some(v) => int_option("k", v, 2.0, MAX_K as f64)? as u32,
            None => DEFAULT_K,
        };
        let seed = match raw.seed {
            Some(v) => int_option("seed", v, 0.0, 9_007_199_254_740_991.0)? as u64,
            None => DEFAULT_SEED,
        };
        let threads = raw
            .threads
            .map(|v| int_option("threads", v, 1.0, MAX_THREADS as f64))
            .transpose()?
            .map(|v| v as usize);
        let mut group_size = 1;
        if matches!(strategy, Strategy::Ogbfd | Strategy::Ogbfdp) {
            let v = raw.group_size.ok_or_else(|| required("groupSize"))?;
            group_size = int_option("groupSize", v, 1.0, MAX_GROUP_SIZE as f64)? as u32;
        }
        let mut capacities = Vec::new();
        let mut layouts = Vec::new();
        let mut derived_capacity = None;
        if strategy == Strategy::Ohgbfd {
            capacities = capacity_list(
                "capacities",
                raw.capacities
                    .as_deref()
                    .ok_or_else(|| required("capacities"))?,
            )?;
            derived_capacity = capacities.iter().copied().max();
        }
        if strategy == Strategy::Oshgbfd {
            let raw_layouts = raw.layouts.as_deref().ok_or_else(|| required("layouts"))?;
            if raw_layouts.is_empty() {
                return Err(PackError::option(
                    "layouts",
                    "[]",
                    "it must list at least one layout",
                ));
            }
            for (i, l) in raw_layouts.iter().enumerate() {
                layouts.push(capacity_list(&format!("layouts[{i}]"), l)?);
            }
            derived_capacity = layouts.iter().flatten().copied().max();
        }
        let weights = match &raw.weights {
            Some(w) => {
                for (i, &x) in w.iter().enumerate() {
                    if !x.is_finite() || x < 0.0 {
                        let mut e = PackError::option(
                            &format!("weights[{i}]"),
                            js_number(x),
                            "weights must be finite and non-negative",
                        );
                        e.index = Some(i);
                        return Err(e);
                    }
                }
                Some(w.clone())
            }
            None => None,
        };
        let capacity = match (derived_capacity, capacity) {
            (Some(d), None) => d,
            (Some(d), Some(c)) => {
                let c = capacity_from_f64(Some(c))?;
                if c != d {
                    let mut e = PackError::new(
                        ErrorKind::InvalidCapacity,
                        format!("capacity {c} disagrees with the largest device capacity {d}: for {:?} omit `capacity` or set it to {d}", info.name),
                    );
                    e.value = Some(c.to_string());
                    return Err(e);
                }
                c
            }
            (None, c) => capacity_from_f64(c)?,
        };
        Ok(Request {
            strategy,
            capacity,
            k,
            seed,
            threads,
            group_size,
            capacities,
            weights,
            layouts,
        })
    }
}

/// Worker count for the parallel strategies (`obfdp`, `ogbfdp`) when the
/// caller does not choose: the anchors' thresholds (`n <= 20k` -> 1,
/// `<= 100k` -> 2, `<= 500k` -> 4, else every core). Below that, splitting
/// costs more than it saves.
pub fn adaptive_threads(n: usize) -> usize {
    match n {
        0..=20_000 => 1,
        20_001..=100_000 => 2,
        100_001..=500_000 => 4,
        _ => std::thread::available_parallelism()
            .map_or(1, |c| c.get())
            .min(MAX_THREADS),
    }
}

/// The workers for the linear passes shared by all strategies (validation,
/// metrics): `obfdp`'s threads, sequential for every other strategy.
pub fn workers_for(req: &Request, n: usize) -> crate::parallel::Workers {
    match req.strategy {
        Strategy::Obfdp => obfdp::workers(req.threads, n),
        _ => crate::parallel::Workers::sequential(),
    }
}

/// Runs the requested strategy on validated, non-empty lengths whose largest is `max_len`.
pub fn run(lengths: &[u32], req: &Request, max_len: u32, ctl: &Control) -> Result<Packing> {
    if let Some(w) = &req.weights {
        if w.len() != lengths.len() {
            return Err(PackError::option(
                "weights",
                format!("an array of {}", w.len()),
                &format!("it must have one weight per length ({})", lengths.len()),
            ));
        }
    }
    match req.strategy.info().family {
        Family::Online => online::run(req.strategy, lengths, req, max_len, ctl),
        Family::Offline => offline::run(req.strategy, lengths, req, max_len, ctl),
        Family::Obfd => obfd::run(req.strategy, lengths, req, max_len, ctl),
        Family::Grouped => grouped::run(req.strategy, lengths, req, max_len, ctl),
    }
}
