// Shared pieces of the PGO/BOLT workloads (train.mjs, eval.mjs): seeded
// lengths (from the one distribution table, bench/datasets.mjs), and per-strategy options derived from `strategies()`
// so that every strategy the addon exposes is exercised without this file
// having to know the list.
//
// The addon is loaded through the package itself ('seqpack' self-reference,
// i.e. dist/), so SEQPACK_NATIVE_PATH selects which .node runs: the normal
// build, an instrumented one, or an optimized one.
/** `lengths(dist, n, c, seed)`: `n` seeded lengths of a distribution of bench/datasets.mjs. */
export { synthetic as lengths } from '../datasets.mjs'

/**
 * Options for `info` (an entry of `strategies()`) at capacity `c`. Only the
 * options the strategy lists are set (the core rejects the others); required
 * ones (groupSize, capacities, layouts) always are. `variant` picks different
 * but valid values so training covers more code paths. Heterogeneous
 * strategies derive their capacity from the device list, so `capacity` is
 * omitted for them and the largest device capacity equals `c`.
 */
export function optionsFor(info, c, variant = 0, n = 0) {
  const o = { strategy: info.name }
  const takes = new Set(info.options)
  let derived = false
  for (const name of takes) {
    switch (name) {
      case 'k':
        o.k = [10, 4, 24][variant % 3]
        break
      case 'seed':
        o.seed = 7 + variant
        break
      case 'threads':
        if (variant % 2 === 1) o.threads = 2
        break
      case 'groupSize':
        o.groupSize = [4, 8, 2][variant % 3]
        break
      case 'capacities':
        o.capacities = variant % 2 === 0 ? [c, c, c, c] : [c, c, Math.max(1, c >> 1), Math.max(1, c >> 1)]
        derived = true
        break
      case 'layouts':
        o.layouts = [[c, c], [c, Math.max(1, c >> 1), Math.max(1, c >> 1)]]
        derived = true
        break
      case 'weights':
        // Default weights (len^2) most of the time; explicit ones on odd variants.
        if (variant % 2 === 1 && n > 0) o.weights = null // filled by the caller, which knows the lengths
        break
      default:
        break // an option this workload does not know: leave it to its default
    }
  }
  if (!derived) o.capacity = c
  return o
}

/** Fills `weights: null` placeholders (set by optionsFor) from the lengths: len^1.5. */
export function withWeights(opts, lens) {
  if (opts.weights !== null) return opts
  const w = new Float64Array(lens.length)
  for (let i = 0; i < lens.length; i++) w[i] = Math.pow(lens[i], 1.5)
  return { ...opts, weights: w }
}

/** Checks a result's basic invariants; throws with the case name if broken. */
export function check(label, res, n) {
  if (res.items.length !== n) throw new Error(`${label}: ${res.items.length} items out, ${n} in`)
  const seen = new Uint8Array(n)
  for (const i of res.items) {
    if (seen[i]) throw new Error(`${label}: item ${i} packed twice`)
    seen[i] = 1
  }
  if (res.binOffsets.length !== res.numBins + 1) throw new Error(`${label}: binOffsets length`)
}

/** FNV-1a over the bin structure: identical across correct builds of the same commit. */
export function fingerprint(res, h = 0x811c9dc5) {
  const mix = (x) => {
    h ^= x
    h = Math.imul(h, 0x01000193) >>> 0
  }
  mix(res.numBins)
  for (let i = 0; i < res.items.length; i++) mix(res.items[i])
  for (let i = 0; i < res.binOffsets.length; i++) mix(res.binOffsets[i])
  return h
}
