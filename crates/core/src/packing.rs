//! The result of a packing, in the flat form trainers and JS consume.
//!
//! Bins are stored as one `items` array of input indices, bin after bin, with
//! `bin_offsets` (length `num_bins + 1`) delimiting them: no per-bin
//! allocation, and the arrays cross into JavaScript without copying.

/// Which bin each item went to, in processing order. Algorithms produce this;
/// [`Assignment::into_packing`] turns it into a [`Packing`].
pub struct Assignment {
    /// Input indices in the order the algorithm placed them.
    pub order: Vec<u32>,
    /// `bin_of[k]` is the bin of item `order[k]`; bins are numbered `0..num_bins`.
    pub bin_of: Vec<u32>,
    pub num_bins: usize,
}

impl Assignment {
    /// Groups items by bin with a counting pass: `O(n + bins)`. Within a bin,
    /// items keep the order in which they were placed.
    pub fn into_packing(self, lengths: &[u32]) -> Packing {
        let Assignment {
            order,
            bin_of,
            num_bins,
        } = self;
        let mut bin_offsets = vec![0u32; num_bins + 1];
        let mut bin_loads = vec![0u32; num_bins];
        for (&item, &b) in order.iter().zip(&bin_of) {
            bin_offsets[b as usize + 1] += 1;
            // Saturating: a length that changed since placement must not
            // wrap a load back under capacity (see `guard::check_loads`).
            let load = &mut bin_loads[b as usize];
            *load = load.saturating_add(lengths[item as usize]);
        }
        for b in 0..num_bins {
            bin_offsets[b + 1] += bin_offsets[b];
        }
        let mut cursor: Vec<u32> = bin_offsets[..num_bins].to_vec();
        let mut items = vec![0u32; order.len()];
        for (&item, &b) in order.iter().zip(&bin_of) {
            let c = &mut cursor[b as usize];
            items[*c as usize] = item;
            *c += 1;
        }
        Packing::uniform(items, bin_offsets, bin_loads)
    }
}

/// Packed bins in flat form.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Packing {
    /// Input indices, bin after bin.
    pub items: Vec<u32>,
    /// Bin `b` is `items[bin_offsets[b]..bin_offsets[b + 1]]`; length `num_bins + 1`.
    pub bin_offsets: Vec<u32>,
    /// Tokens in each bin.
    pub bin_loads: Vec<u32>,
    /// Each bin's own capacity, for heterogeneous strategies; `None` means all bins have the request's capacity.
    pub bin_capacities: Option<Vec<u32>>,
    /// For grouped strategies: group `g` is bins `group_offsets[g]..group_offsets[g + 1]`.
    pub group_offsets: Option<Vec<u32>>,
}

impl Packing {
    /// Ungrouped bins that all have the request's capacity (`bin_capacities`
    /// and `group_offsets` are `None`); the parts are taken as they are.
    pub fn uniform(items: Vec<u32>, bin_offsets: Vec<u32>, bin_loads: Vec<u32>) -> Self {
        Packing {
            items,
            bin_offsets,
            bin_loads,
            bin_capacities: None,
            group_offsets: None,
        }
    }

    /// An empty packing (no items, no bins).
    pub fn empty() -> Self {
        Packing {
            bin_offsets: vec![0],
            ..Default::default()
        }
    }

    /// A packing from explicit bins of input indices (bins computed
    /// elsewhere, e.g. by a stream); not validated here ([`Packing::verify`]).
    pub fn from_bins<B: AsRef<[u32]>>(bins: &[B], lengths: &[u32]) -> Self {
        let mut p = Packing::empty();
        for bin in bins {
            let bin = bin.as_ref();
            p.items.extend_from_slice(bin);
            p.bin_offsets.push(p.items.len() as u32);
            p.bin_loads
                .push(bin.iter().map(|&i| lengths[i as usize]).sum());
        }
        p
    }

    pub fn num_bins(&self) -> usize {
        self.bin_loads.len()
    }

    /// The items of bin `b`.
    pub fn bin(&self, b: usize) -> &[u32] {
        &self.items[self.bin_offsets[b] as usize..self.bin_offsets[b + 1] as usize]
    }

    /// Iterates over bins as slices of input indices.
    pub fn bins(&self) -> impl Iterator<Item = &[u32]> + '_ {
        (0..self.num_bins()).map(move |b| self.bin(b))
    }

    /// Capacity of bin `b`.
    pub fn capacity_of(&self, b: usize, capacity: u32) -> u32 {
        self.bin_capacities.as_ref().map_or(capacity, |c| c[b])
    }

    /// Checks every structural invariant: offsets well formed, each input index
    /// exactly once, loads equal to the sum of lengths, no bin over its capacity,
    /// no empty bin, group offsets well formed. Used by tests and debug assertions;
    /// `O(n)`.
    pub fn verify(&self, lengths: &[u32], capacity: u32) -> Result<(), String> {
        let nb = self.num_bins();
        if self.bin_offsets.len() != nb + 1 || self.bin_offsets[0] != 0 {
            return Err(format!(
                "bin_offsets has length {} for {} bins",
                self.bin_offsets.len(),
                nb
            ));
        }
        if *self.bin_offsets.last().unwrap() as usize != self.items.len() {
            return Err("last offset is not the item count".into());
        }
        if self.items.len() != lengths.len() {
            return Err(format!(
                "{} items packed, {} given",
                self.items.len(),
                lengths.len()
            ));
        }
        if let Some(c) = &self.bin_capacities {
            if c.len() != nb {
                return Err("bin_capacities length differs from bin count".into());
            }
        }
        let mut seen = vec![false; lengths.len()];
        for b in 0..nb {
            if self.bin_offsets[b] > self.bin_offsets[b + 1] {
                return Err(format!("offsets decrease at bin {b}"));
            }
            let bin = self.bin(b);
            if bin.is_empty() && self.group_offsets.is_none() {
                return Err(format!("bin {b} is empty"));
            }
            let mut load = 0u64;
            for &i in bin {
                let i = i as usize;
                if i >= lengths.len() {
                    return Err(format!("bin {b} holds index {i} out of range"));
                }
                if std::mem::replace(&mut seen[i], true) {
                    return Err(format!("item {i} packed twice"));
                }
                load += lengths[i] as u64;
            }
            if load != self.bin_loads[b] as u64 {
                return Err(format!(
                    "bin {b} load {} but items sum to {load}",
                    self.bin_loads[b]
                ));
            }
            let cap = self.capacity_of(b, capacity);
            if load > cap as u64 {
                return Err(format!(
                    "bin {b} holds {load} tokens, over its capacity {cap}"
                ));
            }
        }
        if let Some(g) = &self.group_offsets {
            if g.first() != Some(&0)
                || *g.last().unwrap() as usize != nb
                || g.windows(2).any(|w| w[0] > w[1])
            {
                return Err("group_offsets malformed".into());
            }
        }
        Ok(())
    }
}
