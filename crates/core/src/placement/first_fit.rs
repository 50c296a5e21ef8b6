//! Bins indexed by position: a max segment tree for first fit.
//!
//! Leaves are bins in the order they were opened, each holding its remaining
//! capacity; inner nodes hold the maximum of their children. "Leftmost bin with
//! remaining >= x" descends from the root choosing the left child whenever it
//! can hold `x`: `O(log B)` for `B` bins. Unopened leaves hold 0, so they are
//! never chosen (every item has length >= 1).
//!
//! The tree starts sized for an estimate of the bin count and doubles when a
//! bin beyond it is opened (amortised `O(1)` per bin), so memory tracks the
//! bins actually used rather than the item count.

#[derive(Clone, Debug)]
pub struct MaxTree {
    /// Number of leaves, a power of two.
    size: usize,
    /// `tree[1]` is the root, leaves are `tree[size..2 * size]`.
    tree: Vec<u32>,
}

impl MaxTree {
    pub fn new(bins_hint: usize) -> Self {
        let size = bins_hint.max(16).next_power_of_two();
        MaxTree {
            size,
            tree: vec![0; 2 * size],
        }
    }

    /// Leftmost bin whose remaining capacity is `>= at_least`.
    #[inline]
    pub fn leftmost_at_least(&self, at_least: u32) -> Option<u32> {
        if self.tree[1] < at_least {
            return None;
        }
        let mut node = 1;
        while node < self.size {
            node *= 2;
            if self.tree[node] < at_least {
                node += 1;
            }
        }
        Some((node - self.size) as u32)
    }

    /// Sets the remaining capacity of `bin`, growing the tree if needed.
    #[inline]
    pub fn set(&mut self, bin: u32, remaining: u32) {
        let b = bin as usize;
        if b >= self.size {
            self.grow(b + 1);
        }
        let mut node = self.size + b;
        self.tree[node] = remaining;
        while node > 1 {
            let parent = node / 2;
            let m = self.tree[2 * parent].max(self.tree[2 * parent + 1]);
            if self.tree[parent] == m {
                break; // nothing above can change
            }
            self.tree[parent] = m;
            node = parent;
        }
    }

    #[cold]
    fn grow(&mut self, min_leaves: usize) {
        let size = min_leaves.next_power_of_two().max(self.size * 2);
        let mut tree = vec![0; 2 * size];
        tree[size..size + self.size].copy_from_slice(&self.tree[self.size..2 * self.size]);
        for node in (1..size).rev() {
            tree[node] = tree[2 * node].max(tree[2 * node + 1]);
        }
        self.size = size;
        self.tree = tree;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn matches_linear_scan(updates in prop::collection::vec((0u32..200, 0u32..100), 0..300), q in 0u32..120) {
            let mut t = MaxTree::new(1);
            let mut model = vec![0u32; 200];
            for (b, r) in updates {
                t.set(b, r);
                model[b as usize] = r;
                prop_assert_eq!(t.leftmost_at_least(q.max(1)), model.iter().position(|&x| x >= q.max(1)).map(|i| i as u32));
            }
        }
    }
}
