#!/usr/bin/env node
// Interleaved A/B timing of native builds, and the napi boundary's share.
//
//   node scripts/perf-ab.mjs A.node [B.node ...] [--n 1000000] [--cap 4096] [--dist uniform] [--rounds 15]
//
// Each .node is loaded directly (no TS layer) and `packU32(Uint32Array, {capacity})`
// is timed on the same seeded input; builds alternate round by round so drift in
// machine load hits all of them alike. Prints the median ns/item of each build
// and its ratio to the first.
import { createRequire } from 'node:module'
import { resolve } from 'node:path'

const require = createRequire(import.meta.url)
const args = process.argv.slice(2)
const opt = (name, dflt) => {
  const i = args.indexOf(`--${name}`)
  if (i < 0) return dflt
  const v = args[i + 1]
  args.splice(i, 2)
  return v
}
const n = Number(opt('n', 1_000_000))
const cap = Number(opt('cap', 4096))
const dist = opt('dist', 'uniform')
const rounds = Number(opt('rounds', 15))
const builds = args.map((p) => ({ path: p, mod: require(resolve(p)), times: [] }))
if (builds.length === 0) throw new Error('give at least one .node path')

/** Seeded synthetic lengths, the anchors' four distributions, clamped to 1..cap. */
export function lengths(kind, count, capacity, seed = 42) {
  let s = seed >>> 0
  const u = () => {
    s = (s + 0x6d2b79f5) >>> 0
    let t = s
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
  const normal = () => Math.sqrt(-2 * Math.log(1 - u())) * Math.cos(2 * Math.PI * u())
  const sigma2 = Math.log(1 + (64 / 128) ** 2)
  const out = new Uint32Array(count)
  for (let i = 0; i < count; i++) {
    let v
    if (kind === 'uniform') v = 16 + Math.floor(u() * 497)
    else if (kind === 'lognormal') v = Math.round(Math.exp(Math.log(128) - sigma2 / 2 + Math.sqrt(sigma2) * normal()))
    else if (kind === 'exponential') v = Math.ceil(-128 * Math.log(1 - u()))
    else if (kind === 'bimodal') v = Math.round(u() < 0.7 ? 64 + 12.8 * normal() : 512 + 102.4 * normal())
    else throw new Error(`unknown distribution ${kind}`)
    out[i] = Math.min(capacity, Math.max(1, v))
  }
  return out
}

const input = lengths(dist, n, cap)
const options = { capacity: cap }
const reps = Math.max(1, Math.round(2_000_000 / n))
for (const b of builds) for (let w = 0; w < 3; w++) b.mod.packU32(input, options) // warm-up
let bins
for (let r = 0; r < rounds; r++) {
  for (const b of builds) {
    const t0 = process.hrtime.bigint()
    for (let k = 0; k < reps; k++) bins = b.mod.packU32(input, options).metrics.numBins
    b.times.push(Number(process.hrtime.bigint() - t0) / reps / n)
  }
}
const median = (a) => {
  const s = [...a].sort((x, y) => x - y)
  return s[s.length >> 1]
}
const base = median(builds[0].times)
console.log(`${dist} N=${n} C=${cap} rounds=${rounds}x${reps} bins=${bins}`)
for (const b of builds) {
  const m = median(b.times)
  console.log(`  ${b.path}: ${m.toFixed(2)} ns/item (x${(m / base).toFixed(3)})`)
}
