#!/usr/bin/env node
// EVALUATION workload for compare-builds.mjs: the fixed set of packings on
// which release, target-cpu=native, PGO and PGO+BOLT builds are measured.
// Disjoint from the training workload (train.mjs): other seeds (1..), other
// capacities (512..8192), other size points, and the lognormal/uniform/pareto
// shapes. OBFD (the default strategy) is measured from N = 10k to 1M; every
// other strategy in `strategies()` on two mid-size cases.
//
//   SEQPACK_NATIVE_PATH=/abs/x.node node bench/workloads/eval.mjs [--reps R | --work ITEMS] [--warmup W] [--json]
//
// Only the pack() calls are timed (inputs are generated first). Prints, per
// case, the best-of and total time, and a fingerprint of the packings so the
// caller can check that every build packs identically.
import { pack, strategies } from 'seqpack'
import { argv as f } from 'zx'
import { check, fingerprint, lengths, optionsFor, withWeights } from './lib.mjs'

const repsFlag = f.reps === undefined ? null : Number(f.reps)
const warmup = f.warmup === undefined ? 1 : Number(f.warmup)
// Items packed per case (reps = work / N, at least 1): ~1M by default.
const work = f.work === undefined ? 1_000_000 : Number(f.work)

/** The evaluation cases. Work per case (reps x N) is roughly balanced at ~1M items. */
export function evalCases(list) {
  const cases = []
  const obfd = [
    ['lognormal-c', 10_000, 2_048],
    ['pareto-c', 10_000, 512],
    ['uniform-c', 100_000, 2_048],
    ['lognormal-c', 100_000, 512],
    ['lognormal-c', 1_000_000, 8_192],
    ['pareto-c', 1_000_000, 4_096],
  ]
  const others = [
    ['lognormal-c', 100_000, 4_096],
    ['uniform-c', 10_000, 512],
  ]
  let seed = 1
  for (const info of list) {
    for (const [dist, n, c] of info.name === 'obfd' ? obfd : others) {
      cases.push({ info, dist, n, c, seed: seed++ })
    }
  }
  return cases
}

const cases = evalCases(strategies()).map((k) => {
  const lens = lengths(k.dist, k.n, k.c, k.seed)
  const opts = withWeights(optionsFor(k.info, k.c, 0, k.n), lens)
  const reps = repsFlag ?? Math.max(1, Math.round(work / k.n))
  return { ...k, label: `${k.info.name}/${k.dist}/n=${k.n}/C=${k.c}`, lens, opts, reps }
})

const out = []
let hash = 0x811c9dc5
let total = 0
for (const k of cases) {
  for (let w = 0; w < warmup; w++) pack(k.lens, k.opts)
  let best = Infinity
  let sum = 0
  let res
  for (let r = 0; r < k.reps; r++) {
    const t = performance.now()
    res = pack(k.lens, k.opts)
    const dt = performance.now() - t
    sum += dt
    if (dt < best) best = dt
  }
  check(k.label, res, k.n)
  hash = fingerprint(res, hash)
  total += sum
  out.push({ label: k.label, n: k.n, reps: k.reps, bins: res.numBins, bestMs: best, totalMs: sum })
}

if (f.json) {
  console.log(JSON.stringify({ totalMs: total, fingerprint: hash.toString(16), cases: out }))
} else {
  for (const c of out) console.log(`${c.label.padEnd(36)} bins=${String(c.bins).padStart(7)} best=${c.bestMs.toFixed(3)}ms x${c.reps} total=${c.totalMs.toFixed(1)}ms`)
  console.log(`total ${total.toFixed(1)} ms, fingerprint ${hash.toString(16)}`)
}
