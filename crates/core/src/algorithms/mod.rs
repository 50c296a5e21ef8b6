//! The algorithms, one module per family, and the dispatch from a
//! [`Request`] to them.
//!
//! Each algorithm is a thin composition of an item order ([`order`]) and a
//! placement policy ([`crate::placement`]); the family modules add only what is
//! specific to them and take plain typed parameters. The catalogue lives in
//! [`crate::strategy`], option validation in [`crate::request`]; this module
//! only decides the worker threads (once, here) and calls the family.

pub mod grouped;
pub mod obfd;
pub mod offline;
pub mod online;
pub mod order;
pub mod runs;

use crate::control::Control;
use crate::error::Result;
use crate::metrics::LengthProfile;
use crate::packing::Packing;
use crate::parallel::Workers;
use crate::placement::{self, FirstFit};
use crate::request::{Options, Request};
use crate::strategy::{OptionName, Strategy, MAX_THREADS};
use crate::PackError;

/// Worker count for the parallel strategies (`obfdp`, `ogbfdp`) when the
/// caller does not choose: the thresholds of seqpacker and LightBinPack
/// (`n <= 20k` -> 1, `<= 100k` -> 2, `<= 500k` -> 4, else every core).
/// Below that, splitting costs more than it saves.
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

/// Threads for `n` items under `req`: the chosen or adaptive count for
/// `obfdp` and `ogbfdp` (never more than the items), 1 for every other strategy.
pub fn threads_for(req: &Request, n: usize) -> usize {
    match req.strategy() {
        Strategy::Obfdp | Strategy::Ogbfdp => req
            .threads()
            .unwrap_or_else(|| adaptive_threads(n))
            .clamp(1, n.max(1)),
        _ => 1,
    }
}

/// The workers for [`threads_for`], capped by the machine and by what `n`
/// items can use ([`Workers::for_items`]): the bins never depend on it (OGBFDP's
/// depend on [`threads_for`], not on the workers that run them).
/// [`crate::pack`] makes them once and hands the same workers to validation,
/// the algorithm and the metrics.
pub fn workers_for(req: &Request, n: usize) -> Workers {
    Workers::for_items(threads_for(req, n), n)
}

/// Runs the requested strategy on validated, non-empty lengths whose largest
/// is `max_len`, with the workers from [`workers_for`].
pub fn run(
    lengths: &[u32],
    req: &Request,
    max_len: u32,
    workers: &Workers,
    ctl: &Control,
) -> Result<Packing> {
    Ok(run_profiled(lengths, req, max_len, workers, ctl)?.0)
}

/// [`run`], also returning what the strategy learned about the multiset of
/// lengths while ordering them (its histogram or sorted sizes), so that
/// [`Metrics::compute_profiled`](crate::Metrics::compute_profiled) need not
/// read the input again. The decreasing-order strategies have it for free;
/// the online ones and the heterogeneous grouped ones (whose bound is L1)
/// return [`LengthProfile::Unknown`].
pub fn run_profiled(
    lengths: &[u32],
    req: &Request,
    max_len: u32,
    workers: &Workers,
    ctl: &Control,
) -> Result<(Packing, LengthProfile)> {
    let c = req.capacity();
    let unknown = |p: Packing| (p, LengthProfile::Unknown);
    let packing = match (req.strategy(), req.options()) {
        // The incremental rules the streaming packer drives too, so a stream
        // gives the bins of the batch run by construction.
        (Strategy::Nf, _) => return online::next_fit_packing(lengths, c, ctl).map(unknown),
        (s @ (Strategy::Ff | Strategy::Bf | Strategy::Wf), _) => {
            online::run(s, lengths, c, 0, ctl)?
        }
        (Strategy::Hk, &Options::HarmonicK { k }) => online::run(Strategy::Hk, lengths, c, k, ctl)?,
        (Strategy::Ffd, _) => return offline::ffd(lengths, c, max_len, ctl),
        // Same order and tie-breaks as OBFD, hence the same bins: the run
        // engine (the tests check it against item-by-item best fit over
        // [`offline::sorted_decreasing`], an independent path).
        (Strategy::Bfd, _) => {
            return obfd::obfd_packing_profiled(lengths, c, max_len, &Workers::sequential(), ctl);
        }
        (Strategy::Ffs, &Options::Shuffle { seed }) => {
            let order = offline::shuffled(lengths.len(), seed);
            ctl.check()?;
            return placement::any_fit_packing::<FirstFit>(lengths, Some(&order), c, ctl)
                .map(unknown);
        }
        (Strategy::Mffd, _) => return offline::mffd_packing(lengths, c, max_len, ctl),
        (Strategy::Obfd | Strategy::Obfdp, _) => {
            return obfd::obfd_packing_profiled(lengths, c, max_len, workers, ctl)
        }
        (Strategy::Ogbfd, &Options::Groups { group_size, .. }) => {
            return grouped::ogbfd(lengths, c, group_size, max_len, ctl)
        }
        (Strategy::Ogbfdp, &Options::Groups { group_size, .. }) => {
            let threads = threads_for(req, lengths.len());
            return grouped::ogbfdp(lengths, c, group_size, max_len, threads, workers, ctl);
        }
        (Strategy::Ohgbfd | Strategy::Oshgbfd, Options::Devices { layouts, weights }) => {
            if let Some(w) = weights {
                if w.len() != lengths.len() {
                    return Err(PackError::option(
                        OptionName::Weights,
                        "",
                        format!("an array of {}", w.len()),
                        &format!("it must have one weight per length ({})", lengths.len()),
                    ));
                }
            }
            return grouped::heterogeneous(lengths, layouts, weights.as_deref(), max_len, ctl)
                .map(unknown);
        }
        (s, o) => unreachable!("Request::build pairs {s:?} with its options, not {o:?}"),
    };
    Ok(unknown(packing))
}
