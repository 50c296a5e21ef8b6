/**
 * Property tests over the JS API with fast-check: for every strategy,
 * SEQPACK_PROPERTY_RUNS (default 10,000) generated cases of small random
 * inputs and options, valid or with bad elements. Valid input must pack with
 * every invariant (each item exactly once, every bin within its own
 * capacity, loads and totals consistent, the group structure of grouped
 * strategies, at least the L1 bound of bins) and the same result twice;
 * invalid input must be a SeqpackError naming the first bad element.
 * Expected behaviour is computed here from the documented rules, never from
 * the addon.
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { pack, strategies, SeqpackError, type PackOptions, type PackResult } from 'seqpack'
import { scaled } from './helpers'

const RUNS = scaled(Number(process.env.SEQPACK_PROPERTY_RUNS ?? 10_000), 100)
const SEED = Number(process.env.SEQPACK_PROPERTY_SEED ?? 20261122)

/** Everything wrong with `r` as a packing of `lengths`; [] when valid. */
function problems(r: PackResult, lengths: number[], capOf: (b: number) => number, grouped: boolean): string[] {
  const out: string[] = []
  const n = lengths.length
  if (r.numItems !== n || r.items.length !== n) out.push(`numItems ${r.numItems}`)
  if (r.binOffsets.length !== r.numBins + 1 || r.binOffsets[0] !== 0 || r.binOffsets[r.numBins] !== n) out.push('binOffsets')
  const seen = new Uint8Array(n)
  let total = 0
  for (let b = 0; b < r.numBins; b++) {
    let load = 0
    const items = r.bin(b)
    if (items.length === 0 && !grouped) out.push(`bin ${b} empty`)
    for (const i of items) {
      if (i >= n || seen[i]++) out.push(`item ${i} out of range or twice`)
      else load += lengths[i]
    }
    if (r.binLoads[b] !== load) out.push(`bin ${b} load ${r.binLoads[b]} != ${load}`)
    if (load > capOf(b)) out.push(`bin ${b} over capacity`)
    total += load
  }
  if (seen.indexOf(0) !== -1) out.push(`item ${seen.indexOf(0)} missing`)
  if (r.totalTokens !== total) out.push('totalTokens')
  return out
}

interface Gen {
  lengths: number[]
  opts: PackOptions
  capacity: number
  /** Index of the first bad element, or -1. */
  bad: number
  badCode?: string
}

/** A generator of cases for one strategy. */
function arb(name: string): fc.Arbitrary<Gen> {
  const cap = fc.integer({ min: 1, max: 64 })
  return cap.chain((capacity) => {
    const len = fc.integer({ min: 1, max: capacity })
    const lengths = fc.array(len, { maxLength: 40 })
    const caps = fc.array(fc.integer({ min: 1, max: capacity }), { minLength: 1, maxLength: 4 }).map((c) => [capacity, ...c])
    const optsArb: fc.Arbitrary<Record<string, unknown>> =
      name === 'hk'
        ? fc.record({ k: fc.integer({ min: 2, max: 12 }) })
        : name === 'ffs'
          ? fc.record({ seed: fc.nat() })
          : name === 'obfdp'
            ? fc.record({ threads: fc.integer({ min: 1, max: 8 }) })
            : name === 'ogbfd'
              ? fc.record({ groupSize: fc.integer({ min: 1, max: 5 }) })
              : name === 'ogbfdp'
                ? fc.record({ groupSize: fc.integer({ min: 1, max: 5 }), threads: fc.integer({ min: 1, max: 8 }) })
                : name === 'ohgbfd'
                  ? fc.record({ capacities: caps })
                  : name === 'oshgbfd'
                    ? fc.record({ layouts: fc.array(caps, { minLength: 1, maxLength: 3 }) })
                    : fc.constant({})
    // One bad element in one case of five: 0, above the capacity, fractional, NaN.
    const corruption = fc.oneof(
      { arbitrary: fc.constant(null), weight: 4 },
      {
        arbitrary: fc.tuple(
          fc.nat(),
          fc.constantFrom<[number, string]>([0, 'ERR_SEQPACK_INVALID_LENGTH'], [capacity + 1, 'ERR_SEQPACK_LENGTH_EXCEEDS_CAPACITY'], [0.5, 'ERR_SEQPACK_INVALID_LENGTH'], [NaN, 'ERR_SEQPACK_INVALID_LENGTH']),
        ),
        weight: 1,
      },
    )
    return fc.tuple(lengths, optsArb, corruption).map(([ls, extra, corrupt]) => {
      const heterogeneous = name === 'ohgbfd' || name === 'oshgbfd'
      const opts = { strategy: name, ...(heterogeneous ? {} : { capacity }), ...extra } as PackOptions
      let bad = -1
      let badCode: string | undefined
      if (corrupt && ls.length > 0) {
        const [at, [v, code]] = corrupt
        bad = at % ls.length
        ls[bad] = v
        badCode = code
      }
      return { lengths: ls, opts, capacity, bad, badCode }
    })
  })
}

describe(`fast-check properties (${RUNS} cases per strategy)`, () => {
  for (const s of strategies()) {
    it(`${s.name}: valid input packs with every invariant, invalid input names its first bad element`, () => {
      let packed = 0
      let refused = 0
      fc.assert(
        fc.property(arb(s.name), ({ lengths, opts, capacity, bad, badCode }) => {
          let r: PackResult
          try {
            r = pack(lengths, opts)
          } catch (e) {
            if (!(e instanceof SeqpackError)) throw e
            if (bad === -1) throw new Error(`valid input refused: ${e.code} ${e.message}`)
            refused++
            return e.code === badCode && e.index === bad
          }
          if (bad !== -1) throw new Error(`packed a bad length at ${bad}`)
          packed++
          const caps = r.binCapacities
          const capOf = (b: number) => (caps ? caps[b] : capacity)
          const p = problems(r, lengths, capOf, s.grouped)
          if (p.length) throw new Error(p.slice(0, 5).join('; '))
          const total = lengths.reduce((a, b) => a + b, 0)
          if (!s.grouped && r.numBins < Math.ceil(total / capacity)) throw new Error('fewer bins than the L1 bound')
          const g = r.groupOffsets
          if (s.grouped !== (g !== undefined)) throw new Error('groupOffsets presence')
          if (g) {
            for (let i = 0; i + 1 < g.length; i++) {
              const size = g[i + 1] - g[i]
              const o = opts as { groupSize?: number; capacities?: number[]; layouts?: number[][] }
              const groupCaps = Array.from({ length: size }, (_, k) => capOf(g[i] + k))
              if (o.groupSize !== undefined && size !== o.groupSize) throw new Error(`group ${i} has ${size} bins`)
              if (o.capacities && groupCaps.join() !== o.capacities.join()) throw new Error(`group ${i} is not the capacities`)
              if (o.layouts && !o.layouts.some((l) => l.join() === groupCaps.join())) throw new Error(`group ${i} is no layout`)
            }
          }
          // Deterministic: the same call gives the same bins.
          const again = pack(lengths, opts)
          return again.items.join() === r.items.join() && again.binOffsets.join() === r.binOffsets.join()
        }),
        { numRuns: RUNS, seed: SEED + s.name.length * 7919 + s.name.charCodeAt(0) },
      )
      expect(packed + refused).toBe(RUNS)
      expect(packed).toBeGreaterThan(RUNS / 2)
      expect(refused).toBeGreaterThan(0)
    })
  }
})
