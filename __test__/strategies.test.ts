/**
 * The classic strategies from JavaScript: nf ff bf wf hk (online), ffd bfd ffs
 * mffd (offline) and obfdp, sync and async. Golden bins are worked by hand (the
 * same cases as the core's tests); the algorithms' internals are tested in Rust.
 */
import { describe, expect, it } from 'vitest'
import { pack, packAsync, strategies, SeqpackError, type PackOptions, type PackResult, type Strategy } from 'seqpack'

/** Every item exactly once, loads consistent, no bin over capacity (asserts once, loops are plain). */
function checkPacking(r: PackResult, lengths: ArrayLike<number>, capacity: number) {
  const problems: string[] = []
  const seen = new Uint8Array(lengths.length)
  if (r.items.length !== lengths.length) problems.push(`${r.items.length} items for ${lengths.length} lengths`)
  if (r.binOffsets.length !== r.numBins + 1 || r.binOffsets[0] !== 0) problems.push('binOffsets malformed')
  for (let b = 0; b < r.numBins; b++) {
    let load = 0
    for (const i of r.bin(b)) {
      if (i >= lengths.length || seen[i]++) problems.push(`bin ${b}: index ${i} repeated or out of range`)
      else load += lengths[i]
    }
    if (load !== r.binLoads[b]) problems.push(`bin ${b}: load ${r.binLoads[b]} != ${load}`)
    if (load > capacity) problems.push(`bin ${b}: ${load} over capacity ${capacity}`)
  }
  if (seen.indexOf(0) !== -1) problems.push(`item ${seen.indexOf(0)} not packed`)
  expect(problems).toEqual([])
}

/** Reproducible lengths in [lo, hi] (a 32-bit xorshift; quality is irrelevant here). */
function lengthsFor(n: number, lo: number, hi: number, seed: number): number[] {
  let s = (seed * 2654435761) >>> 0 || 1
  const out = new Array<number>(n)
  for (let i = 0; i < n; i++) {
    s ^= s << 13
    s >>>= 0
    s ^= s >>> 17
    s ^= s << 5
    s >>>= 0
    out[i] = lo + (s % (hi - lo + 1))
  }
  return out
}

const flat = (r: PackResult) => ({ items: Array.from(r.items), offsets: Array.from(r.binOffsets) })

interface Golden {
  strategy: Strategy
  lengths: number[]
  capacity: number
  options?: Partial<PackOptions>
  bins: number[][]
}

const GOLDEN: Golden[] = [
  // C = 10, input order 6 5 4 7 3 3 2 (worked by hand in crates/core/tests/online.rs).
  { strategy: 'nf', lengths: [6, 5, 4, 7, 3, 3, 2], capacity: 10, bins: [[0], [1, 2], [3, 4], [5, 6]] },
  { strategy: 'ff', lengths: [6, 5, 4, 7, 3, 3, 2], capacity: 10, bins: [[0, 2], [1, 4, 6], [3, 5]] },
  { strategy: 'bf', lengths: [6, 5, 4, 7, 3, 3, 2], capacity: 10, bins: [[0, 2], [1, 5, 6], [3, 4]] },
  { strategy: 'wf', lengths: [6, 5, 4, 7, 3, 3, 2], capacity: 10, bins: [[0, 4], [1, 2], [3, 5], [6]] },
  // C = 12, k = 3: 7+ alone, 5-6 two per bin, <= 4 next fit.
  {
    strategy: 'hk',
    lengths: [7, 5, 3, 6, 8, 4, 4, 2, 6, 1],
    capacity: 12,
    options: { k: 3 },
    bins: [[0], [1, 3], [2, 5, 6], [4], [7, 9], [8]],
  },
  // FFD and BFD differ on the tie: two bins with 4 left, BFD takes the one that reached it last.
  { strategy: 'ffd', lengths: [3, 6, 6, 2, 5], capacity: 10, bins: [[1, 0], [2, 3], [4]] },
  { strategy: 'bfd', lengths: [3, 6, 6, 2, 5], capacity: 10, bins: [[1, 3], [2, 0], [4]] },
  // C = 60, Johnson & Garey's classes (worked in crates/core/tests/offline.rs).
  {
    strategy: 'mffd',
    lengths: [12, 45, 3, 25, 31, 16, 10, 36, 19, 11, 33, 14, 8],
    capacity: 60,
    bins: [[1, 11], [7, 8, 2], [10, 3], [4, 9, 5], [0, 6, 12]],
  },
  // Seed 42 (the default) shuffles 0..9 to 0 7 1 2 9 8 3 5 4 6 (pinned in Rust). With
  // length = index + 1, first fit places 1->b0 8->b0 2->b1 3->b1 10->b2 9->b3 4->b1
  // 6->b4 5->b5 (b4 has 4 left) 7->b6.
  {
    strategy: 'ffs',
    lengths: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10],
    capacity: 10,
    bins: [[0, 7], [1, 2, 3], [9], [8], [5], [4], [6]],
  },
  // Two workers, OBFD's bins (BFD): 9 | 8 2 | 6 3 1 (both 9's and 6+3's bins have 1 left; the last to get there wins) | 5.
  { strategy: 'obfdp', lengths: [9, 8, 6, 5, 3, 2, 1], capacity: 10, options: { threads: 2 }, bins: [[0], [1, 5], [2, 4, 6], [3]] },
]

const MINE: Strategy[] = ['nf', 'ff', 'bf', 'wf', 'hk', 'ffd', 'bfd', 'ffs', 'mffd', 'obfdp']

describe('classic strategies: golden bins, sync and async', () => {
  for (const g of GOLDEN) {
    it(`${g.strategy}`, async () => {
      const opts = { capacity: g.capacity, strategy: g.strategy, ...g.options } as PackOptions
      const r = pack(g.lengths, opts)
      checkPacking(r, g.lengths, g.capacity)
      expect(r.bins()).toEqual(g.bins)
      const a = await packAsync(g.lengths, opts)
      expect(a.bins()).toEqual(g.bins)
    })
  }
})

describe('classic strategies: validity on random inputs', () => {
  for (const strategy of MINE) {
    it(`${strategy}: valid, plain array == Uint32Array == async`, async () => {
      for (const [n, lo, hi, capacity, seed] of [
        [0, 1, 1, 8, 1],
        [1, 8, 8, 8, 2],
        [300, 1, 1000, 1000, 3],
        [2000, 16, 512, 2048, 4],
        [25_000, 1, 4096, 4096, 5],
      ]) {
        const lengths = lengthsFor(n, lo, hi, seed)
        const opts = { capacity, strategy } as PackOptions
        const r = pack(lengths, opts)
        checkPacking(r, lengths, capacity)
        expect(r.numBins).toBeGreaterThanOrEqual(r.lowerBound)
        const typed = pack(Uint32Array.from(lengths), opts)
        expect(flat(typed)).toEqual(flat(r))
        const a = await packAsync(Uint32Array.from(lengths), opts)
        expect(flat(a)).toEqual(flat(r))
      }
    })
  }

  it('bfd gives the bins of obfd; ffd and bfd never use more bins than nf', () => {
    for (const seed of [11, 12, 13]) {
      const lengths = lengthsFor(3000, 1, 900, seed)
      const bfd = pack(lengths, { capacity: 1000, strategy: 'bfd' })
      expect(flat(bfd)).toEqual(flat(pack(lengths, { capacity: 1000, strategy: 'obfd' })))
      const nf = pack(lengths, { capacity: 1000, strategy: 'nf' }).numBins
      expect(bfd.numBins).toBeLessThanOrEqual(nf)
      expect(pack(lengths, { capacity: 1000, strategy: 'ffd' }).numBins).toBeLessThanOrEqual(nf)
    }
  })

  it('ffs: same seed same bins, different seeds differ, default seed is 42', async () => {
    const lengths = lengthsFor(20_000, 16, 512, 21)
    const a = pack(lengths, { capacity: 2048, strategy: 'ffs', seed: 7 })
    expect(flat(pack(lengths, { capacity: 2048, strategy: 'ffs', seed: 7 }))).toEqual(flat(a))
    expect(flat(await packAsync(lengths, { capacity: 2048, strategy: 'ffs', seed: 7 }))).toEqual(flat(a))
    expect(flat(pack(lengths, { capacity: 2048, strategy: 'ffs', seed: 8 }))).not.toEqual(flat(a))
    expect(flat(pack(lengths, { capacity: 2048, strategy: 'ffs' }))).toEqual(flat(pack(lengths, { capacity: 2048, strategy: 'ffs', seed: 42 })))
  })

  it('obfdp gives exactly obfd\'s bins on 200k items, sync and async', async () => {
    const lengths = Uint32Array.from(lengthsFor(200_000, 16, 512, 31))
    const obfd = pack(lengths, { capacity: 2048 })
    for (const threads of [undefined, 2, 4]) {
      const r = await packAsync(lengths, { capacity: 2048, strategy: 'obfdp', threads })
      checkPacking(r, lengths, 2048)
      expect(flat(r)).toEqual(flat(obfd))
      expect(flat(pack(lengths, { capacity: 2048, strategy: 'obfdp', threads }))).toEqual(flat(obfd))
    }
  })
})

describe('classic strategies: option errors', () => {
  const bad: [Strategy, Partial<PackOptions>, string][] = [
    ['hk', { k: 1 }, 'k'],
    ['hk', { k: 0 }, 'k'],
    ['hk', { k: 2.5 }, 'k'],
    ['hk', { k: -4 }, 'k'],
    ['hk', { k: Number.NaN }, 'k'],
    ['hk', { k: 65_537 }, 'k'],
    ['ffs', { seed: -1 }, 'seed'],
    ['ffs', { seed: 0.5 }, 'seed'],
    ['ffs', { seed: Number.POSITIVE_INFINITY }, 'seed'],
    ['obfdp', { threads: 0 }, 'threads'],
    ['obfdp', { threads: 1.5 }, 'threads'],
    ['obfdp', { threads: -2 }, 'threads'],
    // Options the strategy does not take.
    ['nf', { k: 3 }, 'k'],
    ['ffd', { seed: 1 }, 'seed'],
    ['bfd', { threads: 2 }, 'threads'],
    ['mffd', { k: 4 }, 'k'],
    ['hk', { seed: 1 }, 'seed'],
    ['ffs', { threads: 2 }, 'threads'],
    ['obfdp', { k: 3 }, 'k'],
    ['ff', { groupSize: 2 }, 'groupSize'],
  ]
  for (const [strategy, options, name] of bad) {
    it(`${strategy} ${JSON.stringify(options)}`, async () => {
      const opts = { capacity: 100, strategy, ...options } as PackOptions
      const sync = (() => {
        try {
          pack([1, 2, 3], opts)
        } catch (e) {
          return e
        }
      })()
      expect(sync).toBeInstanceOf(SeqpackError)
      expect((sync as SeqpackError).code).toBe('ERR_SEQPACK_INVALID_OPTION')
      expect((sync as SeqpackError).message).toContain(name)
      await expect(packAsync([1, 2, 3], opts)).rejects.toMatchObject({ code: 'ERR_SEQPACK_INVALID_OPTION' })
    })
  }

  it('zero lengths are rejected by every classic strategy, with the index', async () => {
    for (const strategy of MINE) {
      expect(() => pack([4, 0, 2], { capacity: 8, strategy })).toThrow(expect.objectContaining({ code: 'ERR_SEQPACK_INVALID_LENGTH', index: 1 }))
      await expect(packAsync(Uint32Array.from([4, 0]), { capacity: 8, strategy })).rejects.toMatchObject({ code: 'ERR_SEQPACK_INVALID_LENGTH', index: 1 })
    }
  })

  it('valid edge values are accepted', () => {
    // k = 2: both lengths are <= C/2, the catch-all class, so they share a bin.
    expect(pack([1, 2], { capacity: 4, strategy: 'hk', k: 2 }).numBins).toBe(1)
    // k = 65536: 1 is class 3, 2 is class 1; classes never share a bin.
    expect(pack([1, 2], { capacity: 4, strategy: 'hk', k: 65_536 }).numBins).toBe(2)
    expect(pack([1, 2], { capacity: 4, strategy: 'ffs', seed: 0 }).numBins).toBe(1)
    expect(pack([1, 2], { capacity: 4, strategy: 'ffs', seed: Number.MAX_SAFE_INTEGER }).numBins).toBe(1)
    expect(pack([1, 2], { capacity: 4, strategy: 'obfdp', threads: 1024 }).numBins).toBe(1)
  })
})

describe('strategies() lists the classic family', () => {
  it('with names, flags and options', () => {
    const byName = new Map(strategies().map((s) => [s.name, s]))
    const want: Record<string, { online: boolean; options: string[] }> = {
      nf: { online: true, options: [] },
      ff: { online: true, options: [] },
      bf: { online: true, options: [] },
      wf: { online: true, options: [] },
      hk: { online: true, options: ['k'] },
      ffd: { online: false, options: [] },
      bfd: { online: false, options: [] },
      ffs: { online: false, options: ['seed'] },
      mffd: { online: false, options: [] },
      obfdp: { online: false, options: ['threads'] },
    }
    for (const [name, w] of Object.entries(want)) {
      const s = byName.get(name as Strategy)
      expect(s, name).toBeDefined()
      expect(s!.online, name).toBe(w.online)
      expect(s!.options, name).toEqual(w.options)
      expect(s!.grouped).toBe(false)
      for (const f of [s!.fullName, s!.timeComplexity, s!.approximation]) expect(f.length).toBeGreaterThan(0)
    }
    expect(byName.get('mffd')!.approximation).toMatch(/^71\/60 OPT \+ 1/)
    expect(byName.get('ffd')!.approximation).toMatch(/^11\/9 OPT \+ 6\/9/)
    expect(byName.get('nf')!.approximation).toBe('2 OPT')
  })
})
