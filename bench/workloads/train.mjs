#!/usr/bin/env node
// TRAINING workload for PGO and BOLT: what the instrumented addon runs so the
// compiler learns which paths are hot. It must not be the evaluation workload
// (eval.mjs), or the comparison would reward overfitting: it uses different
// seeds, sizes, capacities and partly different distributions, and it covers
// every strategy `strategies()` reports (so new algorithms are trained
// automatically), every entry point (Uint32Array, Int32Array, plain array,
// async) and a few rejected inputs (so error paths are seen as cold, not absent).
//
//   SEQPACK_NATIVE_PATH=/abs/x.node node bench/workloads/train.mjs [--quick]
import { pack, packAsync, strategies } from 'seqpack'
import { argv as f } from 'zx'
import { check, lengths, optionsFor, withWeights } from './lib.mjs'

const quick = Boolean(f.quick)
const SIZES = quick ? [1_500, 12_000, 60_000] : [3_000, 30_000, 300_000]
const CAPS = [1_000, 3_000, 6_000, 16_384]
const DISTS = ['exponential-c', 'nearfull-c', 'bimodal-c', 'lognormal-c']

const t0 = performance.now()
let runs = 0
let seed = 1_000
const list = strategies()
for (const info of list) {
  for (let d = 0; d < DISTS.length; d++) {
    for (let s = 0; s < SIZES.length; s++) {
      const n = SIZES[s]
      const c = CAPS[(d + s) % CAPS.length]
      const lens = lengths(DISTS[d], n, c, seed++)
      const opts = withWeights(optionsFor(info, c, d + s, n), lens)
      const label = `${info.name}/${DISTS[d]}/n=${n}/C=${c}`
      // Rotate the entry points so each conversion path is trained.
      let res
      switch ((d + s) % 4) {
        case 0:
        case 1:
          res = pack(lens, opts)
          break
        case 2:
          res = pack(n <= 30_000 ? Array.from(lens) : Int32Array.from(lens), opts)
          break
        default:
          res = await packAsync(lens, opts)
      }
      check(label, res, n)
      runs++
    }
  }
}

// A few rejected inputs: error paths exist in the profile, as cold code.
let rejected = 0
for (const bad of [
  () => pack([1, 2, -3], { capacity: 10 }),
  () => pack(new Uint32Array([5, 50]), { capacity: 10 }),
  () => pack([1, 2], { capacity: 0 }),
  () => pack([1, 2], { capacity: 10, strategy: 'nope' }),
]) {
  try {
    bad()
  } catch {
    rejected++
  }
}
if (rejected !== 4) throw new Error(`expected 4 rejected inputs, got ${rejected}`)

console.log(
  `train: ${runs} packings over ${list.length} strategies (${list.map((s) => s.name).join(', ')}), ` +
    `${rejected} rejected inputs, ${((performance.now() - t0) / 1000).toFixed(1)}s`,
)
