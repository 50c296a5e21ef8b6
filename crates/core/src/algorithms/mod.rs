//! The algorithms, one module per family, and the catalogue users see through
//! `strategies()`.
//!
//! Each algorithm is a thin composition of an item order ([`order`]) and a
//! placement policy ([`crate::placement`]); the modules add only what is
//! specific to their family.

pub mod obfd;
pub mod order;

use crate::control::Control;
use crate::error::{ErrorKind, PackError, Result};
use crate::packing::Packing;

/// A packing strategy, by its short lower-case name.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Strategy {
    Obfd,
}

/// What `strategies()` reports about one strategy.
#[derive(Clone, Copy, Debug)]
pub struct StrategyInfo {
    pub strategy: Strategy,
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

/// Every strategy, in the order `strategies()` lists them.
pub const STRATEGIES: &[StrategyInfo] = &[StrategyInfo {
    strategy: Strategy::Obfd,
    name: "obfd",
    full_name: "Optimized Best-Fit Decreasing",
    online: false,
    time_complexity: "O(n + C + n log C)",
    approximation: "11/9 OPT + 6/9 (same bins as BFD)",
    options: &[],
    grouped: false,
}];

impl Strategy {
    /// Parses a short name; the error lists every valid one.
    pub fn parse(name: &str) -> Result<Strategy> {
        STRATEGIES.iter().find(|s| s.name == name).map(|s| s.strategy).ok_or_else(|| {
            let names: Vec<&str> = STRATEGIES.iter().map(|s| s.name).collect();
            let mut e = PackError::new(
                ErrorKind::UnknownStrategy,
                format!("unknown strategy {name:?}: valid strategies are {}", names.join(", ")),
            );
            e.value = Some(name.to_string());
            e
        })
    }

    pub fn info(self) -> &'static StrategyInfo {
        STRATEGIES.iter().find(|s| s.strategy == self).expect("every strategy is catalogued")
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
        if self.k.is_some() { v.push("k"); }
        if self.seed.is_some() { v.push("seed"); }
        if self.threads.is_some() { v.push("threads"); }
        if self.group_size.is_some() { v.push("groupSize"); }
        if self.capacities.is_some() { v.push("capacities"); }
        if self.weights.is_some() { v.push("weights"); }
        if self.layouts.is_some() { v.push("layouts"); }
        v
    }
}

/// A validated packing request.
#[derive(Clone, Debug)]
pub struct Request {
    pub strategy: Strategy,
    pub capacity: u32,
}

impl Request {
    /// Validates strategy name, capacity and options. Options a strategy does not
    /// take are rejected rather than silently ignored.
    pub fn new(strategy: Option<&str>, capacity: Option<f64>, raw: &RawOptions) -> Result<Request> {
        let strategy = Strategy::parse(strategy.unwrap_or("obfd"))?;
        let capacity = crate::input::capacity_from_f64(capacity)?;
        let info = strategy.info();
        for name in raw.given() {
            if !info.options.contains(&name) {
                let takes = if info.options.is_empty() { "no options".to_string() } else { info.options.join(", ") };
                return Err(PackError::new(
                    ErrorKind::InvalidOption,
                    format!("option `{name}` does not apply to strategy {:?} (it takes {takes})", info.name),
                ));
            }
        }
        Ok(Request { strategy, capacity })
    }
}

/// Runs the requested strategy on validated lengths whose largest is `max_len`.
pub fn run(lengths: &[u32], req: &Request, max_len: u32, ctl: &Control) -> Result<Packing> {
    let assignment = match req.strategy {
        Strategy::Obfd => obfd::obfd(lengths, req.capacity, max_len, ctl)?,
    };
    Ok(assignment.into_packing(lengths))
}
