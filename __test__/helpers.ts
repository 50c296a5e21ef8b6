/** Shared checks for the vitest suites. */
import { expect } from 'vitest'
import { SeqpackError, type PackResult } from 'seqpack'

/**
 * Every item exactly once, loads consistent, no bin over capacity, offsets well
 * formed. Checks with plain loops and asserts once (per-item `expect` is slow).
 */
export function expectValid(r: PackResult, lengths: ArrayLike<number>, capacity: number | ((bin: number) => number)) {
  const n = lengths.length
  const problems: string[] = []
  if (r.items.length !== n) problems.push(`${r.items.length} items for ${n} lengths`)
  if (r.binOffsets.length !== r.numBins + 1) problems.push('binOffsets length')
  if (r.binOffsets[0] !== 0 || r.binOffsets[r.numBins] !== r.items.length) problems.push('binOffsets ends')
  const seen = new Uint8Array(n)
  let total = 0
  for (let b = 0; b < r.numBins && problems.length < 5; b++) {
    let load = 0
    for (const i of r.bin(b)) {
      if (i >= n) problems.push(`bin ${b}: index ${i} out of range`)
      else if (seen[i]++) problems.push(`item ${i} packed twice`)
      else load += lengths[i]
    }
    if (r.binLoads[b] !== load) problems.push(`bin ${b}: load ${r.binLoads[b]} != ${load}`)
    const cap = typeof capacity === 'function' ? capacity(b) : capacity
    if (load > cap) problems.push(`bin ${b}: ${load} tokens over capacity ${cap}`)
    total += load
  }
  const missing = seen.indexOf(0)
  if (missing !== -1) problems.push(`item ${missing} not packed`)
  if (r.totalTokens !== total) problems.push(`totalTokens ${r.totalTokens} != ${total}`)
  expect(problems).toEqual([])
}

/** A seeded generator (SplitMix32-style) so tests are reproducible. */
export function rng(seed: number) {
  let s = seed >>> 0
  return () => {
    s = (s + 0x9e3779b9) >>> 0
    let z = s
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0
    return ((z ^ (z >>> 16)) >>> 0) / 4294967296
  }
}

export function randomLengths(n: number, lo: number, hi: number, seed = 1): number[] {
  const r = rng(seed)
  return Array.from({ length: n }, () => lo + Math.floor(r() * (hi - lo + 1)))
}

/**
 * Multiplier for the iteration counts of property, soak and load tests
 * (`SEQPACK_TEST_SCALE`, default 1). The cross stage runs the suite under
 * qemu at 0.1: every test still runs, with fewer generated cases.
 */
export const TEST_SCALE = Math.max(0.01, Number(process.env.SEQPACK_TEST_SCALE ?? 1) || 1)

/** `n` scaled by {@link TEST_SCALE}, at least `min`. */
export function scaled(n: number, min = 1): number {
  return Math.max(min, Math.round(n * TEST_SCALE))
}

/**
 * `[code, index, value]` of the error `f` throws, which must be a
 * `SeqpackError`; `['no error']` when it throws nothing, so an expected
 * triple fails to match.
 */
export function thrown(f: () => unknown): unknown[] {
  try {
    f()
  } catch (e) {
    expect(e).toBeInstanceOf(SeqpackError)
    const s = e as SeqpackError
    return [s.code, s.index, s.value]
  }
  return ['no error']
}
