import { beforeAll, describe, expect, inject, it } from 'vitest'
import { createRequire } from 'node:module'
import { pack, packAsync, SeqpackError } from 'seqpack'
import { expectValid, randomLengths } from './helpers'

const big = () => {
  const n = 4_000_000
  const a = new Uint32Array(n)
  let s = 12345
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0
    a[i] = 1 + (s % 4096)
  }
  return a
}

describe('packAsync', () => {
  it('does not block the event loop: timers fire while a large pack runs', async () => {
    const lengths = big()
    // Measure how long the same pack blocks when run synchronously.
    const t0 = performance.now()
    pack(lengths, { capacity: 4096 })
    const syncMs = performance.now() - t0
    let ticks = 0
    const timer = setInterval(() => ticks++, 1)
    const t1 = performance.now()
    const r = await packAsync(lengths, { capacity: 4096 })
    const asyncMs = performance.now() - t1
    clearInterval(timer)
    expect(r.numItems).toBe(lengths.length)
    // A blocked loop would fire at most once; an async pack lets the 1 ms timer
    // run many times. The bound is relative to the measured duration, not absolute.
    expect(syncMs).toBeGreaterThan(5)
    expect(ticks).toBeGreaterThanOrEqual(Math.min(5, Math.floor(asyncMs / 4)))
    expect(ticks).toBeGreaterThan(1)
  })

  it('is not affected by mutating the input after the call', async () => {
    const lengths = Uint32Array.from(randomLengths(200_000, 1, 512, 5))
    const copy = lengths.slice()
    const p = packAsync(lengths, { capacity: 512 })
    lengths.fill(0)
    const r = await p
    expectValid(r, copy, 512)
  })

  it('rejects immediately when the signal is already aborted', async () => {
    const ac = new AbortController()
    ac.abort(new Error('stop'))
    const e = await packAsync([1, 2], { capacity: 8, signal: ac.signal }).catch((x) => x)
    expect(e).toBeInstanceOf(SeqpackError)
    expect(e.name).toBe('AbortError')
    expect(e.code).toBe('ERR_SEQPACK_ABORTED')
    expect((e.cause as Error).message).toBe('stop')
  })

  it('cancels work that is already running', async () => {
    const lengths = big()
    const ac = new AbortController()
    const p = packAsync(lengths, { capacity: 4096, signal: ac.signal })
    setTimeout(() => ac.abort(), 1)
    const e = await p.catch((x) => x)
    // Either the abort landed while running (the usual case) or the pack finished first.
    if (e instanceof SeqpackError) {
      expect(e.code).toBe('ERR_SEQPACK_ABORTED')
      expect(e.name).toBe('AbortError')
    } else {
      expect(e.numItems).toBe(lengths.length)
    }
  })

  it('aborting one call does not affect another', async () => {
    const ac = new AbortController()
    const a = packAsync(big(), { capacity: 4096, signal: ac.signal })
    const b = packAsync([5, 5, 5], { capacity: 10 })
    ac.abort()
    await expect(a).rejects.toMatchObject({ code: 'ERR_SEQPACK_ABORTED' })
    expect((await b).numBins).toBe(2)
  })

  it('runs many calls concurrently with correct results', async () => {
    const inputs = Array.from({ length: 16 }, (_, i) => randomLengths(5000, 1, 1000, 100 + i))
    const results = await Promise.all(inputs.map((l) => packAsync(l, { capacity: 1000 })))
    results.forEach((r, i) => {
      expectValid(r, inputs[i], 1000)
      expect(Array.from(r.items)).toEqual(Array.from(pack(inputs[i], { capacity: 1000 }).items))
    })
  })
})

// The hook exists only in the test-hooks build (see __test__/global-setup.ts);
// without cargo or SEQPACK_TEST_HOOKS_PATH these tests are reported skipped.
const hooksPath = inject('testHooksAddon')

describe.skipIf(!hooksPath)('panics never kill the process', () => {
  type Hooks = {
    panicForTesting(mode: 'sync' | 'async'): Promise<unknown> | undefined
    packU32(lengths: Uint32Array, capacity: number): ArrayBuffer
    contract(): { packingLayout: string[] }
  }
  let hooks: Hooks
  // Loaded only when the block runs (the describe body runs even when skipped).
  beforeAll(() => {
    hooks = createRequire(import.meta.url)(hooksPath) as Hooks
  })

  it('turns a panic in a synchronous export into ERR_SEQPACK_INTERNAL', () => {
    let err: unknown
    try {
      hooks.panicForTesting('sync')
    } catch (e) {
      err = e
    }
    expect(err).toBeInstanceOf(Error)
    expect((err as SeqpackError).code).toBe('ERR_SEQPACK_INTERNAL')
    expect((err as SeqpackError).message).toContain('deliberate panic')
    // The addon still works afterwards.
    const layout = hooks.contract().packingLayout
    const header = new Float64Array(hooks.packU32(Uint32Array.of(1, 2), 3), 0, layout.length)
    expect(header[layout.indexOf('totalTokens')]).toBe(3)
    expect(pack([1, 2], { capacity: 3 }).numBins).toBe(1)
  })

  it('turns a panic inside async work into a rejected promise', async () => {
    const err = await (hooks.panicForTesting('async') as Promise<unknown>).catch((e) => e)
    expect(err).toBeInstanceOf(Error)
    expect((err as SeqpackError).code).toBe('ERR_SEQPACK_INTERNAL')
    expect((err as SeqpackError).message).toContain('deliberate panic')
    expect((await packAsync([1, 2], { capacity: 3 })).numBins).toBe(1)
  })
})

describe('the panic test hook', () => {
  it('is not in the shipped exports or the release addon', async () => {
    const api = await import('seqpack')
    expect(Object.keys(api).filter((k) => /panic/i.test(k))).toEqual([])
    const shipped = createRequire(import.meta.url)(api.nativeBinding.id)
    expect('panicForTesting' in shipped).toBe(false)
  })
})
