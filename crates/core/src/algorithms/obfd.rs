//! OBFD, Optimized Best-Fit Decreasing (Ding et al. 2024, "Fewer Truncations
//! Improve Language Modeling").
//!
//! Best-fit decreasing made fast by two observations about sequence lengths:
//! they are small integers (so a counting sort beats a comparison sort), and a
//! bin is fully described by its remaining capacity, also a small integer (so
//! "the fullest bin that still fits" is a successor query over `0..=C` on a
//! [`RemainingIndex`](crate::placement::RemainingIndex) instead of a scan).
//!
//! - Time: `O(n + C)` for the sort and index setup, `O(log64 C)` per item.
//! - Memory: `O(n + C)`; above [`DENSE_LIMIT`](crate::placement::DENSE_LIMIT)
//!   the index switches to an ordered map so a capacity of `2^31` costs nothing extra.
//! - Ties: equal lengths are placed in ascending input index; among bins with
//!   equal remaining capacity the one that reached it last is chosen. The bins
//!   are exactly those of plain BFD with the same tie-breaks.

use super::order;
use crate::control::Control;
use crate::error::Result;
use crate::packing::Assignment;
use crate::placement;

/// Packs `lengths` (validated, each in `1..=capacity`, largest `max_len`).
pub fn obfd(lengths: &[u32], capacity: u32, max_len: u32, ctl: &Control) -> Result<Assignment> {
    let order = order::decreasing(lengths, max_len);
    ctl.check()?;
    placement::best_fit(lengths, order, capacity, ctl)
}

use super::{Family, Request, Strategy, StrategyInfo};
use crate::packing::Packing;

/// Strategies of this family.
pub const CATALOG: &[StrategyInfo] = &[StrategyInfo {
    strategy: Strategy::Obfd,
    family: Family::Obfd,
    name: "obfd",
    full_name: "Optimized Best-Fit Decreasing",
    online: false,
    time_complexity: "O(n + C + n log C)",
    approximation: "11/9 OPT + 6/9 (same bins as BFD)",
    options: &[],
    grouped: false,
}, StrategyInfo {
    strategy: Strategy::Obfdp,
    family: Family::Obfd,
    name: "obfdp",
    full_name: "Parallel Optimized Best-Fit Decreasing",
    online: false,
    time_complexity: "O(n + C + (n/T) log C) with T threads",
    approximation: "no published bound; within 0.5% of OBFD's bins on large inputs (tested)",
    options: &["threads"],
    grouped: false,
}];

/// Runs a strategy of this family.
pub fn run(strategy: Strategy, lengths: &[u32], req: &Request, max_len: u32, ctl: &Control) -> Result<Packing> {
    match strategy {
        Strategy::Obfd => Ok(obfd(lengths, req.capacity, max_len, ctl)?.into_packing(lengths)),
        Strategy::Obfdp => Ok(super::obfdp::obfdp(lengths, req.capacity, max_len, req.threads, ctl)?.into_packing(lengths)),
        other => unreachable!("{other:?} is not in the OBFD family"),
    }
}
