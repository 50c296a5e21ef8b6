#!/usr/bin/env node
// Interleaved A/B timing of native builds, end to end from JS through the
// addon's own `packU32` (no TS layer).
//
//   node bench/ab.mjs A.node [B.node ...] [--n 1000000] [--capacity 4096] [--dist uniform] [--rounds 15]
//
// Every build packs the same seeded input (bench/datasets.mjs); builds
// alternate round by round so drift in machine load hits all of them alike.
// Prints the median ns/item of each build and its ratio to the first.
import { createRequire } from 'node:module'
import { resolve } from 'node:path'
import { argv } from 'zx'
import { lengthsFor } from './datasets.mjs'
import { median } from './format.mjs'

const n = Number(argv.n ?? 1_000_000)
const capacity = Number(argv.capacity ?? 4096)
const dist = String(argv.dist ?? 'uniform')
const rounds = Number(argv.rounds ?? 15)
const require = createRequire(import.meta.url)
const builds = argv._.map((p) => ({ path: p, mod: require(resolve(p)), times: [] }))
if (builds.length === 0) throw new Error('give at least one .node path')

const input = lengthsFor(dist, n, capacity)
const reps = Math.max(1, Math.round(2_000_000 / n))
for (const b of builds) {
  // Builds from before the addon exported its contract kept numBins in slot 0.
  const contract = b.mod.contract?.()
  b.numBins = contract ? contract.metricsLayout.indexOf('numBins') : 0
  // Builds since the packed result: one ArrayBuffer with an f64 header first.
  b.header = contract?.packingLayout?.length
  b.bins = (out) => (out instanceof ArrayBuffer ? new Float64Array(out, 0, b.header)[b.numBins] : out.metrics[b.numBins])
  for (let w = 0; w < 3; w++) b.mod.packU32(input, capacity) // warm-up
}
const bins = new Set()
for (let r = 0; r < rounds; r++) {
  for (const b of builds) {
    const t0 = process.hrtime.bigint()
    for (let k = 0; k < reps; k++) bins.add(b.bins(b.mod.packU32(input, capacity)))
    b.times.push(Number(process.hrtime.bigint() - t0) / reps / n)
  }
}
if (bins.size !== 1) throw new Error(`builds disagree on the bin count: ${[...bins].join(', ')}`)
const base = median(builds[0].times)
console.log(`${dist} N=${n} C=${capacity} rounds=${rounds}x${reps} bins=${[...bins][0]}`)
for (const b of builds) {
  const m = median(b.times)
  console.log(`  ${b.path}: ${m.toFixed(2)} ns/item (x${(m / base).toFixed(3)})`)
}
