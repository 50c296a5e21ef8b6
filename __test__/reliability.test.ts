/**
 * Regression tests for the JavaScript-side reliability defects: each test
 * says what it observed before the fix. Input that changes while it is read,
 * aborts that race the settlement of a promise, bad `bin()` indices, and
 * errors that must agree with the documentation.
 */
import { spawnSync } from 'node:child_process'
import { createRequire } from 'node:module'
import { describe, expect, inject, it } from 'vitest'
import { balance, pack, packAsync, strategies, SeqpackError, type PackOptions } from 'seqpack'

const entry = createRequire(import.meta.url).resolve('seqpack')

function thrown(fn: () => unknown): unknown {
  try {
    fn()
  } catch (e) {
    return e
  }
  throw new Error('expected a throw')
}

/** Options that make each strategy run on lengths up to `cap`. */
export function optionsFor(name: string, cap: number): PackOptions {
  const o: Record<string, unknown> = { strategy: name }
  if (name === 'ohgbfd') o.capacities = [cap, Math.max(1, cap >> 1)]
  else if (name === 'oshgbfd') o.layouts = [[cap], [cap, Math.max(1, cap >> 2)]]
  else o.capacity = cap
  if (name === 'ogbfd' || name === 'ogbfdp') o.groupSize = 3
  if (name === 'obfdp' || name === 'ogbfdp') o.threads = 2
  return o as PackOptions
}

describe('shared-buffer input is copied once', () => {
  // A worker writes random values (including 0 and values above the
  // capacity) into the SharedArrayBuffer while the main thread packs it
  // synchronously, for every strategy. In a child process with a hard
  // timeout, so a hang fails instead of hanging the suite.
  //
  // Before the fixes: ffd/obfd/obfdp looped allocating until OOM, and nf,
  // mffd, ogbfd and ohgbfd returned over-capacity bins or duplicated items
  // (the race). The core's guard (crates/core/src/guard.rs) already
  // makes this test pass on its own; the copy in the TS layer removes the
  // data race itself (Rust reading memory another thread writes), so the
  // only errors left are those a snapshot can have: the test accepts
  // nothing else, not even the guard's "lengths changed" error.
  it('a worker mutating the buffer during pack() yields valid results or typed errors, bounded', () => {
    const names = strategies().map((s) => s.name)
    const script = `
      const { Worker } = require('node:worker_threads')
      const { pack } = require(${JSON.stringify(entry)})
      const n = 4000, cap = 1000
      const sab = new SharedArrayBuffer(4 * n)
      const view = new Uint32Array(sab)
      for (let i = 0; i < n; i++) view[i] = 1 + (i * 7919) % cap
      const stop = new Int32Array(new SharedArrayBuffer(4))
      const w = new Worker(\`
        const { workerData: { sab, stop, cap } } = require('node:worker_threads')
        const v = new Uint32Array(sab), s = new Int32Array(stop)
        let x = 12345
        while (Atomics.load(s, 0) === 0) {
          for (let k = 0; k < 64; k++) {
            x = (x * 1103515245 + 12345) >>> 0
            const i = x % v.length
            const r = x >>> 24
            v[i] = r < 2 ? 0 : r < 4 ? cap + 1 + (x & 1023) : 1 + (x % cap)
          }
        }\`, { eval: true, workerData: { sab, stop: stop.buffer, cap } })
      const names = ${JSON.stringify(names)}
      const opts = (name) => {
        const o = { strategy: name }
        if (name === 'ohgbfd') o.capacities = [cap, cap >> 1]
        else if (name === 'oshgbfd') o.layouts = [[cap], [cap, cap >> 2]]
        else o.capacity = cap
        if (name === 'ogbfd' || name === 'ogbfdp') o.groupSize = 3
        if (name === 'obfdp' || name === 'ogbfdp') o.threads = 2
        return o
      }
      const stats = {}
      const problems = []
      let slowest = 0
      setTimeout(() => {
        for (const name of names) {
          const s = (stats[name] = { ok: 0, err: 0, codes: {} })
          for (let round = 0; round < 40; round++) {
            const t = performance.now()
            let r
            try {
              r = pack(view, opts(name))
            } catch (e) {
              s.err++
              s.codes[e.code] = (s.codes[e.code] || 0) + 1
              if (e.name !== 'SeqpackError' || !['ERR_SEQPACK_INVALID_LENGTH', 'ERR_SEQPACK_LENGTH_EXCEEDS_CAPACITY'].includes(e.code)) problems.push(name + ': ' + e.code + ' ' + e.message)
              continue
            } finally {
              slowest = Math.max(slowest, performance.now() - t)
            }
            s.ok++
            const seen = new Uint8Array(n)
            let sum = 0
            for (let b = 0; b < r.numBins; b++) {
              const c = r.binCapacities ? r.binCapacities[b] : cap
              if (r.binLoads[b] > c) problems.push(name + ': bin ' + b + ' over capacity')
              sum += r.binLoads[b]
              for (const i of r.bin(b)) if (seen[i]++) problems.push(name + ': item ' + i + ' twice')
            }
            if (seen.indexOf(0) !== -1) problems.push(name + ': item ' + seen.indexOf(0) + ' missing')
            if (sum !== r.totalTokens) problems.push(name + ': totalTokens ' + r.totalTokens + ' != sum of loads ' + sum)
          }
        }
        Atomics.store(stop, 0, 1)
        w.terminate().then(() => {
          process.stdout.write(JSON.stringify({ stats, problems: problems.slice(0, 20), slowest, maxRssMb: process.resourceUsage().maxRSS / 1024 }))
        })
      }, 50)
    `
    const child = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8', timeout: 120_000 })
    expect(child.signal, child.stderr).toBeNull()
    expect(child.status, child.stderr).toBe(0)
    const out = JSON.parse(child.stdout) as { stats: Record<string, { ok: number; err: number }>; problems: string[]; slowest: number; maxRssMb: number }
    expect(out.problems).toEqual([])
    for (const name of names) expect(out.stats[name].ok + out.stats[name].err, name).toBe(40)
    // Bounded: 4,000 items never take seconds, and memory stays small.
    expect(out.slowest).toBeLessThan(5_000)
    expect(out.maxRssMb).toBeLessThan(1_024)
  })

  it('packs a SharedArrayBuffer-backed array of every kind like its copy', () => {
    for (const Kind of [Uint32Array, Int32Array, Float64Array, Uint16Array, Uint8Array]) {
      const shared = new Kind(new SharedArrayBuffer(Kind.BYTES_PER_ELEMENT * 50) as unknown as ArrayBuffer)
      for (let i = 0; i < 50; i++) shared[i] = 1 + ((i * 37) % 100)
      const a = pack(shared, { capacity: 128 })
      const b = pack(Array.from(shared), { capacity: 128 })
      expect(Array.from(a.items), Kind.name).toEqual(Array.from(b.items))
    }
  })
})

describe('abort', () => {
  // Before: the native work finished, the abort arrived while the JS thread
  // was busy (so the completion had not run yet), and the promise resolved
  // with a result although the README says an aborted call rejects.
  it('an abort after the native work finished but before the promise settled rejects with AbortError', async () => {
    const ctl = new AbortController()
    const p = packAsync([1, 2, 3], { capacity: 8, signal: ctl.signal })
    // Keep the JS thread busy long enough for the pool to finish the work.
    const until = Date.now() + 100
    while (Date.now() < until);
    ctl.abort(new Error('late'))
    const err = await p.then(
      () => undefined,
      (e) => e,
    )
    expect(err).toBeInstanceOf(SeqpackError)
    expect(err.name).toBe('AbortError')
    expect(err.code).toBe('ERR_SEQPACK_ABORTED')
    expect(err.cause?.message).toBe('late')
  })

  // Before: `pack([...], { signal: 'x' })` packed and ignored the signal.
  it('synchronous pack() refuses `signal`, which only packAsync honours', () => {
    for (const signal of ['x', new AbortController().signal]) {
      const e = thrown(() => pack([1], { capacity: 4, signal } as PackOptions)) as SeqpackError
      expect(e).toBeInstanceOf(SeqpackError)
      expect(e.code).toBe('ERR_SEQPACK_INVALID_OPTION')
      expect(e.message).toMatch(/signal.*packAsync/)
    }
  })
})

describe('PackResult.bin', () => {
  // Before: bin(5) on 4 bins, bin(1.5), bin(NaN), bin() returned every item
  // (subarray(undefined, undefined)); bin('1') returned bins 1 to the end.
  it('throws a RangeError for an index that is not a bin', () => {
    const r = pack([5, 5, 5, 5], { capacity: 5 })
    expect(r.numBins).toBe(4)
    for (const bad of [4, 5, -1, 1.5, NaN, undefined, '1', Infinity, null]) {
      const e = thrown(() => r.bin(bad as number)) as RangeError & { code?: string }
      expect(e, String(bad)).toBeInstanceOf(RangeError)
      expect(e.code).toBe('ERR_OUT_OF_RANGE')
    }
    expect(Array.from(r.bin(3))).toEqual([3])
  })
})

describe('errors agree with the documentation', () => {
  function detach(buf: ArrayBuffer) {
    structuredClone(buf, { transfer: [buf] })
  }

  // Before: a detached Uint32Array packed to 0 bins, a detached Uint8Array threw.
  it('a detached typed array of any kind is ERR_SEQPACK_INVALID_INPUT', () => {
    for (const Kind of [Uint32Array, Int32Array, Float64Array, Uint16Array, Uint8Array, Uint8ClampedArray, Int8Array, Int16Array, Float32Array]) {
      const a = new Kind(4).fill(1)
      detach(a.buffer as ArrayBuffer)
      const e = thrown(() => pack(a, { capacity: 4 })) as SeqpackError
      expect(e, Kind.name).toBeInstanceOf(SeqpackError)
      expect(e.code, Kind.name).toBe('ERR_SEQPACK_INVALID_INPUT')
      expect(e.message).toContain('detached')
    }
  })

  // Before: `new Float64Array(2 ** 32 - 1)` threw a raw RangeError.
  it('an array longer than the maximum is a SeqpackError', () => {
    const e = thrown(() => pack(new Array(2 ** 32 - 1), { capacity: 4 })) as SeqpackError
    expect(e).toBeInstanceOf(SeqpackError)
    expect(e.code).toBe('ERR_SEQPACK_TOO_MANY_ITEMS')
    expect(e.value).toBe('4294967295')
  })

  // Before: "length at index 0 is 4294967296, more than the capacity 4294967295".
  it('balance() does not talk about a capacity it does not take', () => {
    const e = thrown(() => balance([2 ** 32], { nodes: 2 })) as SeqpackError
    expect(e.code).toBe('ERR_SEQPACK_INVALID_LENGTH')
    expect(e.message).not.toMatch(/capacity/)
    expect(e.message).toContain('4294967295')
    expect([e.index, e.value]).toEqual([0, '4294967296'])
  })

  // Before: 1e21 became "1000000000000000000000", 1e300 a 301-digit string,
  // and `strategy: ''` lost its value.
  it('renders values as JavaScript renders numbers, and keeps empty strings', () => {
    const cases: [PackOptions, string][] = [
      [{ capacity: 1e21 }, '1e+21'],
      [{ capacity: 1e300 }, '1e+300'],
      [{ capacity: 1.5e-7 }, '1.5e-7'],
      [{ capacity: 0.1 }, '0.1'],
      [{ capacity: -0 }, '0'],
      [{ capacity: 123456789012345680000 }, '123456789012345680000'],
      [{ capacity: 4, strategy: 'hk', k: 1e25 }, '1e+25'],
      [{ capacity: 4, strategy: 'ffs', seed: 2 ** 53 }, '9007199254740992'],
      [{ strategy: 'ohgbfd', capacities: [8], weights: [1e308 * 10] }, 'Infinity'],
      [{ strategy: 'ohgbfd', capacities: [8, 2e22] }, '2e+22'],
      [{ capacity: 4, strategy: '' as 'nf' }, ''],
    ]
    for (const [opts, value] of cases) {
      const e = thrown(() => pack([1], opts)) as SeqpackError
      expect(e, JSON.stringify(opts)).toBeInstanceOf(SeqpackError)
      expect(e.value, `${JSON.stringify(opts)}: ${e.message}`).toBe(value)
      expect(e.message).not.toMatch(/\d{22,}/)
    }
    const w = thrown(() => pack([1], { strategy: 'ohgbfd', capacities: [8], weights: [-1e300] })) as SeqpackError
    expect([w.code, w.index, w.value]).toEqual(['ERR_SEQPACK_INVALID_OPTION', 0, '-1e+300'])
  })

  // Before: ERR_SEQPACK_INVALID_INPUT although it is a typed array of numbers.
  it('accepts Uint8ClampedArray', () => {
    const r = pack(Uint8ClampedArray.of(3, 4, 5), { capacity: 8 })
    expect(r.numItems).toBe(3)
    expect(balance(Uint8ClampedArray.of(3, 4), { nodes: 1 }).order.length).toBe(2)
  })

  // Before: the loader set `process.report.excludeNetwork = true` for good.
  it('importing seqpack leaves process.report.excludeNetwork as it was', () => {
    const r = spawnSync(
      process.execPath,
      ['-e', `const before = process.report.excludeNetwork; require(${JSON.stringify(entry)}); process.stdout.write(JSON.stringify([before, process.report.excludeNetwork]))`],
      { encoding: 'utf8' },
    )
    expect(r.status, r.stderr).toBe(0)
    const [before, after] = JSON.parse(r.stdout)
    expect(after).toBe(before)
  })

  // Before: list options were converted whole before their size was checked.
  it('refuses capacities and layouts beyond the limits before converting them', () => {
    const big = new Array(65_537).fill(8)
    const e = thrown(() => pack([1], { strategy: 'ohgbfd', capacities: big })) as SeqpackError
    expect([e.code, e.index, e.value]).toEqual(['ERR_SEQPACK_INVALID_OPTION', 65_536, 'an array of 65537'])
    const many = new Array(1025).fill([8])
    const l = thrown(() => pack([1], { strategy: 'oshgbfd', layouts: many })) as SeqpackError
    expect([l.code, l.index, l.value]).toEqual(['ERR_SEQPACK_INVALID_OPTION', 1024, 'an array of 1025'])
    // A huge sparse list is refused at once (no element is read).
    const t = performance.now()
    const h = thrown(() => pack([1], { strategy: 'ohgbfd', capacities: new Array(2 ** 32 - 1) })) as SeqpackError
    expect(h.code).toBe('ERR_SEQPACK_INVALID_OPTION')
    expect(performance.now() - t).toBeLessThan(1_000)
  })
})

const hooksPath = inject('testHooksAddon')

describe.skipIf(!hooksPath)('caught panics', () => {
  // Before: every caught panic printed "thread '<main>' panicked at ...",
  // a "note: run with RUST_BACKTRACE=1" line and the message to stderr.
  it('print nothing to stderr, and still become ERR_SEQPACK_INTERNAL', () => {
    const script = `
      const hooks = require(${JSON.stringify(hooksPath)})
      let code
      try { hooks.panicForTesting('sync') } catch (e) { code = e.code }
      hooks.panicForTesting('async').catch((e) => process.stdout.write(code + ' ' + e.code))
    `
    const r = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8', env: { ...process.env, RUST_BACKTRACE: '' } })
    expect(r.status).toBe(0)
    expect(r.stdout).toBe('ERR_SEQPACK_INTERNAL ERR_SEQPACK_INTERNAL')
    expect(r.stderr).toBe('')
  })
})
