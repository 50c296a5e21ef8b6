//! Data-parallel linear passes over the input (`obfdp`).
//!
//! [`Workers`] splits `0..n` into contiguous chunks and maps a function over
//! them. With `T > 1` workers the calling thread is one of them and a local
//! rayon pool of `T - 1` threads supplies the rest (so `T` threads run, not
//! `T + 1` with the caller blocked, and there is one wake-up fewer per pass);
//! with one worker the function runs inline over exactly one chunk (so the
//! sequential strategies run the very same loop they always did). Results
//! come back in chunk order, so anything built from them depends only on the
//! input and the chunking, never on scheduling.
//!
//! One pool for the whole process, built on first use with one thread fewer
//! than the machine's parallelism (the caller is the last worker) and never
//! rebuilt: `T` workers means that at most `T` threads work on a call, not
//! that `T` threads exist. So a `threads` value (even 1,024 on three items)
//! never creates threads, alternating values never build pools, concurrent
//! calls share the same threads, and the host process's global rayon pool
//! (if any) is left alone. The effective worker count is
//! `min(T, machine parallelism)`; callers also cap it by what their input
//! can use ([`Workers::for_items`]).

use rayon::{ThreadPool, ThreadPoolBuilder};
use std::ops::Range;
use std::sync::atomic::{AtomicU32, AtomicUsize, Ordering};
use std::sync::{Mutex, OnceLock};

/// Smallest chunk worth a task: below this the fork/join overhead dominates.
const MIN_CHUNK: usize = 1 << 15;

/// Chunks per worker: a few, so a worker slowed by another process does not
/// hold up the others (rayon steals the remaining chunks).
const CHUNKS_PER_WORKER: usize = 4;

/// The process's one pool (`None` on a single-core machine or if the OS refused threads).
static POOL: OnceLock<Option<ThreadPool>> = OnceLock::new();
/// Pools built so far (0 or 1; tests assert it).
static POOLS_BUILT: AtomicUsize = AtomicUsize::new(0);

/// The machine's parallelism (at least 1), read once per process: the
/// standard library asks the OS each time (an affinity syscall and, under
/// cgroups, reading quota files), which cost more than packing 16 items.
pub fn machine_threads() -> usize {
    static THREADS: OnceLock<usize> = OnceLock::new();
    *THREADS.get_or_init(|| std::thread::available_parallelism().map_or(1, |c| c.get()))
}

/// Number of worker pools this process has built: never more than one.
pub fn pools_built() -> usize {
    POOLS_BUILT.load(Ordering::Relaxed)
}

fn pool() -> Option<&'static ThreadPool> {
    POOL.get_or_init(|| {
        let extra = machine_threads().saturating_sub(1);
        if extra == 0 {
            return None;
        }
        POOLS_BUILT.fetch_add(1, Ordering::Relaxed);
        ThreadPoolBuilder::new()
            .num_threads(extra)
            .thread_name(|i| format!("seqpack-{i}"))
            .build()
            .ok()
    })
    .as_ref()
}

/// A worker count and, above one, the pool that runs them.
#[derive(Clone)]
pub struct Workers {
    pool: Option<&'static ThreadPool>,
    /// Workers that may run at once, the caller included (`1` when `pool` is `None`).
    threads: usize,
    min_chunk: usize,
}

impl Workers {
    /// The calling thread alone: every `map` is one inline call.
    pub const fn sequential() -> Self {
        Workers {
            pool: None,
            threads: 1,
            min_chunk: MIN_CHUNK,
        }
    }

    /// Lowers the smallest chunk, so tests can split tiny inputs into many
    /// chunks and exercise every chunk boundary. Not for production use.
    #[doc(hidden)]
    pub fn with_min_chunk(mut self, min_chunk: usize) -> Self {
        self.min_chunk = min_chunk.max(1);
        self
    }

    /// Up to `threads` workers (1 = [`sequential`](Self::sequential)), at
    /// most the machine's parallelism, on the shared pool. If the OS
    /// refuses threads, falls back to sequential: same results, slower.
    pub fn new(threads: usize) -> Self {
        if threads <= 1 {
            return Self::sequential();
        }
        let threads = threads.min(machine_threads());
        if threads <= 1 {
            return Self::sequential();
        }
        match pool() {
            Some(pool) => Workers {
                pool: Some(pool),
                threads: threads.min(pool.current_num_threads() + 1),
                min_chunk: MIN_CHUNK,
            },
            None => Self::sequential(),
        }
    }

    /// [`Workers::new`] capped by what `n` items can use: one worker per
    /// smallest chunk worth a task, so small inputs stay on the calling thread.
    pub fn for_items(threads: usize, n: usize) -> Self {
        Self::new(threads.min(n.div_ceil(MIN_CHUNK).max(1)))
    }

    /// Number of workers.
    pub fn threads(&self) -> usize {
        self.threads
    }

    /// Splits `0..n` into contiguous, near-equal chunks, at most `max_chunks`
    /// of them (callers bound per-chunk scratch this way). One chunk when
    /// sequential or when `n` is small; never an empty list.
    pub fn chunks(&self, n: usize, max_chunks: usize) -> Vec<Range<usize>> {
        let k = if self.pool.is_none() {
            1
        } else {
            (self.threads() * CHUNKS_PER_WORKER)
                .min(n / self.min_chunk)
                .min(max_chunks)
                .max(1)
        };
        (0..k).map(|c| c * n / k..(c + 1) * n / k).collect()
    }

    /// Runs `a` and `b`, concurrently when there are workers (`a` on the
    /// calling thread, `b` on a pool thread), else `a` then `b`.
    pub fn join<A: Send, B: Send>(
        &self,
        a: impl FnOnce() -> A + Send,
        b: impl FnOnce() -> B + Send,
    ) -> (A, B) {
        match &self.pool {
            Some(pool) => {
                let slot = Mutex::new(None);
                let ra = pool.in_place_scope(|s| {
                    s.spawn(|_| *lock(&slot) = Some(b()));
                    a()
                });
                let rb = slot.into_inner().unwrap_or_else(|e| e.into_inner());
                (ra, rb.expect("the scope waits for b"))
            }
            None => (a(), b()),
        }
    }

    /// `f(c, chunks[c])` for every chunk, results in chunk order. The
    /// calling thread works too: it and the pool's threads claim chunks from
    /// a shared counter until none is left, so a slow worker takes fewer.
    pub fn map<R: Send>(
        &self,
        chunks: &[Range<usize>],
        f: impl Fn(usize, Range<usize>) -> R + Sync,
    ) -> Vec<R> {
        match &self.pool {
            Some(pool) if chunks.len() > 1 => {
                let slots: Vec<Mutex<Option<R>>> =
                    chunks.iter().map(|_| Mutex::new(None)).collect();
                let next = AtomicUsize::new(0);
                let work = || loop {
                    let c = next.fetch_add(1, Ordering::Relaxed);
                    let Some(r) = chunks.get(c) else { break };
                    let out = f(c, r.clone());
                    *lock(&slots[c]) = Some(out);
                };
                pool.in_place_scope(|s| {
                    for _ in 0..(self.threads - 1).min(chunks.len() - 1) {
                        s.spawn(|_| work());
                    }
                    work();
                });
                slots
                    .into_iter()
                    .map(|s| {
                        let s = s.into_inner().unwrap_or_else(|e| e.into_inner());
                        s.expect("every chunk was claimed")
                    })
                    .collect()
            }
            _ => chunks
                .iter()
                .enumerate()
                .map(|(c, r)| f(c, r.clone()))
                .collect(),
        }
    }
}

/// Locks, ignoring poisoning: a panicking worker's panic is re-raised by the
/// scope anyway, and the data behind these locks is written whole or not at all.
fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// Views a `u32` buffer as atomics so several workers can write disjoint
/// slots of it through a shared reference (what the unstable
/// `AtomicU32::from_mut_slice` does). `Relaxed` stores compile to plain
/// stores on x86-64 and AArch64, so this costs nothing over `&mut`; the safe
/// alternatives (a `Vec<AtomicU32>` zeroed element by element, then copied
/// back into a `Vec<u32>`) cost two extra passes over the output.
pub fn as_atomic(buf: &mut [u32]) -> &[AtomicU32] {
    const _: () = assert!(
        std::mem::size_of::<AtomicU32>() == std::mem::size_of::<u32>()
            && std::mem::align_of::<AtomicU32>() == std::mem::align_of::<u32>()
    );
    // SAFETY: `AtomicU32` has the size and bit validity of `u32`, and the
    // assertion above pins the alignment to be equal too. The unique borrow
    // of `buf` lasts as long as the returned view, so no non-atomic access
    // can overlap an atomic one.
    unsafe { &*(buf as *mut [u32] as *const [AtomicU32]) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chunks_cover_the_range_in_order() {
        for w in [Workers::sequential(), Workers::new(2), Workers::new(3)] {
            for n in [0, 1, MIN_CHUNK - 1, MIN_CHUNK * 5 + 7, 1 << 22] {
                for max in [1, 3, usize::MAX] {
                    let cs = w.chunks(n, max);
                    assert!(!cs.is_empty() && cs.len() <= max.max(1));
                    assert_eq!(cs[0].start, 0);
                    assert_eq!(cs.last().unwrap().end, n);
                    assert!(cs.windows(2).all(|p| p[0].end == p[1].start));
                    let sums = w.map(&cs, |c, r| (c, r.len()));
                    assert_eq!(sums.iter().map(|s| s.1).sum::<usize>(), n);
                    assert!(sums.iter().enumerate().all(|(i, s)| s.0 == i));
                }
            }
        }
        assert_eq!(Workers::new(1).threads(), 1);
        assert_eq!(Workers::new(2).threads(), 2.min(machine_threads()));
    }

    #[test]
    fn one_pool_whatever_the_thread_counts() {
        for t in [2, 3, 1024, 2, 7, 1024, 3] {
            let w = Workers::new(t);
            assert!(w.threads() <= machine_threads().min(t));
            let cs = w.chunks(1 << 20, usize::MAX);
            assert_eq!(w.map(&cs, |_, r| r.len()).iter().sum::<usize>(), 1 << 20);
        }
        assert!(pools_built() <= 1);
        assert_eq!(Workers::for_items(1024, 3).threads(), 1);
    }

    #[test]
    fn atomic_view_writes_through() {
        let mut v = vec![0u32; 4];
        as_atomic(&mut v)[2].store(7, Ordering::Relaxed);
        assert_eq!(v, [0, 0, 7, 0]);
    }
}
