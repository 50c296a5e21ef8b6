//! # seqpack-core
//!
//! Sequence packing for LLM training: put variable-length sequences into rows
//! of a fixed token budget (bins of capacity `C`) using as few rows as possible,
//! so training does not spend compute on padding.
//!
//! This crate is the whole engine and knows nothing of JavaScript: algorithms
//! ([`algorithms`]), the search structures they share ([`placement`]), input
//! validation ([`input`]), quality metrics ([`metrics`]), and context-parallel
//! ordering of a packed row ([`balance`]). The Node addon is
//! a thin conversion layer on top of [`pack`].
//!
//! ```
//! use seqpack_core::{pack, algorithms::{RawOptions, Request}, Control};
//! let req = Request::new(Some("obfd"), Some(1024.0), &RawOptions::default()).unwrap();
//! let out = pack(&[1000, 800, 600, 500, 400, 300, 200, 100], &req, &Control::none()).unwrap();
//! assert_eq!(out.packing.num_bins(), 4);
//! ```

pub mod algorithms;
pub mod balance;
pub mod control;
pub mod error;
pub mod input;
pub mod metrics;
pub mod packing;
pub mod parallel;
pub mod placement;

pub use algorithms::{RawOptions, Request, Strategy, StrategyInfo, STRATEGIES};
pub use control::Control;
pub use error::{ErrorKind, PackError, Result};
pub use input::{MAX_CAPACITY, MAX_ITEMS};
pub use metrics::Metrics;
pub use packing::Packing;

/// A packing together with its metrics.
#[derive(Clone, Debug)]
pub struct Outcome {
    pub packing: Packing,
    pub metrics: Metrics,
}

/// Validates `lengths` against the request and packs them.
///
/// Errors name the first offending element. `ctl` lets another thread cancel.
pub fn pack(lengths: &[u32], req: &Request, ctl: &Control) -> Result<Outcome> {
    // Only `obfdp` splits the linear passes over workers; every other
    // strategy gets the sequential loops.
    let workers = algorithms::workers_for(req, lengths.len());
    let max_len = input::validate_u32_with(lengths, req.capacity, &workers)?;
    // Grouped strategies run on empty input too, so the result still says
    // "zero groups" (and, if heterogeneous, "zero bin capacities").
    let packing = if lengths.is_empty() && !req.strategy.info().grouped {
        Packing::empty()
    } else {
        algorithms::run(lengths, req, max_len, ctl)?
    };
    debug_assert_eq!(packing.verify(lengths, req.capacity), Ok(()));
    let metrics = Metrics::compute_known_max(&packing, lengths, req.capacity, max_len, &workers);
    Ok(Outcome { packing, metrics })
}
