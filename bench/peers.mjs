#!/usr/bin/env node
// `npm run bench:peers`: seqpack against the real peers, side by side, on the
// same inputs, then every performance target with its measured value. Run from a fresh clone after `npm ci`; the Python peers are installed
// by this script into .venv/ (gitignored).
//
//   node bench/peers.mjs            N = 10k, 1M; C = 2048, 4096; 7 datasets
//   node bench/peers.mjs --quick    C = 4096, fewer rounds, slow peers on 2 datasets
//   node bench/peers.mjs --report   also regenerates docs/benchmarks.md (+ SVG plots)
//   --no-install  use .venv as it is     --rounds R   override the round count
//   --ns 100000,1000000  --dists uniform,chat   subsets     --no-core  skip the core-alone build
//   --memory-node /path/to/node   also run the output-memory loops under that Node
//        (repeatable; V8's GC slack differs by version, e.g. Node 24's)
//   --only seqpack-ohgbfd,lightbinpack-ohgbfd   just these contenders (seqpack-obfd, the
//        ratio base, always runs) and none of the targets beyond the per-strategy ones
//
// Method: lengths are written ONCE to bench/.data/*.u32 and every contender
// reads the same files. Each contender times only its library call, with the
// input already in its host language's natural array type (Uint32Array for
// seqpack, NumPy int64 for seqpacker/LightBinPack, lists for binpacking/prtpy,
// a plain array for bin-packer) and the output in its native form. Python peers
// run in long-lived worker processes (bench/peers/runner.py) and are asked for
// one timed call at a time, so rounds are interleaved across all contenders;
// warm-up calls first, then the median of the rounds.
import { $, argv as args, fs, path } from 'zx'
import os from 'node:os'
import { spawn, spawnSync } from 'node:child_process'
import readline from 'node:readline'
import { allDistributions, lengthsFor } from './datasets.mjs'
import { median, textTable as table } from './format.mjs'

$.verbose = false
const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..')
const quick = Boolean(args.quick)
const dataDir = path.join(root, 'bench', '.data')
const resultsDir = path.join(root, 'bench', '.results')
const venv = path.join(root, '.venv')
const py = path.join(venv, 'bin', 'python')
fs.mkdirpSync(dataDir)
fs.mkdirpSync(resultsDir)

// Versions verified with this script (Python 3.11, Debian bookworm, x86-64).
export const PINS = { numpy: '2.4.6', seqpacker: '0.1.3', lightbinpack: '0.1.1', binpacking: '2.0.1', prtpy: '0.8.3' }

const NS = args.ns ? String(args.ns).split(',').map(Number) : [10_000, 100_000, 1_000_000]
const CAPS = quick ? [4096] : [2048, 4096]
const DISTS = args.dists ? String(args.dists).split(',') : allDistributions()
/** Strategies seqpack is compared on with each peer's same-named one. */
const SEQPACKER_STRATEGIES = ['nf', 'ff', 'bf', 'wf', 'hk', 'ffd', 'bfd', 'ffs', 'mffd', 'obfd', 'obfdp']
const LIGHTBINPACK_STRATEGIES = ['nf', 'ffd', 'bfd', 'obfd', 'obfdp', 'ohgbfd', 'oshgbfd']
/**
 * The heterogeneous grouped strategies' device capacities for a case of
 * capacity C: one group = a 2C device, two C devices and a C/2 device
 * (`ohgbfd`); `oshgbfd` may also open a group of four C devices. The same
 * lists go to LightBinPack (bench/peers/contenders.py builds them the same way).
 */
const GROUPED_OPTIONS = {
  ohgbfd: (c) => ({ capacities: [2 * c, c, c, c >> 1] }),
  oshgbfd: (c) => ({ layouts: [[2 * c, c, c, c >> 1], [c, c, c, c]] }),
}
/** Bin-comparison key: OBFD is BFD with a counting sort (same bins). */
const algoOf = (s) => (s === 'obfd' ? 'bfd' : s)
/** LightBinPack's heterogeneous strategies choose bins another way than seqpack's. */
const HETERO_NOT_SAME = "LightBinPack picks the group whose largest room fits tightest, then the smallest-ratio bin in it (and a post-pass fills the last group's empty bins); seqpack picks the smallest-ratio bin over all groups"
/** Where a same-named peer strategy is not the same algorithm, so bins may differ. */
const NOT_SAME = {
  hk: "seqpacker's catch-all bins are never closed (unbounded), seqpack's Harmonic-K is bounded-space",
  ffs: 'each library draws its own random order',
  ohgbfd: HETERO_NOT_SAME,
  oshgbfd: HETERO_NOT_SAME,
}
/** `--only`: the contenders to run (the ratio base seqpack-obfd always runs). */
const ONLY = args.only ? new Set(['seqpack-obfd', ...String(args.only).split(',')]) : null
const SLOW_DISTS = quick ? ['uniform', 'code'] : DISTS
const ROUNDS = (n) => Number(args.rounds ?? (n >= 1e6 ? (quick ? 7 : 15) : quick ? 21 : 51))
const BUDGET_MS = quick ? 2000 : 6000 // per contender per case; slow peers stop early

const log = (...a) => console.log(...a)

// ---------------------------------------------------------------- setup

async function setupPython() {
  const skipped = {}
  if (!fs.existsSync(py)) {
    log('creating .venv (python3 -m venv)')
    const r = await $({ nothrow: true })`python3 -m venv ${venv}`
    if (r.exitCode !== 0) {
      for (const p of ['seqpacker', 'lightbinpack', 'binpacking', 'prtpy']) skipped[p] = `python3 -m venv failed: ${r.stderr.trim()}`
      return skipped
    }
  }
  const pip = async (spec) => $({ nothrow: true })`${py} -m pip install -q --disable-pip-version-check ${spec}`
  if (args.install !== false) {
    const np = await pip(`numpy==${PINS.numpy}`)
    if (np.exitCode !== 0) {
      for (const p of ['seqpacker', 'lightbinpack', 'binpacking', 'prtpy']) skipped[p] = `numpy failed to install: ${np.stderr.trim().split('\n').slice(-3).join(' ')}`
      return skipped
    }
    for (const p of ['seqpacker', 'lightbinpack', 'binpacking', 'prtpy']) {
      log(`pip install ${p}==${PINS[p]}${p === 'lightbinpack' || p === 'seqpacker' ? ' (may compile from source: a few minutes the first time)' : ''}`)
      const r = await pip(`${p}==${PINS[p]}`)
      if (r.exitCode !== 0) skipped[p] = `pip install ${p}==${PINS[p]} failed: ${r.stderr.trim().split('\n').slice(-4).join(' | ')}`
    }
  }
  for (const p of ['seqpacker', 'lightbinpack', 'binpacking', 'prtpy']) {
    if (skipped[p]) continue
    const r = spawnSync(py, ['-c', `import ${p}`], { encoding: 'utf8' })
    if (r.status !== 0) skipped[p] = `import ${p} failed: ${r.stderr.trim().split('\n').pop()}`
  }
  for (const [p, why] of Object.entries(skipped)) log(`SKIPPED ${p}: ${why}`)
  return skipped
}

async function loadSeqpack() {
  try {
    return await import('seqpack')
  } catch (err) {
    throw new Error(`cannot load seqpack (${err.message}); build it first: npm run build`)
  }
}

async function loadTsObfd() {
  const { transformSync } = await import('esbuild')
  const src = fs.readFileSync(path.join(root, 'bench', 'ts-obfd.ts'), 'utf8')
  const out = path.join(dataDir, 'ts-obfd.mjs')
  fs.writeFileSync(out, transformSync(src, { loader: 'ts', format: 'esm', target: 'node18' }).code)
  return (await import(out)).obfd
}

async function buildCoreBench() {
  if (args.core === false) {
    log('--no-core: the core bench binary is not built (napi boundary target not measured)')
    return null
  }
  const r = await $({ nothrow: true, cwd: root })`cargo build --release -p seqpack-core --example core_bench`
  if (r.exitCode !== 0) {
    log(`core bench binary failed to build (napi boundary target not measured):\n${r.stderr}`)
    return null
  }
  return path.join(root, 'target', 'release', 'examples', 'core_bench')
}

// ---------------------------------------------------------------- contenders

/** A Python worker process speaking bench/peers/runner.py's line protocol. */
async function pythonWorker(name) {
  const child = spawn(py, [path.join(root, 'bench', 'peers', 'runner.py'), name], { cwd: path.join(root, 'bench', 'peers'), stdio: ['pipe', 'pipe', 'inherit'] })
  const lines = readline.createInterface({ input: child.stdout })
  const it = lines[Symbol.asyncIterator]()
  const recv = async () => {
    const { value, done } = await it.next()
    if (done) throw new Error(`${name} worker exited`)
    return JSON.parse(value)
  }
  const send = async (msg) => {
    child.stdin.write(JSON.stringify(msg) + '\n')
    const r = await recv()
    if (r.error) throw new Error(`${name}: ${r.error}`)
    return r
  }
  const hello = await recv()
  return {
    version: hello.version,
    load: (id, file, capacity) => send({ op: 'load', id, file, capacity }),
    run: async (id) => send({ op: 'run', id }),
    drop: (id) => send({ op: 'drop', id }),
    close: () => child.stdin.end(),
  }
}

/** A JS contender: prepare (untimed) returns per-call arguments; call is timed. */
function jsContender({ name, lib, version, algo, prepare, call, bins, maxN = Infinity, slow = false }) {
  const cases = new Map()
  return {
    name, lib, version, algo, maxN, slow,
    async load(id, lengths, capacity) {
      cases.set(id, prepare(lengths, capacity))
    },
    async run(id) {
      const c = cases.get(id)
      const a = c.fresh ? c.fresh() : c.args
      const t0 = process.hrtime.bigint()
      const r = call(...a)
      const ns = Number(process.hrtime.bigint() - t0)
      return { ns, bins: bins(r) }
    },
    async drop(id) {
      cases.delete(id)
    },
    close() {},
  }
}

function pyContender(name, worker, { lib, algo, maxN = Infinity, slow = false }) {
  return {
    name, lib, algo, maxN, slow, version: worker.version,
    load: (id, _lengths, capacity, file) => worker.load(id, file, capacity),
    run: (id) => worker.run(id),
    drop: (id) => worker.drop(id),
    close: () => worker.close(),
  }
}

async function makeContenders(seqpack, tsObfd, skipped) {
  const version = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')).version
  const have = new Set(seqpack.strategies().map((s) => s.name))
  const list = []
  for (const s of new Set([...SEQPACKER_STRATEGIES, ...LIGHTBINPACK_STRATEGIES])) {
    if (!have.has(s)) continue
    list.push(jsContender({
      name: `seqpack-${s}`, lib: 'seqpack', version, algo: algoOf(s),
      prepare: (lengths, capacity) => ({ args: [lengths, GROUPED_OPTIONS[s] ? { strategy: s, ...GROUPED_OPTIONS[s](capacity) } : { capacity, strategy: s }] }),
      call: seqpack.pack,
      bins: (r) => r.numBins,
    }))
  }
  list.push(jsContender({ name: 'ts-obfd', lib: 'TypeScript OBFD', version: 'bench/ts-obfd.ts', algo: 'bfd', prepare: (l, c) => ({ args: [l, c] }), call: tsObfd, bins: (r) => r.numBins }))
  const bp = (await import('bin-packer')).default
  const bpVersion = JSON.parse(fs.readFileSync(path.join(root, 'node_modules', 'bin-packer', 'package.json'), 'utf8')).version
  const identity = (x) => x
  for (const [fn, algo] of [['bestFitDecreasing', 'bfd'], ['firstFitDecreasing', 'ffd'], ['nextFit', 'nf'], ['firstFit', 'ff']]) {
    if (algo !== 'bfd' && algo !== 'ffd' && !have.has(algo)) continue // compare only what seqpack has
    list.push(jsContender({
      name: `bin-packer-${algo}`, lib: 'bin-packer', version: bpVersion, algo, maxN: 10_000, slow: true,
      // bin-packer mutates its input array: hand it a fresh plain-array copy, untimed.
      prepare: (l, c) => {
        const arr = Array.from(l)
        return { fresh: () => [arr.slice(), identity, c] }
      },
      call: (arr, f, c) => bp[fn](arr, f, c),
      bins: (r) => r.bins.length,
    }))
  }
  const pyList = [
    ...SEQPACKER_STRATEGIES.map((s) => [`seqpacker-${s}`, { lib: 'seqpacker', algo: algoOf(s) }]),
    // Its grouped strategies are other algorithms (NOT_SAME): kept out of the bin-count agreement.
    ...LIGHTBINPACK_STRATEGIES.map((s) => [`lightbinpack-${s}`, { lib: 'lightbinpack', algo: GROUPED_OPTIONS[s] ? `lightbinpack-${s}` : algoOf(s) }]),
    ['binpacking-ffd', { lib: 'binpacking', algo: 'binpacking', maxN: 10_000, slow: true }],
    ['prtpy-ffd', { lib: 'prtpy', algo: 'ffd', maxN: 10_000, slow: true }],
  ]
  for (const [name, opts] of pyList) {
    if (skipped[opts.lib] || (ONLY && !ONLY.has(name))) continue
    try {
      list.push(pyContender(name, await pythonWorker(name), opts))
    } catch (err) {
      log(`SKIPPED ${name}: worker failed to start: ${err.message}`)
      skipped[opts.lib] = err.message
    }
  }
  return ONLY ? list.filter((c) => ONLY.has(c.name)) : list
}

// ---------------------------------------------------------------- measuring

async function measureCase(contenders, lengths, file, capacity, dist, n) {
  const id = `${dist}-${n}-${capacity}`
  const active = contenders.filter((c) => n <= c.maxN && (!c.slow || SLOW_DISTS.includes(dist)))
  const state = new Map()
  for (const c of active) {
    try {
      await c.load(id, lengths, capacity, file)
      // warm-up: 2 calls, or 1 if a call takes over a second (JIT and caches are warm by then)
      const w = await c.run(id)
      if (w.ns < 1e9) await c.run(id)
      state.set(c, { samples: [], bins: w.bins, spent: 0, first: w.ns })
    } catch (err) {
      log(`  ${c.name} failed on ${id}: ${err.message}`)
    }
  }
  const rounds = ROUNDS(n)
  for (let r = 0; r < rounds; r++) {
    // rotate the order each round so no contender always runs right after another
    const order = [...state.keys()]
    const k = r % order.length
    for (const c of [...order.slice(k), ...order.slice(0, k)]) {
      const s = state.get(c)
      if (s.samples.length > 0 && (s.spent >= BUDGET_MS * 1e6 || (s.first > 1e9 && s.samples.length >= 1))) continue
      const res = await c.run(id)
      s.samples.push(res.ns)
      s.spent += res.ns
      if (res.bins !== s.bins) throw new Error(`${c.name} gave ${res.bins} bins then ${s.bins} on ${id}: not deterministic`)
    }
  }
  for (const c of active) await c.drop(id).catch(() => {})
  return [...state].map(([c, s]) => ({ contender: c.name, lib: c.lib, algo: c.algo, dist, n, capacity, bins: s.bins, rounds: s.samples.length, medianNs: median(s.samples), meanNs: s.samples.reduce((a, b) => a + b, 0) / s.samples.length, nsPerItem: median(s.samples) / n }))
}

function writeInput(dist, n, capacity) {
  const file = path.join(dataDir, `${dist}-n${n}-c${capacity}.u32`)
  const lengths = lengthsFor(dist, n, capacity)
  fs.writeFileSync(file, Buffer.from(lengths.buffer, lengths.byteOffset, lengths.byteLength))
  return { file, lengths }
}

/** The core alone (no napi) on the same 10k files, via the core_bench example. */
function measureCore(bin, files, capacity, rounds) {
  const argv = ['obfd', String(rounds)]
  for (const f of files) argv.push(f, String(capacity))
  const r = spawnSync(bin, argv, { encoding: 'utf8' })
  if (r.status !== 0) throw new Error(`core_bench failed: ${r.stderr}`)
  return r.stdout.trim().split('\n').map((l) => JSON.parse(l))
}

/**
 * Peak RSS of a fresh Node process that loads a 10M input and packs it once,
 * read by /usr/bin/time -v. (Not process.resourceUsage() in a child spawned
 * from here: on Linux a child's maxRSS starts at its forking parent's RSS, and
 * this orchestrator is large.) The child reports its RSS right before `pack`,
 * so peak - before is what packing added on top of Node and the input.
 */
function measureMemory(file, capacity, strategy) {
  if (!fs.existsSync('/usr/bin/time')) return null
  const script = `
    const fs = require('node:fs')
    const { pack } = require(${JSON.stringify(path.join(root, 'dist', 'index.cjs'))})
    const buf = fs.readFileSync(${JSON.stringify(file)})
    const lengths = new Uint32Array(buf.buffer, buf.byteOffset, buf.length / 4)
    globalThis.gc?.()
    const before = process.memoryUsage().rss
    const r = pack(lengths, { capacity: ${capacity}, strategy: ${JSON.stringify(strategy)} })
    const output = r.items.byteLength + r.binOffsets.byteLength + r.binLoads.byteLength
    console.log(JSON.stringify({ before, input: lengths.byteLength, output, bins: r.numBins }))`
  const r = spawnSync('/usr/bin/time', ['-v', process.execPath, '--expose-gc', '-e', script], { encoding: 'utf8' })
  const m = /Maximum resident set size \(kbytes\): (\d+)/.exec(r.stderr)
  if (r.status !== 0 || !m) throw new Error(`memory child failed: ${r.stderr}`)
  return { ...JSON.parse(r.stdout), peak: Number(m[1]) * 1024 }
}

function measureCoreMemory(bin, file, capacity) {
  if (!bin || !fs.existsSync('/usr/bin/time')) return null
  const r = spawnSync('/usr/bin/time', ['-v', bin, 'obfd', '0', file, String(capacity)], { encoding: 'utf8' })
  const m = /Maximum resident set size \(kbytes\): (\d+)/.exec(r.stderr)
  return m ? { peak: Number(m[1]) * 1024, bins: JSON.parse(r.stdout.trim()).bins } : null
}

// ---------------------------------------------------------------- the issue's other targets

/** Indices by decreasing length: histogram + prefix + scatter (typed arrays). */
function countingSort(lengths, maxLen) {
  const start = new Uint32Array(maxLen + 1)
  for (let i = 0; i < lengths.length; i++) start[lengths[i]]++
  let pos = 0
  for (let v = maxLen; v >= 0; v--) {
    const c = start[v]
    start[v] = pos
    pos += c
  }
  const out = new Uint32Array(lengths.length)
  for (let i = 0; i < lengths.length; i++) out[start[lengths[i]]++] = i
  return out
}

/** Interleaved medians (and means) of sync functions, round by round. */
function interleave(fns, rounds) {
  const samples = fns.map(() => [])
  for (const f of fns) f() // warm-up
  for (let r = 0; r < rounds; r++) {
    for (let k = 0; k < fns.length; k++) {
      const j = (k + r) % fns.length
      const t = process.hrtime.bigint()
      fns[j]()
      samples[j].push(Number(process.hrtime.bigint() - t))
    }
  }
  return samples.map((s) => ({ median: median(s), mean: s.reduce((a, b) => a + b, 0) / s.length }))
}

async function issueTargets(seqpack, target) {
  const { pack, packAsync } = seqpack
  const turn = () => new Promise((r) => setImmediate(r))
  // Small calls: 16 items, tight loop of 2,000 calls per sample.
  const small = lengthsFor('uniform', 16, 4096)
  const block = 2_000
  const smallSamples = []
  for (let r = 0; r < (quick ? 15 : 41); r++) {
    const t = process.hrtime.bigint()
    for (let i = 0; i < block; i++) pack(small, { strategy: 'obfd', capacity: 4096 })
    smallSamples.push(Number(process.hrtime.bigint() - t) / block)
    await turn()
  }
  const smallMed = median(smallSamples)
  target('pack() of 16 items (obfd, C=4096)', '<= 3 us median', `${(smallMed / 1e3).toFixed(2)} us median (blocks of ${block} calls)`, smallMed <= 3000)
  if (ONLY) return // --only: the cheap small-call target, none of the long ones

  // packAsync vs pack at N = 1M, alternated; the event loop turns between calls.
  const big = lengthsFor('uniform', 1_000_000, 4096)
  const syncNs = []
  const asyncNs = []
  pack(big, { strategy: 'obfd', capacity: 4096 })
  await packAsync(big, { strategy: 'obfd', capacity: 4096 })
  for (let r = 0; r < (quick ? 7 : 15); r++) {
    let t = process.hrtime.bigint()
    pack(big, { strategy: 'obfd', capacity: 4096 })
    syncNs.push(Number(process.hrtime.bigint() - t))
    await turn()
    t = process.hrtime.bigint()
    await packAsync(big, { strategy: 'obfd', capacity: 4096 })
    asyncNs.push(Number(process.hrtime.bigint() - t))
    await turn()
  }
  const ar = median(asyncNs) / median(syncNs)
  target('packAsync / pack (obfd, N=1M, C=4096, event loop turning)', '<= 1.5x', `${ar.toFixed(2)}x (pack ${(median(syncNs) / 1e6).toFixed(2)} ms, packAsync ${(median(asyncNs) / 1e6).toFixed(2)} ms)`, ar <= 1.5)

  // Near the floor: OBFD from JS vs a counting sort of the same input.
  let maxLen = 0
  for (const l of big) maxLen = Math.max(maxLen, l)
  const [obfd, floor] = interleave([() => pack(big, { strategy: 'obfd', capacity: 4096 }), () => countingSort(big, maxLen)], quick ? 9 : 21)
  const fr = obfd.median / floor.median
  target('OBFD from JS / counting sort (N=1M, C=4096)', '<= 3x', `${fr.toFixed(2)}x (OBFD ${(obfd.median / 1e6).toFixed(2)} ns/item, JS typed-array counting sort ${(floor.median / 1e6).toFixed(2)} ns/item; means in ms ${(obfd.mean / 1e6).toFixed(2)} / ${(floor.mean / 1e6).toFixed(2)} ms)`, fr <= 3)

  // Metrics' share of a call: only the core can time a pack with and
  // without them, so the core's own example measures it (interleaved
  // medians; see crates/core/examples/metrics_share.rs), built here.
  const ms = await $({ nothrow: true, cwd: root })`cargo run --release -q -p seqpack-core --example metrics_share -- ${quick ? 11 : 21}`
  const shares = [...ms.stdout.matchAll(/metrics share N=(\d+) C=(\d+): pack ([\d.]+) us, metrics ([\d.]+) us, share ([\d.]+)%/g)]
  if (ms.exitCode !== 0 || shares.length === 0) target('metrics share of an OBFD call (core)', '<= 10%', `not measured (metrics_share example failed: ${ms.stderr.trim().split('\n').pop()})`, null)
  for (const [, n, c, packUs, metricsUs, share] of shares) {
    target(`metrics share of an OBFD call (N=${Number(n).toLocaleString('en-US')}, C=${c}, core)`, '<= 10%', `${share}% (pack ${packUs} us, metrics ${metricsUs} us)`, Number(share) <= 10)
  }

  // Large capacity: OBFD per item at C = 2^22 vs C = 4096, same N, on
  // lengths that keep their shape (uniform 16..512) and on lengths that
  // scale with the capacity (uniform 1..C: sparse, C >> n).
  const n = 1_000_000
  for (const dist of ['uniform', 'uniform-c']) {
    const perItem = {}
    for (const c of [4096, 2 ** 22]) {
      const l = lengthsFor(dist, n, c)
      const [x] = interleave([() => pack(l, { strategy: 'obfd', capacity: c })], quick ? 5 : 11)
      perItem[c] = x.median / n
    }
    const cr = perItem[2 ** 22] / perItem[4096]
    target(`OBFD ns/item at C=2^22 vs C=4096 (N=1M, ${dist})`, '<= 2x', `${cr.toFixed(2)}x (${perItem[2 ** 22].toFixed(1)} vs ${perItem[4096].toFixed(1)} ns/item)`, cr <= 2)
  }

  // Output memory: synchronous loops (bench/memory.mjs, full size unless
  // --quick), under this Node and every --memory-node.
  const extra = [args['memory-node'] ?? []].flat().map(String)
  for (const node of [process.execPath, ...extra]) {
    const mem = spawnSync(node, [path.join(root, 'bench', 'memory.mjs'), '--json', ...(quick ? ['--quick'] : [])], { encoding: 'utf8' })
    const version = spawnSync(node, ['--version'], { encoding: 'utf8' }).stdout.trim()
    if (mem.error || !mem.stdout) target(`RSS growth, sync loops under ${node}`, '<= 64 MiB', `not measured: ${mem.error?.message ?? mem.stderr.slice(0, 200)}`, null)
    for (const line of (mem.stdout ?? '').trim().split('\n').filter((x) => x.startsWith('{'))) {
      const m = JSON.parse(line)
      target(`RSS growth, sync loop (Node ${version}): ${m.name} x ${m.iterations.toLocaleString('en-US')}`, `<= ${m.budgetMiB} MiB`, `${m.growthMiB.toFixed(1)} MiB`, m.ok)
    }
  }
}

// ---------------------------------------------------------------- main


async function main() {
  const t0 = Date.now()
  const skipped = await setupPython()
  const seqpack = await loadSeqpack()
  const tsObfd = await loadTsObfd()
  const coreBin = await buildCoreBench()
  const contenders = await makeContenders(seqpack, tsObfd, skipped)
  log(`contenders: ${contenders.map((c) => `${c.name} (${c.version})`).join(', ')}`)

  const rows = []
  for (const n of NS) {
    for (const capacity of CAPS) {
      for (const dist of DISTS) {
        const { file, lengths } = writeInput(dist, n, capacity)
        const res = await measureCase(contenders, lengths, file, capacity, dist, n)
        rows.push(...res)
        const base = res.find((r) => r.contender === 'seqpack-obfd')
        log(`${dist.padEnd(11)} N=${String(n).padEnd(7)} C=${capacity}  ` + res.map((r) => `${r.contender} ${(r.medianNs / 1e6).toFixed(3)}ms${base && r !== base ? ` (${(r.medianNs / base.medianNs).toFixed(1)}x)` : ''}`).join('  '))
      }
    }
  }
  for (const c of contenders) c.close()

  // Bin-count agreement among implementations of the same algorithm.
  const agreement = []
  const byCase = new Map()
  for (const r of rows) {
    const key = `${r.dist}|${r.n}|${r.capacity}|${r.algo}`
    if (!byCase.has(key)) byCase.set(key, [])
    byCase.get(key).push(r)
  }
  for (const [key, rs] of byCase) {
    if (rs.length < 2) continue
    const counts = new Set(rs.map((r) => r.bins))
    agreement.push({ key, agree: counts.size === 1, detail: rs.map((r) => `${r.contender}=${r.bins}`).join(' ') })
  }

  // Targets.
  const ratioOver = (peer, n, base = 'seqpack-obfd') => {
    const ratios = []
    for (const r of rows.filter((x) => x.contender === peer && x.n === n)) {
      const b = rows.find((x) => x.contender === base && x.dist === r.dist && x.n === r.n && x.capacity === r.capacity)
      if (b) ratios.push(r.medianNs / b.medianNs)
    }
    return ratios.length ? { median: median(ratios), cases: ratios.length } : null
  }
  const targets = []
  const target = (name, goal, value, met, note = '') => targets.push({ name, goal, value, met, note })
  const fmtRatio = (x) => (x ? `${x.median.toFixed(2)}x (median of ${x.cases})` : 'not measured')
  for (const [peer, goal] of ONLY ? [] : [['seqpacker-obfd', 3], ['lightbinpack-obfd', 4]]) {
    for (const n of NS) {
      const x = ratioOver(peer, n)
      const bfdDisagree = agreement.filter((a) => a.key.endsWith('|bfd') && !a.agree && a.detail.includes(peer))
      target(`OBFD vs ${peer.replace('-obfd', '')} (N=${n.toLocaleString('en-US')})`, `>= ${goal}x, equal bins`, x ? `${fmtRatio(x)}, bins ${bfdDisagree.length ? 'DIFFER in ' + bfdDisagree.length + ' cases' : 'equal'}` : `not measured${skipped[peer.split('-')[0]] ? ' (peer skipped: ' + skipped[peer.split('-')[0]] + ')' : ''}`, x ? x.median >= goal && !bfdDisagree.length : null)
    }
  }
  // Every strategy ahead of every peer that has it: >= 3x at N = 100k and 1M
  // on every dataset (the worst dataset counts), by median and by mean.
  const perStrategy = []
  for (const [peerLib, list] of [['seqpacker', SEQPACKER_STRATEGIES], ['lightbinpack', LIGHTBINPACK_STRATEGIES]]) {
    for (const st of list) {
      for (const n of NS.filter((x) => x >= 100_000)) {
        const ratios = []
        const meanRatios = []
        let differ = 0
        for (const r of rows.filter((x) => x.contender === `${peerLib}-${st}` && x.n === n)) {
          const b = rows.find((x) => x.contender === `seqpack-${st}` && x.dist === r.dist && x.n === n && x.capacity === r.capacity)
          if (!b) continue
          ratios.push({ dist: r.dist, capacity: r.capacity, x: r.medianNs / b.medianNs })
          meanRatios.push(r.meanNs / b.meanNs)
          if (r.bins !== b.bins) differ++
        }
        if (!ratios.length) {
          if (ONLY) continue
          target(`${st} vs ${peerLib} (N=${n.toLocaleString('en-US')})`, '>= 3x every dataset', `not measured${skipped[peerLib] ? ` (peer skipped: ${skipped[peerLib]})` : ''}`, null)
          continue
        }
        const worst = ratios.reduce((a, b) => (b.x < a.x ? b : a))
        const same = !NOT_SAME[st]
        const binsNote = same ? (differ ? `bins DIFFER in ${differ} of ${ratios.length}` : 'bins equal') : `bins not compared (bin counts differ in ${differ} of ${ratios.length}): ${NOT_SAME[st]}`
        perStrategy.push({ strategy: st, peer: peerLib, n, worst: worst.x, worstCase: `${worst.dist} C=${worst.capacity}`, median: median(ratios.map((r) => r.x)), meanRatio: median(meanRatios), differ, cases: ratios.length, same })
        target(`${st} vs ${peerLib} (N=${n.toLocaleString('en-US')})`, '>= 3x every dataset' + (same ? ', equal bins' : ''), `worst ${worst.x.toFixed(2)}x (${worst.dist} C=${worst.capacity}), median ${median(ratios.map((r) => r.x)).toFixed(2)}x, by means ${median(meanRatios).toFixed(2)}x, ${binsNote}`, worst.x >= 3 && (!same || !differ))
      }
    }
  }
  await issueTargets(seqpack, target)
  const abs = rows.filter((r) => r.contender === 'seqpack-obfd' && r.n === 1_000_000 && r.capacity === 4096)
  const absMed = median(abs.map((r) => r.nsPerItem))
  target('OBFD ns/item at N=1M, C=4096 (JS, end to end)', '~15 ns/item (orientation)', `${absMed.toFixed(1)} ns/item (median of ${abs.length} datasets)`, null)

  let core = []
  if (coreBin && !ONLY) {
    // Same conditions on both sides: a tight loop of calls on one input (the
    // core in its own process, JS here), blocks alternated 3 times, medians.
    // The interleaved rounds above run other libraries between two seqpack
    // calls, so their caches are colder than a tight loop's: not comparable.
    const rounds = ROUNDS(10_000) * 4
    const blocks = DISTS.map((dist) => ({ dist, file: path.join(dataDir, `${dist}-n10000-c4096.u32`), core: [], js: [], bins: {} }))
    for (let rep = 0; rep < 3; rep++) {
      for (const b of blocks) {
        const [c] = measureCore(coreBin, [b.file], 4096, rounds)
        b.core.push(c.median_ns)
        b.bins.core = c.bins
        const lengths = new Uint32Array(fs.readFileSync(b.file).buffer.slice(0))
        const opts = { capacity: 4096, strategy: 'obfd' }
        b.bins.js = seqpack.pack(lengths, opts).numBins
        const ts = []
        for (let i = 0; i < rounds; i++) {
          const t = process.hrtime.bigint()
          seqpack.pack(lengths, opts)
          ts.push(Number(process.hrtime.bigint() - t))
        }
        b.js.push(median(ts))
      }
    }
    const overheads = blocks.map((b) => {
      const coreNs = median(b.core)
      const jsNs = median(b.js)
      return { dist: b.dist, coreNs, jsNs, overhead: jsNs / coreNs - 1, coreBins: b.bins.core, jsBins: b.bins.js }
    })
    const o = median(overheads.map((x) => x.overhead))
    target('napi boundary over core alone (N=10k, C=4096)', '<= 15%', `${(100 * o).toFixed(1)}% (median of ${overheads.length}; core ${(median(overheads.map((x) => x.coreNs)) / 1e3).toFixed(1)} us, JS ${(median(overheads.map((x) => x.jsNs)) / 1e3).toFixed(1)} us)`, o <= 0.15)
    core = overheads
  } else if (!ONLY) target('napi boundary over core alone (N=10k)', '<= 15%', 'not measured (core bench did not build)', null)

  const ts = ONLY ? [] : NS.map((n) => [n, ratioOver('ts-obfd', n)])
  for (const [n, x] of ts) target(`OBFD vs TypeScript OBFD (N=${n.toLocaleString('en-US')})`, '>= 5x', fmtRatio(x), x ? x.median >= 5 : null)
  for (const algo of ONLY ? [] : ['bfd', 'ffd', 'nf', 'ff']) {
    const base = algo === 'bfd' ? 'seqpack-obfd' : `seqpack-${algo}`
    if (!contenders.some((c) => c.name === base)) {
      if (algo === 'ffd') target('vs bin-packer firstFitDecreasing', '>= 50x', 'not measured: seqpack has no ffd in this build', null)
      continue
    }
    const x = ratioOver(`bin-packer-${algo}`, 10_000, base)
    target(`${base} vs bin-packer ${algo} (N=10k)`, '>= 50x', fmtRatio(x), x ? x.median >= 50 : null)
  }

  // 10M: OBFDP vs OBFD and peak memory.
  const big = ONLY ? [] : quick ? ['uniform', 'code'] : DISTS
  const have = new Set(seqpack.strategies().map((s) => s.name))
  const tenM = []
  for (const dist of big) {
    const { file, lengths } = writeInput(dist, 10_000_000, 4096)
    const strategiesHere = ['obfd', ...(have.has('obfdp') ? ['obfdp'] : [])]
    const samples = Object.fromEntries(strategiesHere.map((s) => [s, []]))
    const bins = {}
    for (const s of strategiesHere) bins[s] = seqpack.pack(lengths, { capacity: 4096, strategy: s }).numBins // warm-up
    for (let r = 0; r < (quick ? 3 : 7); r++) {
      for (const s of strategiesHere) {
        const t = process.hrtime.bigint()
        seqpack.pack(lengths, { capacity: 4096, strategy: s })
        samples[s].push(Number(process.hrtime.bigint() - t))
      }
    }
    const mem = measureMemory(file, 4096, 'obfd')
    const coreMem = measureCoreMemory(coreBin, file, 4096)
    tenM.push({ dist, obfdNs: median(samples.obfd), obfdpNs: samples.obfdp ? median(samples.obfdp) : null, obfdBins: bins.obfd, obfdpBins: bins.obfdp ?? null, mem, coreMem })
    log(`10M ${dist}: obfd ${(median(samples.obfd) / 1e6).toFixed(1)} ms${samples.obfdp ? `, obfdp ${(median(samples.obfdp) / 1e6).toFixed(1)} ms` : ''}` + (mem ? `; JS peak RSS growth ${((mem.peak - mem.before) / 2 ** 20).toFixed(1)} MiB (output ${(mem.output / 2 ** 20).toFixed(1)} MiB)` : ''))
  }
  if (have.has('obfdp') && tenM.length) {
    const sp = median(tenM.map((x) => x.obfdNs / x.obfdpNs))
    const drift = Math.max(...tenM.map((x) => Math.abs(x.obfdpBins - x.obfdBins) / x.obfdBins))
    target(`OBFDP vs OBFD at N=10M on ${os.cpus().length} cores`, '>= 1.6x, bins within 0.5%', `${sp.toFixed(2)}x (median of ${tenM.length}), max bin difference ${(100 * drift).toFixed(3)}%`, sp >= 1.6 && drift <= 0.005)
  } else if (!ONLY) target('OBFDP vs OBFD at N=10M', '>= 1.6x, bins within 0.5%', 'not measured: seqpack has no obfdp in this build', null)
  const MiB = 2 ** 20
  const jsMems = tenM.filter((x) => x.mem)
  if (jsMems.length) {
    const jsWorst = Math.max(...jsMems.map((x) => x.mem.peak - x.mem.before - x.mem.output))
    target('Peak memory at N=10M, JS (peak RSS - RSS before pack - output)', '<= 64 MiB over input + output', `${(jsWorst / MiB).toFixed(1)} MiB over input + output (worst of ${jsMems.length})`, jsWorst <= 64 * MiB)
  } else if (!ONLY) target('Peak memory at N=10M', '<= input + output + 64 MiB', 'not measured: /usr/bin/time missing (apt-get install time)', null)
  const coreMems = tenM.filter((x) => x.coreMem && x.mem)
  if (coreMems.length) {
    const w = Math.max(...coreMems.map((x) => x.coreMem.peak - x.mem.input - x.mem.output))
    target('Peak memory at N=10M, core process (/usr/bin/time -v)', '<= input + output + 64 MiB', `${(w / MiB).toFixed(1)} MiB over input + output (worst of ${coreMems.length})`, w <= 64 * MiB)
  }

  // Print.
  log('\n=== Median time per call (ms) and ratio to seqpack obfd ===')
  const names = contenders.map((c) => c.name)
  const trows = []
  for (const n of NS) for (const capacity of CAPS) for (const dist of DISTS) {
    const base = rows.find((r) => r.contender === 'seqpack-obfd' && r.dist === dist && r.n === n && r.capacity === capacity)
    trows.push([dist, n.toLocaleString('en-US'), capacity, ...names.map((nm) => {
      const r = rows.find((x) => x.contender === nm && x.dist === dist && x.n === n && x.capacity === capacity)
      if (!r) return '-'
      return r === base ? (r.medianNs / 1e6).toFixed(3) : `${(r.medianNs / 1e6).toFixed(3)} (${(r.medianNs / base.medianNs).toFixed(1)}x)`
    })])
  }
  log(table(['dataset', 'N', 'C', ...names], trows))
  log('\n=== Bin counts of implementations of the same algorithm ===')
  const bad = agreement.filter((a) => !a.agree)
  log(`${agreement.length - bad.length} of ${agreement.length} cases agree` + (bad.length ? '\n' + bad.map((a) => `DIFFER ${a.key}: ${a.detail}`).join('\n') : ''))
  log('\n=== Performance targets ===')
  log(table(['target', 'goal', 'measured', 'met'], targets.map((t) => [t.name, t.goal, t.value, t.met === null ? '-' : t.met ? 'yes' : 'NO'])))
  for (const [p, why] of Object.entries(skipped)) log(`SKIPPED ${p}: ${why}`)

  const pyVersions = {}
  for (const c of contenders) pyVersions[c.lib] = c.version
  const result = {
    command: `node bench/peers.mjs ${process.argv.slice(2).join(' ')}`.trim(),
    date: new Date().toISOString(),
    seconds: Math.round((Date.now() - t0) / 1000),
    machine: { cpu: os.cpus()[0]?.model, cores: os.cpus().length, memGiB: Math.round(os.totalmem() / 2 ** 30), os: `${os.type()} ${os.release()}`, node: process.version, python: spawnSync(py, ['--version'], { encoding: 'utf8' }).stdout.trim(), rustc: spawnSync('rustc', ['--version'], { encoding: 'utf8' }).stdout.trim() },
    versions: pyVersions,
    method: { ns: NS, capacities: CAPS, dists: DISTS, slowDists: SLOW_DISTS, rounds: { '10k': ROUNDS(1e4), '1M': ROUNDS(1e6) }, budgetMs: BUDGET_MS },
    skipped, rows, agreement, targets, core, tenM, perStrategy,
  }
  fs.writeFileSync(path.join(resultsDir, 'peers.json'), JSON.stringify(result, null, 1))
  log(`\nwrote bench/.results/peers.json (${result.seconds} s)`)
  if (args.report) {
    const { writeReport } = await import('./report.mjs')
    log(`wrote ${writeReport(root)}`)
  }
}

await main()
