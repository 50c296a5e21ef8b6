import { describe, expect, it } from 'vitest'
import { balance, pack, packAsync, packRows, strategies, PackResult, SeqpackError } from 'seqpack'
import { expectValid, randomLengths } from './helpers'

describe('pack: the API contract', () => {
  it('packs the README example into exactly 4 bins', () => {
    const lengths = [1000, 800, 600, 500, 400, 300, 200, 100]
    const r = pack(lengths, { capacity: 1024 })
    expect(r).toBeInstanceOf(PackResult)
    expect(r.numBins).toBe(4)
    // Best fit decreasing with the tie-breaks of seqpacker and LightBinPack; 200 goes to the bin that reached 224 last.
    expect(r.bins()).toEqual([[0], [1, 7], [2, 4], [3, 5, 6]])
    expect(Array.from(r.binLoads)).toEqual([1000, 900, 1000, 1000])
    expect(Array.from(r.binOffsets)).toEqual([0, 1, 3, 5, 8])
    expect(Array.from(r.items)).toEqual([0, 1, 7, 2, 4, 3, 5, 6])
    expect(r.totalTokens).toBe(3900)
    expect(r.paddingTokens).toBe(4 * 1024 - 3900)
    expect(r.efficiency).toBeCloseTo(3900 / 4096, 12)
    expect(r.paddingRatio).toBeCloseTo(1 - 3900 / 4096, 12)
    expect(r.utilisation.min).toBeCloseTo(900 / 1024, 12)
    expect(r.utilisation.max).toBeCloseTo(1000 / 1024, 12)
    expect(r.utilisation.mean).toBeCloseTo(3900 / 4096, 12)
    const u = [1000, 900, 1000, 1000].map((x) => x / 1024)
    const mean = u.reduce((a, b) => a + b) / 4
    expect(r.utilisation.std).toBeCloseTo(Math.sqrt(u.reduce((a, x) => a + (x - mean) ** 2, 0) / 4), 12)
    expect(r.itemsPerBin).toEqual({ mean: 2, std: expect.any(Number), min: 1, max: 3 })
    expect(r.lowerBoundL1).toBe(4)
    expect(r.lowerBound).toBeGreaterThanOrEqual(4)
    expect(r.gap).toBe(1)
  })

  it('returns Uint32Arrays and strategy defaults to obfd', () => {
    const lengths = randomLengths(500, 1, 700, 3)
    const a = pack(lengths, { capacity: 1000 })
    const b = pack(lengths, { capacity: 1000, strategy: 'obfd' })
    for (const key of ['items', 'binOffsets', 'binLoads'] as const) {
      expect(a[key]).toBeInstanceOf(Uint32Array)
      expect(Array.from(a[key])).toEqual(Array.from(b[key]))
    }
  })

  it('gives identical results for number[], Uint32Array, Int32Array and Float64Array', () => {
    const lengths = randomLengths(3000, 1, 4096, 7)
    const ref = pack(lengths, { capacity: 4096 })
    for (const input of [Uint32Array.from(lengths), Int32Array.from(lengths), Float64Array.from(lengths), Uint16Array.from(lengths)]) {
      const r = pack(input, { capacity: 4096 })
      expect(Array.from(r.items)).toEqual(Array.from(ref.items))
      expect(Array.from(r.binOffsets)).toEqual(Array.from(ref.binOffsets))
      expect(r.efficiency).toBe(ref.efficiency)
    }
  })

  it('packs every item exactly once within capacity on random inputs', () => {
    for (const [n, cap, seed] of [
      [1, 1, 1],
      [100, 10, 2],
      [5000, 512, 3],
      [20000, 4096, 4],
      [1000, 2 ** 31, 5],
    ]) {
      const lengths = randomLengths(n, 1, Math.min(cap, 2 ** 31), seed)
      const r = pack(Uint32Array.from(lengths), { capacity: cap })
      expectValid(r, lengths, cap)
      expect(r.numBins).toBeGreaterThanOrEqual(Math.ceil(lengths.reduce((a, b) => a + b, 0) / cap))
      expect(r.numBins).toBeGreaterThanOrEqual(r.lowerBound)
      expect(r.lowerBound).toBeGreaterThanOrEqual(r.lowerBoundL1)
      expect(r.gap).toBeCloseTo(r.numBins / r.lowerBound, 12)
    }
  })

  it('returns an empty result for empty input', () => {
    for (const empty of [[], new Uint32Array(0), new Int32Array(0), new Float64Array(0)]) {
      const r = pack(empty, { capacity: 128 })
      expect(r.numBins).toBe(0)
      expect(r.items.length).toBe(0)
      expect(Array.from(r.binOffsets)).toEqual([0])
      expect(r.bins()).toEqual([])
      expect(r.efficiency).toBe(0)
      expect(r.paddingTokens).toBe(0)
    }
  })

  it('does not modify the input and reads typed arrays in place', () => {
    const input = Uint32Array.from(randomLengths(1000, 1, 100, 9))
    const copy = input.slice()
    pack(input, { capacity: 100 })
    expect(Array.from(input)).toEqual(Array.from(copy))
  })

  it('bin(b) is a view into items', () => {
    const r = pack([3, 3, 3], { capacity: 6 })
    const view = r.bin(0)
    expect(view.buffer).toBe(r.items.buffer)
    expect(r.bins().flat().sort()).toEqual([0, 1, 2])
  })

  it('lists strategies with their metadata', () => {
    const list = strategies()
    const obfd = list.find((s) => s.name === 'obfd')
    expect(obfd).toMatchObject({ fullName: 'Optimized Best-Fit Decreasing', online: false, options: [], grouped: false })
    expect(obfd!.timeComplexity).toMatch(/O\(/)
    for (const s of list) {
      expect(typeof s.name).toBe('string')
      expect(typeof s.approximation).toBe('string')
      expect(Array.isArray(s.options)).toBe(true)
    }
  })

  it('packAsync gives the same result as pack', async () => {
    const lengths = randomLengths(10000, 1, 2048, 11)
    const a = pack(lengths, { capacity: 2048 })
    for (const input of [lengths, Uint32Array.from(lengths), Int32Array.from(lengths)]) {
      const b = await packAsync(input, { capacity: 2048 })
      expect(Array.from(b.items)).toEqual(Array.from(a.items))
      expect(Array.from(b.binOffsets)).toEqual(Array.from(a.binOffsets))
      expect(b.numBins).toBe(a.numBins)
    }
  })

  it('exposes SeqpackError as a class', () => {
    expect(() => pack([0], { capacity: 1 })).toThrow(SeqpackError)
  })
})

describe('dispose(): output memory freed on demand', () => {
  const lengths = Uint32Array.from([5, 3, 8, 2, 7, 1, 4])

  it('pack: a disposed result keeps its numbers, its arrays (one buffer) read as empty, and disposing twice is harmless', () => {
    const r = pack(lengths, { strategy: 'obfd', capacity: 10 })
    const numBins = r.numBins
    r.dispose()
    for (const a of [r.items, r.binOffsets, r.binLoads]) expect(a.length).toBe(0)
    expect(r.numBins).toBe(numBins)
    expect(() => r.dispose()).not.toThrow()
    expect(() => r[Symbol.dispose]()).not.toThrow()
  })

  it('`using` disposes at the end of the block, grouped results included', () => {
    let kept: PackResult | undefined
    {
      using r = pack(lengths, { strategy: 'ogbfd', capacity: 10, groupSize: 2 })
      kept = r
      expect(r.groupOffsets!.length).toBeGreaterThan(1)
    }
    expect(kept.items.length).toBe(0)
    expect(kept.groupOffsets!.length).toBe(0)
  })

  it('a copy taken before dispose survives it; a result whose buffer was already transferred away disposes quietly', () => {
    const r = pack(lengths, { strategy: 'ffd', capacity: 10 })
    const copy = r.items.slice()
    r.dispose()
    expect(Array.from(copy).sort()).toEqual([0, 1, 2, 3, 4, 5, 6])
    const s = pack(lengths, { strategy: 'ffd', capacity: 10 })
    const moved = structuredClone(s.items.buffer, { transfer: [s.items.buffer] })
    expect(moved.byteLength).toBeGreaterThan(0)
    expect(() => s.dispose()).not.toThrow()
  })

  it('balance and packRows results dispose every array they hold', () => {
    const b = balance(lengths, { nodes: 2 })
    expect(b.order.length).toBe(lengths.length)
    b.dispose()
    expect([b.order.length, b.loads.length]).toEqual([0, 0])
    const rows = packRows([[1, 2, 3], [4, 5], [6]], { capacity: 4 })
    expect(rows.inputIds.length).toBe(rows.numRows * 4)
    rows[Symbol.dispose]()
    for (const a of [rows.inputIds, rows.labels, rows.positionIds, rows.attentionMask, rows.rowSegments, rows.segmentDoc, rows.segmentStart, rows.segmentLength]) expect(a.length).toBe(0)
    expect(() => rows.dispose()).not.toThrow()
  })
})
