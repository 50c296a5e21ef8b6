import { describe, expect, it } from 'vitest'
import { thrown } from './helpers'
import { balance, pack, packAsync, strategies, SeqpackError, type PackOptions, type PackResult } from 'seqpack'

function rng(seed: number) {
  let s = seed >>> 0
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0
    return s / 2 ** 32
  }
}

function lengths(n: number, lo: number, hi: number, seed = 1): Uint32Array {
  const r = rng(seed)
  return Uint32Array.from({ length: n }, () => lo + Math.floor(r() * (hi - lo + 1)))
}

/** Every item exactly once, every bin within its own capacity, groups well formed. */
function checkGrouped(res: PackResult, input: ArrayLike<number>, capacity: number) {
  const seen = new Uint8Array(input.length)
  for (let b = 0; b < res.numBins; b++) {
    let load = 0
    for (const i of res.bin(b)) {
      expect(seen[i]).toBe(0)
      seen[i] = 1
      load += input[i]
    }
    expect(load).toBe(res.binLoads[b])
    expect(load).toBeLessThanOrEqual(res.binCapacities ? res.binCapacities[b] : capacity)
  }
  expect(seen.every((x) => x === 1)).toBe(true)
  const g = res.groupOffsets!
  expect(g[0]).toBe(0)
  expect(g[g.length - 1]).toBe(res.numBins)
  for (let i = 1; i < g.length; i++) expect(g[i]).toBeGreaterThan(g[i - 1])
  expect(res.numGroups).toBe(g.length - 1)
  expect(res.groups().flat()).toEqual(Array.from({ length: res.numBins }, (_, b) => b))
  return res.groups()
}

const input = lengths(3000, 1, 1000, 7)

const cases: [string, PackOptions, (groups: number[][], res: PackResult) => void][] = [
  ['ogbfd', { strategy: 'ogbfd', capacity: 2048, groupSize: 4 }, (gs) => gs.forEach((g) => expect(g.length).toBe(4))],
  ['ogbfdp', { strategy: 'ogbfdp', capacity: 2048, groupSize: 4, threads: 3 }, (gs) => gs.forEach((g) => expect(g.length).toBe(4))],
  [
    'ohgbfd',
    { strategy: 'ohgbfd', capacities: [2048, 1024, 1024] },
    (gs, r) => gs.forEach((g) => expect(g.map((b) => r.binCapacities![b])).toEqual([2048, 1024, 1024])),
  ],
  [
    'oshgbfd',
    { strategy: 'oshgbfd', layouts: [[1024, 1024], [2048]] },
    (gs, r) =>
      gs.forEach((g) => {
        const caps = g.map((b) => r.binCapacities![b])
        expect([JSON.stringify([1024, 1024]), JSON.stringify([2048])]).toContain(JSON.stringify(caps))
      }),
  ],
]

describe('grouped strategies', () => {
  for (const [name, options, checkLayout] of cases) {
    it(`${name}: sync and async agree and are valid`, async () => {
      const sync = pack(input, options)
      const groups = checkGrouped(sync, input, 2048)
      checkLayout(groups, sync)
      expect(sync.groupBalance!.numGroups).toBe(groups.length)
      expect(sync.groupBalance!.tokenSpreadMax).toBeGreaterThanOrEqual(sync.groupBalance!.tokenSpreadMean)
      const asyncRes = await packAsync(Array.from(input), options)
      expect(Array.from(asyncRes.items)).toEqual(Array.from(sync.items))
      expect(Array.from(asyncRes.groupOffsets!)).toEqual(Array.from(sync.groupOffsets!))
    })
  }

  it('ogbfd golden case, with trailing empty bin and metrics', () => {
    const r = pack([6, 5, 4, 3, 2], { strategy: 'ogbfd', capacity: 10, groupSize: 2 })
    expect(r.bins()).toEqual([[0, 3], [1, 2], [4], []])
    expect(Array.from(r.groupOffsets!)).toEqual([0, 2, 4])
    expect(r.groups()).toEqual([[0, 1], [2, 3]])
    expect(r.numGroups).toBe(2)
    expect(r.groupBalance).toEqual({ numGroups: 2, tokenSpreadMean: 1, tokenSpreadMax: 2, attentionSpreadMean: 4, attentionSpreadMax: 4 })
  })

  it('ohgbfd golden case with per-bin capacities', () => {
    const r = pack([6, 5, 4, 3], { strategy: 'ohgbfd', capacities: [10, 6] })
    expect(r.bins()).toEqual([[0, 2], [1], [3], []])
    expect(Array.from(r.binCapacities!)).toEqual([10, 6, 10, 6])
    expect(r.totalCapacity).toBe(32)
  })

  it('weights steer ohgbfd', () => {
    expect(pack([4, 3], { strategy: 'ohgbfd', capacities: [8, 3] }).bins()).toEqual([[0], [1]])
    expect(pack([4, 3], { strategy: 'ohgbfd', capacities: [8, 3], weights: [0, 1] }).bins()).toEqual([[0, 1], []])
  })

  it('empty input: zero groups', () => {
    const r = pack([], { strategy: 'ogbfd', capacity: 8, groupSize: 2 })
    expect(r.numGroups).toBe(0)
    expect(Array.from(r.groupOffsets!)).toEqual([0])
    expect(r.groups()).toEqual([])
  })

  it('non-grouped results have no groups', () => {
    const r = pack([1, 2], { capacity: 8 })
    expect(r.groupOffsets).toBeUndefined()
    expect(r.numGroups).toBeUndefined()
    expect(r.groups()).toEqual([])
  })

  it('catalogue flags the grouped strategies', () => {
    const grouped = strategies().filter((s) => s.grouped).map((s) => s.name)
    expect(grouped).toEqual(['ogbfd', 'ogbfdp', 'ohgbfd', 'oshgbfd'])
  })

  const bad: [string, PackOptions, number | undefined][] = [
    ['missing groupSize', { strategy: 'ogbfd', capacity: 8 }, undefined],
    ['groupSize 0', { strategy: 'ogbfdp', capacity: 8, groupSize: 0 }, undefined],
    ['groupSize 1.5', { strategy: 'ogbfd', capacity: 8, groupSize: 1.5 }, undefined],
    ['missing capacities', { strategy: 'ohgbfd' }, undefined],
    ['capacities with 0', { strategy: 'ohgbfd', capacities: [8, 0] }, 1],
    ['layouts empty', { strategy: 'oshgbfd', layouts: [] }, undefined],
    ['weights wrong length', { strategy: 'ohgbfd', capacities: [8], weights: [1] }, undefined],
    ['weights negative', { strategy: 'ohgbfd', capacities: [8], weights: [1, -2, 1] }, 1],
    ['weights on ogbfd', { strategy: 'ogbfd', capacity: 8, groupSize: 2, weights: [1, 1, 1] }, undefined],
  ]
  for (const [what, options, index] of bad) {
    it(`rejects ${what} (sync and async)`, async () => {
      const check = (e: unknown) => {
        expect(e).toBeInstanceOf(SeqpackError)
        expect((e as SeqpackError).code).toBe('ERR_SEQPACK_INVALID_OPTION')
        expect((e as SeqpackError).index).toBe(index)
        return true
      }
      expect(() => pack([1, 2, 3], options)).toThrow(SeqpackError)
      try {
        pack([1, 2, 3], options)
      } catch (e) {
        check(e)
      }
      await expect(packAsync([1, 2, 3], options)).rejects.toSatisfy(check)
    })
  }
})

describe('balance', () => {
  it('golden case: loads, mean and deviation', () => {
    const b = balance([3, 6, 3], { nodes: 2 })
    expect(Array.from(b.order)).toEqual([1, 0, 2])
    expect(Array.from(b.loads)).toEqual([18, 36])
    expect(b.mean).toBe(27)
    expect(b.maxDeviation).toBe(9)
    expect(b.exact).toBe(true)
  })

  it('typed arrays and plain arrays agree; 64-bit loads', () => {
    const docs = [100_000, 70_000, 50_000, 46_341, 65_537]
    const a = balance(docs, { nodes: 2 })
    const b = balance(Uint32Array.from(docs), { nodes: 2 })
    const c = balance(Int32Array.from(docs), { nodes: 2 })
    expect(Array.from(a.order)).toEqual(Array.from(b.order))
    expect(Array.from(a.order)).toEqual(Array.from(c.order))
    const total = docs.reduce((s, l) => s + l * l, 0)
    expect(a.loads[0] + a.loads[1]).toBe(total)
    expect(a.mean).toBe(total / 2)
    expect(a.maxDeviation).toBe(Math.max(...Array.from(a.loads, (l) => Math.abs(l - a.mean))))
  })

  it('many documents: heuristic, a permutation, no worse than input order', () => {
    const docs = Array.from(lengths(60, 16, 3000, 3))
    const b = balance(docs, { nodes: 4 })
    expect(b.exact).toBe(false)
    expect(Array.from(b.order).sort((x, y) => x - y)).toEqual(docs.map((_, i) => i))
    expect(b.loads.length).toBe(4)
  })

  it('empty input', () => {
    const b = balance([], { nodes: 3 })
    expect(b.order.length).toBe(0)
    expect(Array.from(b.loads)).toEqual([0, 0, 0])
  })

  it('errors', () => {
    // Code and index; no error leaves ['no error'], which matches no expectation.
    const code = (f: () => unknown) => thrown(f).slice(0, 2)
    expect(code(() => balance([1, 2], { nodes: 0 }))).toEqual(['ERR_SEQPACK_INVALID_OPTION', undefined])
    expect(code(() => balance([1, 2], { nodes: 1.5 }))).toEqual(['ERR_SEQPACK_INVALID_OPTION', undefined])
    expect(code(() => balance([1, 2], {} as { nodes: number }))).toEqual(['ERR_SEQPACK_INVALID_OPTION', undefined])
    expect(code(() => balance([1, 0], { nodes: 2 }))).toEqual(['ERR_SEQPACK_INVALID_LENGTH', 1])
    expect(code(() => balance(Uint32Array.of(4, 0), { nodes: 2 }))).toEqual(['ERR_SEQPACK_INVALID_LENGTH', 1])
    expect(code(() => balance([1, -3], { nodes: 2 }))).toEqual(['ERR_SEQPACK_INVALID_LENGTH', 1])
    expect(code(() => balance('abc' as unknown as number[], { nodes: 2 }))).toEqual(['ERR_SEQPACK_INVALID_INPUT', undefined])
  })
})
