//! Cooperative cancellation for long packings.
//!
//! Two ways to poll, both cheap enough for inner loops:
//! - [`Control::checkpoint`] with a loop counter, for loops whose iterations
//!   all cost about the same (`O(1)` or `O(log n)`): it reads the shared flag
//!   once every [`Control::STRIDE`] iterations, one branch per item.
//! - [`Poll`] for loops whose iterations cost very different amounts (a new
//!   group of 60,000 devices versus one tree update): the loop *spends* the
//!   work it did, in units of elementary steps, and the flag is read once every
//!   [`Control::STRIDE`] units. So the time between two reads is bounded by
//!   the work, not by the item count, and an abort is seen within about
//!   `STRIDE` elementary steps (well under a millisecond) whatever the input.

use crate::error::{PackError, Result};
use std::sync::atomic::{AtomicBool, Ordering};

/// Carries an optional cancellation flag set by another thread.
#[derive(Clone, Copy, Default)]
pub struct Control<'a> {
    cancel: Option<&'a AtomicBool>,
}

impl<'a> Control<'a> {
    /// Iterations (or work units) between two reads of the flag (a power of two).
    pub const STRIDE: usize = 1 << 16;

    /// No cancellation: the work always runs to completion.
    pub const fn none() -> Self {
        Control { cancel: None }
    }

    /// Cancel when `flag` becomes true.
    pub const fn with_flag(flag: &'a AtomicBool) -> Self {
        Control { cancel: Some(flag) }
    }

    /// Returns `Err(Aborted)` if cancellation was requested. Cheap enough to call every iteration.
    #[inline(always)]
    pub fn checkpoint(&self, i: usize) -> Result<()> {
        if i & (Self::STRIDE - 1) == 0 {
            self.check()
        } else {
            Ok(())
        }
    }

    /// Reads the flag now.
    #[inline]
    pub fn check(&self) -> Result<()> {
        match self.cancel {
            Some(f) if f.load(Ordering::Relaxed) => Err(PackError::aborted()),
            _ => Ok(()),
        }
    }

    /// A work meter that reads the flag once per [`Control::STRIDE`] units spent.
    pub fn poll(&self) -> Poll<'a> {
        Poll {
            ctl: *self,
            left: Self::STRIDE as u64,
            spent: 0,
        }
    }
}

/// Polls a [`Control`] by work done rather than by iterations (see module docs).
pub struct Poll<'a> {
    ctl: Control<'a>,
    /// Units until the next read of the flag.
    left: u64,
    /// Units spent in total (tests use it to bound the work of an algorithm).
    spent: u64,
}

impl Poll<'_> {
    /// Records `units` of work; reads the flag whenever another
    /// [`Control::STRIDE`] units have been spent since the last read.
    #[inline(always)]
    pub fn spend(&mut self, units: u64) -> Result<()> {
        self.spent += units;
        match self.left.checked_sub(units) {
            Some(l) if l > 0 => {
                self.left = l;
                Ok(())
            }
            _ => {
                self.left = Control::STRIDE as u64;
                self.ctl.check()
            }
        }
    }

    /// Units spent so far.
    pub fn spent(&self) -> u64 {
        self.spent
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn poll_reads_the_flag_by_work() {
        let flag = AtomicBool::new(true);
        let ctl = Control::with_flag(&flag);
        // Small steps: the flag is read once the stride is used up, not before.
        let mut p = ctl.poll();
        let mut ok = 0u64;
        while p.spend(1).is_ok() {
            ok += 1;
        }
        assert_eq!(ok, Control::STRIDE as u64 - 1);
        // One big step reads it at once.
        let mut p = ctl.poll();
        assert!(p.spend(Control::STRIDE as u64 * 10).is_err());
        assert_eq!(p.spent(), Control::STRIDE as u64 * 10);
        assert!(Control::none().poll().spend(u64::MAX / 2).is_ok());
    }
}
