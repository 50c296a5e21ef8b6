//! The online family (being implemented; its catalogue is empty until then, so
//! none of its strategies can be requested).

use super::{Request, Strategy, StrategyInfo};
use crate::control::Control;
use crate::error::Result;
use crate::packing::Packing;

/// Strategies of this family.
pub const CATALOG: &[StrategyInfo] = &[];

/// Runs a strategy of this family.
pub fn run(strategy: Strategy, _lengths: &[u32], _req: &Request, _max_len: u32, _ctl: &Control) -> Result<Packing> {
    unreachable!("{strategy:?} is not in the online family")
}
