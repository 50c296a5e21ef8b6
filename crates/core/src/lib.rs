//! # seqpack-core
//!
//! Sequence packing for LLM training: put variable-length sequences into rows
//! of a fixed token budget (bins of capacity `C`) using as few rows as possible,
//! so training does not spend compute on padding.
//!
//! This crate is the whole engine and knows nothing of JavaScript: algorithms
//! ([`algorithms`]), the search structures they share ([`placement`]), input
//! validation ([`input`]), quality metrics ([`metrics`]), context-parallel
//! ordering of a packed row ([`balance`]), and training rows built from
//! tokenised documents, streaming and shared-prefix merging ([`rows`]). The Node addon is
//! a thin conversion layer on top of [`pack`].
//!
//! The API is typed: a [`Strategy`], a [`Request`] built with
//! [`Request::builder`] (integer capacity and options, validated once by
//! [`RequestBuilder::build`]), and a [`PackError`] whose [`ErrorKind`] is
//! stable. The catalogue of strategies and the options each takes is
//! [`STRATEGIES`].
//!
//! ```
//! use seqpack_core::{pack, Control, Request, Strategy};
//! let req = Request::new(Strategy::Obfd, 1024).unwrap();
//! let out = pack(&[1000, 800, 600, 500, 400, 300, 200, 100], &req, &Control::none()).unwrap();
//! assert_eq!(out.packing.num_bins(), 4);
//!
//! // Options are set on the builder; ones the strategy does not take are rejected.
//! let req = Request::builder(Strategy::Ogbfd).capacity(1024).group_size(2).build().unwrap();
//! let out = pack(&[700, 600, 500], &req, &Control::none()).unwrap();
//! assert_eq!((out.packing.num_bins(), out.metrics.groups.unwrap().num_groups), (4, 2));
//! assert!(Request::builder(Strategy::Obfd).capacity(1024).k(4).build().is_err());
//! ```

pub mod algorithms;
pub mod balance;
pub mod control;
pub mod error;
pub mod guard;
pub mod input;
pub mod limits;
pub mod metrics;
pub mod packing;
pub mod parallel;
pub mod placement;
pub mod request;
pub mod rows;
pub mod strategy;

pub use control::Control;
pub use error::{ErrorKind, PackError, Result};
pub use input::{MAX_CAPACITY, MAX_ITEMS};
pub use metrics::Metrics;
pub use packing::Packing;
pub use request::{Options, Request, RequestBuilder};
pub use strategy::{Family, OptionName, Strategy, StrategyInfo, STRATEGIES};

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
    // The parallel strategies split the linear passes (validation, metrics)
    // over the same workers as the algorithm; every other one is sequential.
    let workers = algorithms::workers_for(req, lengths.len());
    let capacity = req.capacity();
    let max_len = input::validate_u32_with(lengths, capacity, &workers)?;
    // Grouped strategies run on empty input too, so the result still says
    // "zero groups" (and, if heterogeneous, "zero bin capacities").
    // The packing's own view of the lengths (a histogram, sorted sizes)
    // spares the metrics a pass over the input.
    let (packing, profile) = if lengths.is_empty() && !req.strategy().info().grouped {
        (Packing::empty(), metrics::LengthProfile::Unknown)
    } else {
        algorithms::run_profiled(lengths, req, max_len, &workers, ctl)?
    };
    guard::check_loads(&packing, lengths, capacity)?;
    debug_assert_eq!(packing.verify(lengths, capacity), Ok(()));
    let metrics =
        Metrics::compute_profiled(&packing, lengths, capacity, max_len, &workers, &profile);
    Ok(Outcome { packing, metrics })
}
