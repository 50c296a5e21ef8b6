#!/usr/bin/env node
// Output memory check (not timed): synchronous loops that drop every result
// must stay within a fixed RSS budget of their first iteration, without ever
// yielding to the event loop. Output typed arrays are V8-owned, so the GC
// alone frees them; with external (finalizer-freed) buffers these loops grow
// by the whole output of every call.
//
//   node bench/memory.mjs            # full size: 1,000 x pack(100k), 1,000,000 x pack(16), ...
//   node bench/memory.mjs --quick    # the same loops, fewer iterations (the vitest test)
//   node bench/memory.mjs --json     # one JSON line per scenario
//   node bench/memory.mjs --budget 128   # another budget (the vitest test's)
//
// Each line also gives the scenario's total output (bytes returned per call x
// calls), so a reader (and the test) can see that keeping the outputs alive
// would blow the budget many times over. V8's GC slack differs by version:
// Node 20 and 22 plateau at 30-40 MiB above the first iteration on 100k-item
// outputs, Node 24 at 75-90 MiB (measured flat from 100 to 1,000 calls: slack,
// not growth).
//
// The ", disposed" scenarios call `dispose()` on every result: on Node 22 and
// later that frees its buffers at once (ArrayBuffer#transfer), so the loop
// holds about one result whatever V8's slack; Node 20 has no transfer and
// there they behave like the plain loops.
//
// Every scenario runs in a fresh child process (one RSS history each). Exit
// code 1 when any scenario exceeds the budget.
import { spawnSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'

const argv = process.argv.slice(2)
const budgetAt = argv.indexOf('--budget')
const BUDGET_MIB = budgetAt >= 0 ? Number(argv[budgetAt + 1]) : 64
const quick = argv.includes('--quick')
const json = argv.includes('--json')

/** name -> [full iterations, quick iterations]. */
const SCENARIOS = {
  'pack obfd 100k': [1_000, 400],
  'pack obfd 16': [1_000_000, 100_000],
  'pack ffd 100k': [1_000, 400],
  'balance 100k': [1_000, 100],
  'balance 16': [1_000_000, 100_000],
  'packRows 1k docs': [20_000, 200],
  'StreamPacker.push': [200_000, 10_000],
  'pack obfd 100k, disposed': [1_000, 400],
  'balance 100k, disposed': [1_000, 100],
  'packRows 1k docs, disposed': [20_000, 200],
}
const DISPOSED = ', disposed'

function lengths(n, capacity, seed) {
  // xorshift32: the same input in every run.
  let s = seed >>> 0 || 1
  const out = new Uint32Array(n)
  for (let i = 0; i < n; i++) {
    s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0
    out[i] = 1 + (s % capacity)
  }
  return out
}

/** Bytes of every typed array reachable from one result (its output size). */
function typedBytes(value, seen = new Set()) {
  if (value == null || typeof value !== 'object' || seen.has(value)) return 0
  seen.add(value)
  if (ArrayBuffer.isView(value)) return value.byteLength
  let total = 0
  for (const v of Object.values(value)) total += typedBytes(v, seen)
  return total
}

async function child(scenario, iterations) {
  const sp = await import('seqpack')
  const dispose = scenario.endsWith(DISPOSED)
  const name = dispose ? scenario.slice(0, -DISPOSED.length) : scenario
  let call
  if (name.startsWith('pack ')) {
    const [, strategy, size] = name.split(' ')
    const n = size === '100k' ? 100_000 : Number(size)
    const input = lengths(n, 4096, 7)
    call = () => sp.pack(input, { strategy, capacity: 4096 })
  } else if (name.startsWith('balance')) {
    const n = name.endsWith('100k') ? 100_000 : 16
    const input = lengths(n, 4096, 11)
    call = () => sp.balance(input, { nodes: 8 })
  } else if (name.startsWith('packRows')) {
    const docs = Array.from({ length: 1_000 }, (_, d) => lengths(1 + (d % 300), 50_000, d + 1))
    const offsets = new Uint32Array(docs.length + 1)
    docs.forEach((d, i) => { offsets[i + 1] = offsets[i] + d.length })
    const tokens = new Int32Array(offsets[docs.length])
    docs.forEach((d, i) => tokens.set(d, offsets[i]))
    call = () => sp.packRows({ tokens, offsets }, { strategy: 'obfd', capacity: 2048 })
  } else {
    const packer = new sp.StreamPacker({ strategy: 'nf', capacity: 4096 })
    const input = lengths(64, 4096, 13)
    call = () => { let last; for (const l of input) last = packer.push(l); return last }
  }
  const sample = Math.max(1, Math.floor(iterations / 200))
  let sink = 0
  const r0 = call()
  const outputBytes = typedBytes(r0)
  sink += r0 ? 1 : 0
  if (dispose) r0.dispose()
  const first = process.memoryUsage.rss()
  let peak = first
  // The array buffers V8 holds (live or not yet collected) at the same
  // sample points: how much output the GC lets pile up before it collects,
  // which is what the RSS growth follows (Node 24's V8 waits about twice as
  // long as Node 20/22's).
  let buffers = 0
  for (let i = 1; i < iterations; i++) {
    const r = call()
    sink += r ? 1 : 0
    if (dispose) r.dispose()
    if (i % sample === 0) {
      const m = process.memoryUsage()
      peak = Math.max(peak, m.rss)
      buffers = Math.max(buffers, m.arrayBuffers)
    }
  }
  peak = Math.max(peak, process.memoryUsage.rss())
  process.stdout.write(JSON.stringify({ name: scenario, iterations, transfer: typeof ArrayBuffer.prototype.transfer === 'function', firstMiB: first / 2 ** 20, peakMiB: peak / 2 ** 20, growthMiB: (peak - first) / 2 ** 20, outputMiB: outputBytes * iterations / 2 ** 20, arrayBuffersPeakMiB: buffers / 2 ** 20, sink }) + '\n')
}

if (argv[0] === '--child') {
  await child(argv[1], Number(argv[2]))
} else {
  const self = fileURLToPath(import.meta.url)
  let failed = 0
  for (const [name, [full, small]] of Object.entries(SCENARIOS)) {
    const iterations = quick ? small : full
    const r = spawnSync(process.execPath, [self, '--child', name, String(iterations)], { encoding: 'utf8' })
    if (r.status !== 0) {
      failed++
      console.log(`${name}: child failed (${r.status}): ${r.stderr.slice(0, 500)}`)
      continue
    }
    const res = JSON.parse(r.stdout.trim().split('\n').pop())
    const ok = res.growthMiB <= BUDGET_MIB
    if (!ok) failed++
    if (json) console.log(JSON.stringify({ ...res, budgetMiB: BUDGET_MIB, ok }))
    else console.log(`${name.padEnd(24)} ${String(iterations).padStart(9)} calls  first ${res.firstMiB.toFixed(1)} MiB  peak ${res.peakMiB.toFixed(1)} MiB  growth ${res.growthMiB.toFixed(1)} MiB of ${res.outputMiB.toFixed(0)} MiB output, array buffers <= ${res.arrayBuffersPeakMiB.toFixed(1)} MiB  (budget ${BUDGET_MIB})  ${ok ? 'met' : 'MISSED'}`)
  }
  process.exitCode = failed ? 1 : 0
}
