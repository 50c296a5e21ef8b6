//! Cooperative cancellation for long packings.
//!
//! Algorithms call [`Control::checkpoint`] with their loop counter; it looks at
//! the shared flag only once every [`Control::STRIDE`] iterations, so the check
//! costs one branch per item and nothing measurable.

use crate::error::{PackError, Result};
use std::sync::atomic::{AtomicBool, Ordering};

/// Carries an optional cancellation flag set by another thread.
#[derive(Clone, Copy, Default)]
pub struct Control<'a> {
    cancel: Option<&'a AtomicBool>,
}

impl<'a> Control<'a> {
    /// Iterations between two reads of the flag (a power of two).
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
}
