#!/usr/bin/env node
// Before/after timings of the reliability defects: runs two builds of
// crates/core/examples/reliability_timing.rs interleaved (A B A B ...), one
// case per process, and prints the medians side by side with their ratio.
//
//   node bench/reliability-timing.mjs --before <binary> --after <binary> [--reps 3] [--cases a,b]
//
// Build "before" from an older commit, e.g.:
//   git archive <commit> | tar -x -C /tmp/old && cp crates/core/examples/reliability_timing.rs /tmp/old/crates/core/examples/
//   (cd /tmp/old && cargo build --release -p seqpack-core --example reliability_timing)
import { $, argv } from 'zx'

const cases = String(argv.cases ?? 'balance-equal-80k,balance-equal-320k,ohgbfd-default-48k,ohgbfd-adversarial-48k,ohgbfd-30k-capacities').split(',')
const reps = Number(argv.reps ?? 3)
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]
const runOnce = async (bin, c) => {
  const out = (await $({ quiet: true })`${bin} ${c}`).stdout.trim().split(' ')
  return { ms: Number(out[1]), check: out[2] }
}
console.log('case | before ms (median) | after ms (median) | before/after | checks')
for (const c of cases) {
  const a = []
  const b = []
  let checks = ''
  for (let r = 0; r < reps; r++) {
    const x = await runOnce(argv.before, c)
    const y = await runOnce(argv.after, c)
    a.push(x.ms)
    b.push(y.ms)
    checks = `${x.check}/${y.check}`
  }
  const ma = median(a)
  const mb = median(b)
  console.log(`${c} | ${ma.toFixed(1)} | ${mb.toFixed(1)} | ${(ma / mb).toFixed(1)}x | ${checks}`)
}
