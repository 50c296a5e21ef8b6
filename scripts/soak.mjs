#!/usr/bin/env node
// Sequential soak: many small pack() calls in one process, RSS sampled after
// a warm-up (see `warmAt`) and at the end. Prints one JSON
// line: { calls, mode, warmRssMb, endRssMb, peakRssMb, growth, threads }.
//
//   node scripts/soak.mjs --calls 1000000 --mode turning   # event loop turns every 1,000 calls
//   node scripts/soak.mjs --calls 1000000 --mode sync      # one synchronous loop
//
// `turning` yields to the event loop (setImmediate) every 1,000 calls, as a
// server or a data pipeline does, so finalizers of the native output
// buffers run; `sync` never yields, which shows how much output memory
// waits for a turn of the loop. `__test__/soak.test.ts` runs both
// (SEQPACK_SOAK_CALLS, default 400,000; `sync` at most 200,000) and asserts
// the `turning` bound.
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { parseArgs } from 'node:util'

const { values } = parseArgs({
  options: {
    calls: { type: 'string', default: '200000' },
    mode: { type: 'string', default: 'turning' },
    entry: { type: 'string' },
  },
})
const calls = Number(values.calls)
const turning = values.mode === 'turning'
const require = createRequire(import.meta.url)
const { pack } = require(values.entry ?? require.resolve('seqpack'))

function threads() {
  try {
    return Number(/^Threads:\s+(\d+)/m.exec(readFileSync('/proc/self/status', 'utf8'))[1])
  } catch {
    return null
  }
}

const strategies = ['obfd', 'ffd', 'bf', 'nf', 'ogbfd']
const inputs = Array.from({ length: 64 }, (_, i) => Uint32Array.from({ length: 8 + (i % 24) }, (_, j) => 1 + ((i * 131 + j * 977) % 4000)))
const mb = (b) => b / 1048576
let peak = 0
let warm = 0
let checksum = 0
// Warm-up: V8's heap grows in steps over the first ~150,000 calls (about
// 55 -> 58.5 MB, then flat to a million calls), so the bound is measured
// from a quarter of the calls or 150,000, whichever is later (at most half).
const warmAt = Math.min(Math.max(Math.floor(calls / 4), 150_000), Math.floor(calls / 2))
for (let c = 0; c < calls; c++) {
  const s = strategies[c % strategies.length]
  const r = pack(inputs[c % inputs.length], s === 'ogbfd' ? { capacity: 4096, strategy: s, groupSize: 2 } : { capacity: 4096, strategy: s })
  checksum = (checksum + r.numBins) | 0
  if (c % 1000 === 999) {
    if (turning) await new Promise((resolve) => setImmediate(resolve))
    const rss = process.memoryUsage.rss()
    peak = Math.max(peak, rss)
    if (c + 1 === warmAt || (warm === 0 && c + 1 >= warmAt)) warm = rss
    if (process.env.SOAK_TRACE && (c + 1) % Math.floor(calls / 20) === 0) console.error(c + 1, (rss / 1048576).toFixed(1))
  }
}
if (turning) await new Promise((resolve) => setImmediate(resolve))
const end = process.memoryUsage.rss()
console.log(
  JSON.stringify({
    calls,
    mode: values.mode,
    warmRssMb: +mb(warm).toFixed(1),
    endRssMb: +mb(end).toFixed(1),
    peakRssMb: +mb(Math.max(peak, end)).toFixed(1),
    growth: +((end - warm) / warm).toFixed(4),
    threads: threads(),
    checksum,
  }),
)
