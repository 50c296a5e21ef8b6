//! The strategy catalogue: every strategy, the options it takes, and what is
//! published about it. This table is the single source of the catalogue; the
//! bindings list it, [`crate::Request`] checks options against it, and
//! [`crate::algorithms`] dispatches on [`Strategy`].

use crate::error::{ErrorKind, PackError, Result};
use std::fmt;
use std::str::FromStr;

/// A packing strategy. [`Strategy::name`] is its short lower-case name.
/// The default is OBFD, the best general-purpose choice.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
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
    #[default]
    Obfd,
    Obfdp,
    Ogbfd,
    Ogbfdp,
    Ohgbfd,
    Oshgbfd,
}

/// Which module of [`crate::algorithms`] implements a strategy.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Family {
    Online,
    Offline,
    Obfd,
    Grouped,
}

/// A strategy option besides the capacity. Each binding spells the names its
/// own way; [`OptionName::rust_name`] is the name of the
/// [`crate::RequestBuilder`] method that sets it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum OptionName {
    /// Harmonic-K classes.
    K,
    /// Shuffle seed.
    Seed,
    /// Worker threads.
    Threads,
    /// Bins per group.
    GroupSize,
    /// Device capacities of one group.
    Capacities,
    /// Per-item weights.
    Weights,
    /// Allowed group layouts.
    Layouts,
    /// Context-parallel nodes ([`crate::balance`]).
    Nodes,
    /// Streaming: the most bins `ff`/`bf`/`wf` keep open ([`crate::rows::StreamPacker`]).
    MaxOpen,
    /// Streaming: documents per window packed offline ([`crate::rows::StreamPacker`]).
    Window,
    /// Prefix merge: shortest shared prefix worth merging ([`crate::rows::merge_prefixes`]).
    MinPrefix,
    /// Prefix merge: longest merged sequence ([`crate::rows::merge_prefixes`]).
    MaxLength,
    /// Rows: what happens to a document longer than the capacity.
    Overflow,
    /// Rows: which label convention.
    Labels,
    /// Rows: the token id of padding.
    PadId,
    /// Rows: the label of positions not trained on.
    IgnoreIndex,
    /// The strategy itself (when it does not fit the call, e.g. streaming
    /// without a window needs an online one).
    Strategy,
}

impl OptionName {
    /// Every option, in a fixed order.
    pub const ALL: [OptionName; 17] = [
        OptionName::K,
        OptionName::Seed,
        OptionName::Threads,
        OptionName::GroupSize,
        OptionName::Capacities,
        OptionName::Weights,
        OptionName::Layouts,
        OptionName::Nodes,
        OptionName::MaxOpen,
        OptionName::Window,
        OptionName::MinPrefix,
        OptionName::MaxLength,
        OptionName::Overflow,
        OptionName::Labels,
        OptionName::PadId,
        OptionName::IgnoreIndex,
        OptionName::Strategy,
    ];

    pub const fn rust_name(self) -> &'static str {
        match self {
            OptionName::K => "k",
            OptionName::Seed => "seed",
            OptionName::Threads => "threads",
            OptionName::GroupSize => "group_size",
            OptionName::Capacities => "capacities",
            OptionName::Weights => "weights",
            OptionName::Layouts => "layouts",
            OptionName::Nodes => "nodes",
            OptionName::MaxOpen => "max_open",
            OptionName::Window => "window",
            OptionName::MinPrefix => "min_prefix",
            OptionName::MaxLength => "max_length",
            OptionName::Overflow => "overflow",
            OptionName::Labels => "labels",
            OptionName::PadId => "pad_id",
            OptionName::IgnoreIndex => "ignore_index",
            OptionName::Strategy => "strategy",
        }
    }

    /// Inclusive range of an integer option, `None` for list options.
    pub const fn integer_range(self) -> Option<(u64, u64)> {
        match self {
            OptionName::K => Some((2, MAX_K as u64)),
            OptionName::Seed => Some((0, u64::MAX)),
            OptionName::Threads => Some((1, MAX_THREADS as u64)),
            OptionName::GroupSize => Some((1, MAX_GROUP_SIZE as u64)),
            OptionName::Nodes => Some((1, MAX_NODES as u64)),
            OptionName::MaxOpen | OptionName::Window => Some((1, u32::MAX as u64)),
            OptionName::MinPrefix | OptionName::MaxLength => Some((1, u32::MAX as u64)),
            // Token ids: any `i32`, checked by the binding.
            OptionName::PadId | OptionName::IgnoreIndex => None,
            OptionName::Capacities
            | OptionName::Weights
            | OptionName::Layouts
            | OptionName::Overflow
            | OptionName::Labels
            | OptionName::Strategy => None,
        }
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
/// Largest accepted node count for [`crate::balance`].
pub const MAX_NODES: u32 = 1 << 16;

/// What the catalogue says about one strategy.
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
    /// The options it takes besides the capacity.
    pub options: &'static [OptionName],
    /// Options it cannot run without.
    pub required: &'static [OptionName],
    /// Whether results carry groups of bins (`group_offsets`).
    pub grouped: bool,
}

// One row of the table below, positional so the table reads as a table.
#[allow(clippy::too_many_arguments)]
const fn info(
    strategy: Strategy,
    family: Family,
    name: &'static str,
    full_name: &'static str,
    time_complexity: &'static str,
    approximation: &'static str,
    options: &'static [OptionName],
    required: &'static [OptionName],
) -> StrategyInfo {
    StrategyInfo {
        strategy,
        family,
        name,
        full_name,
        online: matches!(family, Family::Online),
        time_complexity,
        approximation,
        options,
        required,
        grouped: matches!(family, Family::Grouped),
    }
}

use Family as F;
use OptionName as O;
use Strategy as S;

/// Every implemented strategy, in the order the bindings list them.
pub static STRATEGIES: [StrategyInfo; 15] = [
    info(
        S::Nf,
        F::Online,
        "nf",
        "Next-Fit",
        "O(n)",
        "2 OPT",
        &[],
        &[],
    ),
    info(
        S::Ff,
        F::Online,
        "ff",
        "First-Fit",
        "O(n log B), B = bins",
        "1.7 OPT",
        &[],
        &[],
    ),
    info(
        S::Bf,
        F::Online,
        "bf",
        "Best-Fit",
        "O(n log C)",
        "1.7 OPT",
        &[],
        &[],
    ),
    info(
        S::Wf,
        F::Online,
        "wf",
        "Worst-Fit",
        "O(n log C)",
        "2 OPT",
        &[],
        &[],
    ),
    info(
        S::Hk,
        F::Online,
        "hk",
        "Harmonic-K",
        "O(n) time, O(k) open bins",
        "~1.691 OPT as k -> infinity (Lee & Lee 1985)",
        &[O::K],
        &[],
    ),
    info(
        S::Ffd,
        F::Offline,
        "ffd",
        "First-Fit Decreasing",
        "O(n + L + r log B), L = longest item, r = runs (<= n), B = bins",
        "11/9 OPT + 6/9",
        &[],
        &[],
    ),
    info(
        S::Bfd,
        F::Offline,
        "bfd",
        "Best-Fit Decreasing",
        "O(n + L + C + r log C), L = longest item, r = runs (<= n)",
        "11/9 OPT + 6/9",
        &[],
        &[],
    ),
    info(
        S::Ffs,
        F::Offline,
        "ffs",
        "First-Fit Shuffle",
        "O(n + n log B), B = bins",
        "1.7 OPT (First-Fit's bound: the order is random)",
        &[O::Seed],
        &[],
    ),
    info(
        S::Mffd,
        F::Offline,
        "mffd",
        "Modified First-Fit Decreasing",
        "O(n + L + r log B), L = longest item, r = runs (<= n), B = bins",
        "71/60 OPT + 1 (Johnson & Garey 1985; +1 by Yue & Zhang 1995)",
        &[],
        &[],
    ),
    info(
        S::Obfd,
        F::Obfd,
        "obfd",
        "Optimized Best-Fit Decreasing",
        "O(n + C + n log C)",
        "11/9 OPT + 6/9 (same bins as BFD)",
        &[],
        &[],
    ),
    info(
        S::Obfdp,
        F::Obfd,
        "obfdp",
        "Parallel Optimized Best-Fit Decreasing",
        "O(n/T + C + r log C) with T threads, r runs (<= n)",
        "11/9 OPT + 6/9 (exactly OBFD's bins)",
        &[O::Threads],
        &[],
    ),
    info(
        S::Ogbfd,
        F::Grouped,
        "ogbfd",
        "Optimized Grouped Best-Fit Decreasing",
        "O(n + C + n (log C + log G)), G = bins per group",
        "none published; every group has exactly the given number of bins",
        &[O::GroupSize],
        &[O::GroupSize],
    ),
    info(
        S::Ogbfdp,
        F::Grouped,
        "ogbfdp",
        "Parallel Optimized Grouped Best-Fit Decreasing",
        "O(n + C + (n / T)(log C + log G)) with T threads",
        "as OGBFD, plus at most T - 1 extra groups",
        &[O::GroupSize, O::Threads],
        &[O::GroupSize],
    ),
    info(
        S::Ohgbfd,
        F::Grouped,
        "ohgbfd",
        "Optimized Heterogeneous Grouped Best-Fit Decreasing",
        "O(n log n + (n + B) log B), B = bins",
        "none published; one bin per device capacity in every group",
        &[O::Capacities, O::Weights],
        &[O::Capacities],
    ),
    info(
        S::Oshgbfd,
        F::Grouped,
        "oshgbfd",
        "Optimized Selectable-Heterogeneous Grouped Best-Fit Decreasing",
        "O(n log n + (n + B) log B), B = bins",
        "none published; every group follows one of the given layouts",
        &[O::Layouts, O::Weights],
        &[O::Layouts],
    ),
];

impl Strategy {
    /// The strategy with this short name, if any.
    pub fn from_name(name: &str) -> Option<Strategy> {
        STRATEGIES
            .iter()
            .find(|s| s.name == name)
            .map(|s| s.strategy)
    }

    pub fn info(self) -> &'static StrategyInfo {
        // The table lists the variants in declaration order (tested below).
        &STRATEGIES[self as usize]
    }

    pub fn name(self) -> &'static str {
        self.info().name
    }

    pub fn takes(self, option: OptionName) -> bool {
        self.info().options.contains(&option)
    }
}

impl FromStr for Strategy {
    type Err = PackError;

    /// Parses a short name; the error lists every valid one.
    fn from_str(name: &str) -> Result<Strategy> {
        Strategy::from_name(name).ok_or_else(|| {
            let names: Vec<&str> = STRATEGIES.iter().map(|s| s.name).collect();
            PackError::new(
                ErrorKind::UnknownStrategy,
                format!(
                    "unknown strategy {name:?}: valid strategies are {}",
                    names.join(", ")
                ),
            )
            .value(name)
        })
    }
}

impl fmt::Display for Strategy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_is_in_declaration_order_and_names_are_unique() {
        for (i, s) in STRATEGIES.iter().enumerate() {
            assert_eq!(s.strategy as usize, i, "{}", s.name);
            assert_eq!(Strategy::from_name(s.name), Some(s.strategy));
            assert!(s.required.iter().all(|r| s.options.contains(r)));
        }
        assert_eq!(
            "nope".parse::<Strategy>().unwrap_err().kind,
            ErrorKind::UnknownStrategy
        );
    }
}
