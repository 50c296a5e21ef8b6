/**
 * Contracts between the addon (Rust) and this package (TypeScript). Each
 * side is read independently here, so a change on one side alone fails:
 * the addon's own `contract()` and `strategies()` against the public API's
 * behaviour and an expectation written out in this file.
 */
import { createRequire } from 'node:module'
import fs from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { pack, packAsync, balance, strategies, nativeBinding, readTokens, writeRows, SeqpackError, type ErrorCode, type PackOptions } from 'seqpack'
import { tempDir } from './temp-dir'

const native = createRequire(import.meta.url)(nativeBinding.id) as {
  contract(): { packOptions: { name: string; kind: string }[]; errorCodes: string[]; metricsLayout: string[]; packingLayout: string[] }
  strategies(): { name: string; options: string[] }[]
}
const contract = native.contract()

function codeOf(fn: () => unknown): [ErrorCode | undefined, number | undefined] {
  try {
    fn()
  } catch (e) {
    expect(e).toBeInstanceOf(SeqpackError)
    return [(e as SeqpackError).code, (e as SeqpackError).index]
  }
  return [undefined, undefined]
}

/** A valid value for each option, written independently of the addon. */
const VALID: Record<string, unknown> = { k: 4, seed: 7, threads: 2, groupSize: 2, capacities: [8, 4], weights: [1, 1, 1], layouts: [[8], [8, 4]] }
/** Options a strategy cannot run without. */
const REQUIRED: Record<string, string[]> = { ogbfd: ['groupSize'], ogbfdp: ['groupSize'], ohgbfd: ['capacities'], oshgbfd: ['layouts'] }

describe('strategy catalogue', () => {
  it('every listed strategy packs under its listed name with the options it lists', () => {
    const listed = strategies()
    expect(listed.map((s) => s.name)).toEqual(native.strategies().map((s) => s.name))
    for (const s of listed) {
      const opts: Record<string, unknown> = { strategy: s.name }
      for (const o of s.options) opts[o] = VALID[o]
      if (!s.options.includes('capacities') && !s.options.includes('layouts')) opts.capacity = 8
      const r = pack([3, 4, 5], opts as PackOptions)
      expect(r.numItems, s.name).toBe(3)
      // Without a required option it fails naming that option.
      for (const req of REQUIRED[s.name] ?? []) {
        const { [req]: _, ...rest } = opts
        const [code] = codeOf(() => pack([3], rest as PackOptions))
        expect(code, `${s.name} without ${req}`).toBe('ERR_SEQPACK_INVALID_OPTION')
      }
    }
    expect(Object.keys(REQUIRED).every((n) => listed.some((s) => s.name === n))).toBe(true)
  })

  it('the options pack reads are exactly those the strategies take, and each is checked by its JS name', async () => {
    const fromStrategies = new Set(strategies().flatMap((s) => s.options))
    expect(new Set(contract.packOptions.map((o) => o.name))).toEqual(fromStrategies)
    expect(Object.keys(VALID).sort()).toEqual([...fromStrategies].sort())
    for (const { name, kind } of contract.packOptions) {
      const taker = strategies().find((s) => s.options.includes(name))!
      const other = strategies().find((s) => !s.options.includes(name))!
      // The addon reads it: a strategy that does not take it refuses it by name.
      const refused = () => pack([1], { capacity: 8, strategy: other.name, [name]: VALID[name] } as PackOptions)
      expect(codeOf(refused)[0], name).toBe('ERR_SEQPACK_INVALID_OPTION')
      expect(() => refused()).toThrow(name)
      // A value of the wrong shape is refused by its name, sync and async.
      const badValue = kind === 'number' ? 1.5 : kind === 'numbers' ? [1, 0.5] : [[1, 0.5]]
      const opts: Record<string, unknown> = { strategy: taker.name, [name]: badValue }
      for (const req of REQUIRED[taker.name] ?? []) if (req !== name) opts[req] = VALID[req]
      if (!taker.options.includes('capacities') && !taker.options.includes('layouts')) opts.capacity = 8
      const [code] = codeOf(() => pack([1, 1, 1], opts as PackOptions))
      expect(code, `${taker.name} ${name}=${JSON.stringify(badValue)}`).toBe('ERR_SEQPACK_INVALID_OPTION')
      await expect(packAsync([1, 1, 1], opts as PackOptions)).rejects.toMatchObject({ code: 'ERR_SEQPACK_INVALID_OPTION' })
    }
  })
})

/** Small dataset files for the IO codes, one per failure. */
const dir = tempDir('seqpack-contract-')
const file = (name: string, text: string | Buffer) => {
  const p = path.join(dir, name)
  fs.writeFileSync(p, text)
  return p
}
fs.mkdirSync(path.join(dir, 'a-directory.jsonl'))

describe('error codes', () => {
  // One input per code, written here: a code added or renamed on either side fails.
  const triggers: Record<ErrorCode, (() => unknown) | null> = {
    ERR_SEQPACK_INVALID_INPUT: () => pack('x' as never, { capacity: 8 }),
    ERR_SEQPACK_INVALID_LENGTH: () => pack([1, 0], { capacity: 8 }),
    ERR_SEQPACK_LENGTH_EXCEEDS_CAPACITY: () => pack([9], { capacity: 8 }),
    ERR_SEQPACK_INVALID_CAPACITY: () => pack([1], { capacity: 0 }),
    ERR_SEQPACK_UNKNOWN_STRATEGY: () => pack([1], { capacity: 8, strategy: 'zz' as never }),
    ERR_SEQPACK_INVALID_OPTION: () => pack([1], { capacity: 8, strategy: 'hk', k: 1 }),
    // Needs 2^32 - 1 items; checked in the core's tests.
    ERR_SEQPACK_TOO_MANY_ITEMS: null,
    // Asynchronous; checked in async.test.ts.
    ERR_SEQPACK_ABORTED: null,
    // A caught panic; checked in async.test.ts with the test-hooks addon.
    ERR_SEQPACK_INTERNAL: null,
    ERR_SEQPACK_FILE_NOT_FOUND: () => readTokens(path.join(dir, 'missing.jsonl')),
    ERR_SEQPACK_IO: () => readTokens(path.join(dir, 'a-directory.jsonl')),
    ERR_SEQPACK_UNKNOWN_FORMAT: () => readTokens(file('tokens.txt', '[1]\n')),
    ERR_SEQPACK_MISSING_FIELD: () => readTokens(file('field.jsonl', '{"ids":[1,2]}\n')),
    ERR_SEQPACK_WRONG_FIELD_TYPE: () => readTokens(file('type.jsonl', '{"input_ids":"1 2 3"}\n')),
    ERR_SEQPACK_INVALID_TOKEN: () => readTokens(file('token.jsonl', '{"input_ids":[1,2]}\n{"input_ids":[3,1.5]}\n')),
    ERR_SEQPACK_NULL_VALUE: () => readTokens(file('null.jsonl', '{"input_ids":[1]}\n{"input_ids":null}\n')),
    ERR_SEQPACK_CORRUPT_FILE: () => readTokens(file('corrupt.parquet', Buffer.from('PAR1 this is not a parquet file PAR1'))),
    ERR_SEQPACK_EMPTY_DATASET: () => readTokens(file('empty.jsonl', '')),
    // Needs more than 2^32 tokens; checked in seqpack-io's tests.
    ERR_SEQPACK_TOO_LARGE: null,
    ERR_SEQPACK_INVALID_ROWS: () =>
      writeRows(path.join(dir, 'rows.parquet'), {
        capacity: 4,
        numRows: 2,
        inputIds: new Int32Array(4),
        labels: new Int32Array(4),
        positionIds: new Int32Array(4),
        attentionMask: new Uint8Array(4),
        rowSegments: new Uint32Array([0, 0, 0]),
        segmentDoc: new Uint32Array(0),
        segmentStart: new Uint32Array(0),
        segmentLength: new Uint32Array(0),
      }),
  }

  it('the TS codes are the addon codes', () => {
    expect(Object.keys(triggers).sort()).toEqual([...contract.errorCodes].sort())
  })

  it('each code is produced by its trigger, as a SeqpackError with that code', () => {
    for (const [code, trigger] of Object.entries(triggers)) {
      if (trigger) expect(codeOf(trigger)[0], code).toBe(code)
    }
  })

  it('an error names the offending element through index and value properties', () => {
    const e = (() => {
      try {
        pack([4, 5, 1.5], { capacity: 8 })
      } catch (err) {
        return err as SeqpackError
      }
    })()!
    expect([e.code, e.index, e.value]).toEqual(['ERR_SEQPACK_INVALID_LENGTH', 2, '1.5'])
    expect(e.message).not.toMatch(/\u001f/)
  })

  it('napi conversion errors become SeqpackError ERR_SEQPACK_INVALID_INPUT', () => {
    // instanceof passes through the Proxy, but napi cannot borrow its buffer.
    const proxy = new Proxy(new Uint32Array([1, 2]), {})
    expect(codeOf(() => pack(proxy, { capacity: 8 }))[0]).toBe('ERR_SEQPACK_INVALID_INPUT')
  })

  it('one rule for the options argument: the code of the option at fault', () => {
    expect(codeOf(() => pack([1], null as never))[0]).toBe('ERR_SEQPACK_INVALID_CAPACITY')
    expect(codeOf(() => pack([1], { capacity: 8, strategy: 3 as never }))[0]).toBe('ERR_SEQPACK_UNKNOWN_STRATEGY')
    expect(codeOf(() => balance([1], null as never))[0]).toBe('ERR_SEQPACK_INVALID_OPTION')
    expect(codeOf(() => balance([1], { nodes: '2' } as never))[0]).toBe('ERR_SEQPACK_INVALID_OPTION')
  })

  it('reads each option once', () => {
    let reads = 0
    const options = {
      get capacity() {
        reads++
        return reads === 1 ? 8 : 'eight'
      },
    }
    expect(pack([3, 4], options as never).numBins).toBe(1)
    expect(reads).toBe(1)
  })
})

describe('metrics layout', () => {
  it('names exactly the metric properties of PackResult, each decoded to its value', () => {
    const lengths = [6, 5, 4, 3]
    const r = pack(lengths, { capacity: 10, strategy: 'nf' })
    // Next-Fit, C = 10: [6] [5 4] [3]. Worked by hand.
    const u = [0.6, 0.9, 0.3]
    const mean = (a: number[]) => a.reduce((x, y) => x + y, 0) / a.length
    const std = (a: number[]) => Math.sqrt(mean(a.map((x) => (x - mean(a)) ** 2)))
    const expected: Record<string, number> = {
      numBins: 3,
      numItems: 4,
      totalTokens: 18,
      totalCapacity: 30,
      paddingTokens: 12,
      efficiency: 0.6,
      'utilisation.mean': mean(u),
      'utilisation.std': std(u),
      'utilisation.min': 0.3,
      'utilisation.max': 0.9,
      'itemsPerBin.mean': 4 / 3,
      'itemsPerBin.std': std([1, 2, 1]),
      'itemsPerBin.min': 1,
      'itemsPerBin.max': 2,
      lowerBoundL1: 2,
      lowerBound: 2,
      gap: 1.5,
    }
    expect([...contract.metricsLayout].sort()).toEqual(Object.keys(expected).sort())
    for (const [path, want] of Object.entries(expected)) {
      const got = path.split('.').reduce<unknown>((o, k) => (o as Record<string, unknown>)[k], r)
      expect(got, path).toBeCloseTo(want, 12)
    }
  })
})

describe('packing layout', () => {
  it('is the metrics, then the optional array lengths and the group balance, each decoded to its value', () => {
    const extra = [
      'binCapacities.length',
      'groupOffsets.length',
      'groupBalance.numGroups',
      'groupBalance.tokenSpreadMean',
      'groupBalance.tokenSpreadMax',
      'groupBalance.attentionSpreadMean',
      'groupBalance.attentionSpreadMax',
    ]
    expect(contract.packingLayout).toEqual([...contract.metricsLayout, ...extra])
    // Heterogeneous, worked by hand: [6, 5, 4, 3] into devices [10, 6].
    // 6 -> bin 0 (ratio 0, more room); 5 -> bin 1 (ratio 0); 4 -> bin 0
    // (room 4; bin 1 has room 1); 3 -> no room anywhere: group 2, bin 2.
    const r = pack([6, 5, 4, 3], { strategy: 'ohgbfd', capacities: [10, 6] })
    expect(r.bins()).toEqual([[0, 2], [1], [3], []])
    expect(Array.from(r.binCapacities!)).toEqual([10, 6, 10, 6])
    expect(Array.from(r.groupOffsets!)).toEqual([0, 2, 4])
    expect(Array.from(r.binLoads)).toEqual([10, 5, 3, 0])
    expect(r.numGroups).toBe(2)
    expect(r.groupBalance).toEqual({ numGroups: 2, tokenSpreadMean: (5 + 3) / 2, tokenSpreadMax: 5, attentionSpreadMean: (27 + 9) / 2, attentionSpreadMax: 27 })
    // Without groups: no optional arrays, no group balance.
    const plain = pack([6, 5, 4, 3], { capacity: 10 })
    expect(plain.binCapacities).toBeUndefined()
    expect(plain.groupOffsets).toBeUndefined()
    expect(plain.groupBalance).toBeUndefined()
    expect(plain.numGroups).toBeUndefined()
    // The arrays are views of one buffer, laid out in order after the header.
    expect(r.binOffsets.buffer).toBe(r.items.buffer)
    expect(r.binOffsets.byteOffset).toBe(r.items.byteOffset + r.items.byteLength)
  })
})
