//! A validated packing request: strategy, capacity and typed options.
//!
//! Built with [`Request::builder`] (or [`Request::new`] for a strategy that
//! takes no options). Every value rule lives here, once: ranges from
//! [`OptionName::integer_range`], required and inapplicable options from the
//! catalogue ([`crate::STRATEGIES`]), capacities against the device
//! capacities. Options a strategy does not take are rejected rather than
//! silently ignored, so a typo'd configuration fails loudly.

use crate::error::{ErrorKind, Message, PackError, Result};
use crate::strategy::{OptionName, Strategy, DEFAULT_K, DEFAULT_SEED};

/// The options of one strategy, typed per family. Strategies that take none
/// have [`Options::None`].
#[derive(Clone, Debug, PartialEq)]
pub enum Options {
    None,
    /// `hk`: number of size classes.
    HarmonicK {
        k: u32,
    },
    /// `ffs`: shuffle seed.
    Shuffle {
        seed: u64,
    },
    /// `obfdp`: worker threads, `None` = adaptive to the input size.
    Parallel {
        threads: Option<usize>,
    },
    /// `ogbfd`, `ogbfdp`: bins per group; threads as for `Parallel` (`ogbfdp` only).
    Groups {
        group_size: u32,
        threads: Option<usize>,
    },
    /// `ohgbfd` (one layout) and `oshgbfd` (the layouts allowed): device
    /// capacities of a group; per-item weights, `None` = `len^2`.
    Devices {
        layouts: Vec<Vec<u32>>,
        weights: Option<Vec<f64>>,
    },
}

/// A validated request. Construct with [`Request::builder`] or [`Request::new`].
#[derive(Clone, Debug, PartialEq)]
pub struct Request {
    strategy: Strategy,
    capacity: u32,
    options: Options,
}

impl Request {
    /// A strategy without options, bins of `capacity` tokens.
    pub fn new(strategy: Strategy, capacity: u32) -> Result<Request> {
        Request::builder(strategy).capacity(capacity).build()
    }

    pub fn builder(strategy: Strategy) -> RequestBuilder {
        RequestBuilder {
            strategy,
            ..RequestBuilder::default()
        }
    }

    pub fn strategy(&self) -> Strategy {
        self.strategy
    }

    /// Capacity every length is checked against. For heterogeneous strategies,
    /// the largest device capacity.
    pub fn capacity(&self) -> u32 {
        self.capacity
    }

    pub fn options(&self) -> &Options {
        &self.options
    }

    /// The threads the caller chose (`obfdp`, `ogbfdp`); `None` = adaptive.
    pub fn threads(&self) -> Option<usize> {
        match self.options {
            Options::Parallel { threads } | Options::Groups { threads, .. } => threads,
            _ => None,
        }
    }
}

/// Collects a request's parts; [`RequestBuilder::build`] validates them all.
/// Each setter may be called for any strategy; `build` rejects options the
/// strategy does not take.
#[derive(Clone, Debug, Default)]
pub struct RequestBuilder {
    strategy: Strategy,
    capacity: Option<u32>,
    k: Option<u32>,
    seed: Option<u64>,
    threads: Option<usize>,
    group_size: Option<u32>,
    capacities: Option<Vec<u32>>,
    weights: Option<Vec<f64>>,
    layouts: Option<Vec<Vec<u32>>>,
}

/// Builder setters: each stores its option as given (validation is
/// [`RequestBuilder::build`]'s, so setters can be called in any order).
macro_rules! setters {
    ($($(#[$doc:meta])* $name:ident: $ty:ty,)*) => {
        $(
            $(#[$doc])*
            pub fn $name(mut self, $name: $ty) -> Self {
                self.$name = Some($name);
                self
            }
        )*
    };
}

impl RequestBuilder {
    setters! {
        /// Token budget of one bin. Required except for `ohgbfd`/`oshgbfd`, where
        /// it defaults to (and must equal) the largest device capacity.
        capacity: u32,
        k: u32,
        seed: u64,
        threads: usize,
        group_size: u32,
        capacities: Vec<u32>,
        weights: Vec<f64>,
        layouts: Vec<Vec<u32>>,
    }

    fn given(&self) -> impl Iterator<Item = OptionName> + '_ {
        [
            (self.k.is_some(), OptionName::K),
            (self.seed.is_some(), OptionName::Seed),
            (self.threads.is_some(), OptionName::Threads),
            (self.group_size.is_some(), OptionName::GroupSize),
            (self.capacities.is_some(), OptionName::Capacities),
            (self.weights.is_some(), OptionName::Weights),
            (self.layouts.is_some(), OptionName::Layouts),
        ]
        .into_iter()
        .filter_map(|(given, name)| given.then_some(name))
    }

    /// Validates everything and returns the request. The first problem wins,
    /// in this order: inapplicable option, missing option, option values,
    /// capacity.
    pub fn build(self) -> Result<Request> {
        let strategy = self.strategy;
        let info = strategy.info();
        if let Some(name) = self.given().find(|&n| !strategy.takes(n)) {
            return Err(not_applicable(strategy, name));
        }
        if let Some(&name) = info
            .required
            .iter()
            .find(|&&n| !self.given().any(|g| g == n))
        {
            let msg = Message::new()
                .text(format!("strategy {:?} requires option `", info.name))
                .option(name)
                .text("`");
            return Err(PackError::with(ErrorKind::InvalidOption, msg).about(name));
        }
        let int = |name: OptionName, v: Option<u64>| -> Result<()> {
            match (v, name.integer_range()) {
                (Some(v), Some((min, max))) if v < min || v > max => Err(PackError::option(
                    name,
                    "",
                    v,
                    &format!("it must be between {min} and {max}"),
                )),
                _ => Ok(()),
            }
        };
        crate::limits::check_lists(self.capacities.as_deref(), self.layouts.as_deref())?;
        int(OptionName::K, self.k.map(u64::from))?;
        int(OptionName::Threads, self.threads.map(|t| t as u64))?;
        int(OptionName::GroupSize, self.group_size.map(u64::from))?;
        if let Some(w) = &self.weights {
            check_weights(w)?;
        }
        let options = match strategy {
            Strategy::Hk => Options::HarmonicK {
                k: self.k.unwrap_or(DEFAULT_K),
            },
            Strategy::Ffs => Options::Shuffle {
                seed: self.seed.unwrap_or(DEFAULT_SEED),
            },
            Strategy::Obfdp => Options::Parallel {
                threads: self.threads,
            },
            Strategy::Ogbfd | Strategy::Ogbfdp => Options::Groups {
                group_size: self.group_size.expect("required option checked above"),
                threads: self.threads,
            },
            Strategy::Ohgbfd => {
                let caps = self.capacities.expect("required option checked above");
                check_capacities(OptionName::Capacities, "", &caps)?;
                Options::Devices {
                    layouts: vec![caps],
                    weights: self.weights,
                }
            }
            Strategy::Oshgbfd => {
                let layouts = self.layouts.expect("required option checked above");
                if layouts.is_empty() {
                    return Err(PackError::option(
                        OptionName::Layouts,
                        "",
                        "[]",
                        "it must list at least one layout",
                    ));
                }
                for (i, l) in layouts.iter().enumerate() {
                    check_capacities(OptionName::Layouts, &format!("[{i}]"), l)?;
                }
                Options::Devices {
                    layouts,
                    weights: self.weights,
                }
            }
            _ => Options::None,
        };
        let capacity = match (&options, self.capacity) {
            (Options::Devices { layouts, .. }, given) => {
                let largest = layouts.iter().flatten().copied().max().unwrap_or(1);
                match given {
                    Some(c) if c != largest => {
                        return Err(PackError::new(
                            ErrorKind::InvalidCapacity,
                            format!("capacity {c} disagrees with the largest device capacity {largest}: for {:?} omit `capacity` or set it to {largest}", info.name),
                        )
                        .value(c));
                    }
                    _ => largest,
                }
            }
            (_, None) => {
                return Err(PackError::new(
                    ErrorKind::InvalidCapacity,
                    "option `capacity` is required (the token budget of one bin)",
                ))
            }
            (_, Some(0)) => return Err(invalid_capacity("0", "it must be at least 1")),
            (_, Some(c)) => c,
        };
        Ok(Request {
            strategy,
            capacity,
            options,
        })
    }
}

/// `capacity {value} is invalid: {why}`, kind [`ErrorKind::InvalidCapacity`].
pub fn invalid_capacity(value: &str, why: &str) -> PackError {
    PackError::new(
        ErrorKind::InvalidCapacity,
        format!("capacity {value} is invalid: {why}"),
    )
    .value(value)
}

/// The error for an option `strategy` does not take.
pub fn not_applicable(strategy: Strategy, name: OptionName) -> PackError {
    let info = strategy.info();
    let mut msg = Message::new().text("option `").option(name).text(format!(
        "` does not apply to strategy {:?} (it takes ",
        info.name
    ));
    msg = if info.options.is_empty() {
        msg.text("no options")
    } else {
        msg.options(info.options)
    };
    PackError::with(ErrorKind::InvalidOption, msg.text(")")).about(name)
}

fn check_capacities(name: OptionName, suffix: &str, caps: &[u32]) -> Result<()> {
    if caps.is_empty() {
        return Err(PackError::option(
            name,
            suffix,
            "[]",
            "it must list at least one capacity",
        ));
    }
    match caps.iter().position(|&c| c == 0) {
        Some(i) => Err(PackError::option(
            name,
            &format!("{suffix}[{i}]"),
            0,
            "capacity 0 is invalid: it must be at least 1",
        )
        .index(i)),
        None => Ok(()),
    }
}

fn check_weights(w: &[f64]) -> Result<()> {
    match w.iter().position(|x| !x.is_finite() || *x < 0.0) {
        Some(i) => Err(PackError::option(
            OptionName::Weights,
            &format!("[{i}]"),
            w[i],
            "weights must be finite and non-negative",
        )
        .index(i)),
        None => Ok(()),
    }
}
