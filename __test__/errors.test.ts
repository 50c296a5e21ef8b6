import { describe, expect, it } from 'vitest'
import { pack, packAsync, SeqpackError, type ErrorCode } from 'seqpack'

/** Runs `fn`, expects a SeqpackError with `code`, and returns it for further checks. */
function caught(fn: () => unknown, code: ErrorCode): SeqpackError {
  try {
    fn()
  } catch (e) {
    expect(e).toBeInstanceOf(SeqpackError)
    expect(e).toBeInstanceOf(Error)
    expect((e as SeqpackError).code).toBe(code)
    return e as SeqpackError
  }
  throw new Error(`expected ${code}, nothing was thrown`)
}

const cap = { capacity: 100 }

describe('input errors name the bad value and its index', () => {
  it.each([
    ['a string', 'lengths', 'string'],
    ['a number', 42, 'number'],
    ['null', null, 'null'],
    ['undefined', undefined, 'undefined'],
    ['an object', { length: 3 }, 'object'],
    ['a BigUint64Array', new BigUint64Array(2), 'BigUint64Array'],
  ])('rejects %s as input', (_, input, shown) => {
    const e = caught(() => pack(input as never, cap), 'ERR_SEQPACK_INVALID_INPUT')
    expect(e.message).toContain(shown)
  })

  it.each([
    ['NaN', [5, NaN], 1, 'NaN'],
    ['a fraction', [5, 6, 2.5], 2, '2.5'],
    ['a negative', [-3], 0, '-3'],
    ['zero', [1, 2, 3, 0], 3, '0'],
    ['Infinity', [Infinity], 0, 'Infinity'],
    ['a string element', [1, '7'], 1, '7'],
    ['null element', [1, 2, null], 2, 'null'],
    ['undefined hole', [1, undefined], 1, 'undefined'],
  ])('rejects %s in a plain array', (_, input, index, value) => {
    const e = caught(() => pack(input as never, cap), 'ERR_SEQPACK_INVALID_LENGTH')
    expect(e.index).toBe(index)
    expect(e.value).toBe(value)
    expect(e.message).toContain(`index ${index}`)
  })

  it('rejects zero and negatives in typed arrays with the index', () => {
    let e = caught(() => pack(new Uint32Array([4, 0]), cap), 'ERR_SEQPACK_INVALID_LENGTH')
    expect([e.index, e.value]).toEqual([1, '0'])
    e = caught(() => pack(new Int32Array([4, 5, -9]), cap), 'ERR_SEQPACK_INVALID_LENGTH')
    expect([e.index, e.value]).toEqual([2, '-9'])
    e = caught(() => pack(new Float64Array([4, 5, 1.25]), cap), 'ERR_SEQPACK_INVALID_LENGTH')
    expect([e.index, e.value]).toEqual([2, '1.25'])
  })

  it('rejects lengths over capacity, naming value, index and capacity', () => {
    for (const input of [[10, 101], new Uint32Array([10, 101]), new Int32Array([10, 101]), new Float64Array([10, 101])]) {
      const e = caught(() => pack(input, cap), 'ERR_SEQPACK_LENGTH_EXCEEDS_CAPACITY')
      expect([e.index, e.value]).toEqual([1, '101'])
      expect(e.message).toContain('100')
    }
    const e = caught(() => pack([2 ** 32], cap), 'ERR_SEQPACK_LENGTH_EXCEEDS_CAPACITY')
    expect(e.value).toBe('4294967296')
  })

  it('reports the first offender when there are several', () => {
    const e = caught(() => pack([1, 2, 0, -1, NaN], cap), 'ERR_SEQPACK_INVALID_LENGTH')
    expect(e.index).toBe(2)
  })

  it('finds one bad value at the end of a huge array', () => {
    const big = new Uint32Array(2_000_000).fill(7)
    big[1_999_999] = 0
    const e = caught(() => pack(big, cap), 'ERR_SEQPACK_INVALID_LENGTH')
    expect(e.index).toBe(1_999_999)
  })
})

describe('capacity errors', () => {
  it.each([
    ['missing', {}, undefined],
    ['zero', { capacity: 0 }, '0'],
    ['negative', { capacity: -5 }, '-5'],
    ['fractional', { capacity: 10.5 }, '10.5'],
    ['NaN', { capacity: NaN }, 'NaN'],
    ['Infinity', { capacity: Infinity }, 'Infinity'],
    ['too large', { capacity: 2 ** 32 }, '4294967296'],
    ['absurd', { capacity: 1e300 }, undefined],
    ['a string', { capacity: '4096' }, '4096'],
  ])('rejects a %s capacity', (_, options, value) => {
    const e = caught(() => pack([1], options as never), 'ERR_SEQPACK_INVALID_CAPACITY')
    if (value !== undefined) expect(e.value).toBe(value)
    expect(e.message).toMatch(/capacity/)
  })

  it('states the maximum when the capacity is too large', () => {
    const e = caught(() => pack([1], { capacity: 2 ** 40 }), 'ERR_SEQPACK_INVALID_CAPACITY')
    expect(e.message).toContain('4294967295')
  })

  it('rejects options that are not an object', () => {
    caught(() => pack([1], undefined as never), 'ERR_SEQPACK_INVALID_CAPACITY')
    caught(() => pack([1], 4096 as never), 'ERR_SEQPACK_INVALID_CAPACITY')
  })

  it('accepts the largest capacity without allocating gigabytes', () => {
    const before = process.memoryUsage().rss
    const r = pack([1, 2 ** 31, 2 ** 32 - 2], { capacity: 2 ** 32 - 1 })
    expect(r.numBins).toBe(2)
    expect(process.memoryUsage().rss - before).toBeLessThan(256 * 2 ** 20)
  })
})

describe('strategy and option errors', () => {
  it('lists the valid strategies for an unknown one', () => {
    const e = caught(() => pack([1], { capacity: 8, strategy: 'best' as never }), 'ERR_SEQPACK_UNKNOWN_STRATEGY')
    expect(e.message).toContain('obfd')
    expect(e.value).toBe('best')
    caught(() => pack([1], { capacity: 8, strategy: 3 as never }), 'ERR_SEQPACK_UNKNOWN_STRATEGY')
  })

  it('rejects unknown option names (typos)', () => {
    const e = caught(() => pack([1], { capacity: 8, capcity: 9 } as never), 'ERR_SEQPACK_INVALID_OPTION')
    expect(e.message).toContain('capcity')
  })

  it('rejects options that do not apply to the strategy', () => {
    const e = caught(() => pack([1], { capacity: 8, strategy: 'obfd', k: 4 }), 'ERR_SEQPACK_INVALID_OPTION')
    expect(e.message).toMatch(/`k`.*obfd/)
  })

  it('rejects non-numeric option values', () => {
    caught(() => pack([1], { capacity: 8, k: '4' } as never), 'ERR_SEQPACK_INVALID_OPTION')
    caught(() => pack([1], { capacity: 8, capacities: 'x' } as never), 'ERR_SEQPACK_INVALID_OPTION')
    caught(() => pack([1], { capacity: 8, layouts: [[1, 'a']] } as never), 'ERR_SEQPACK_INVALID_OPTION')
  })
})

describe('async errors reject, never throw synchronously', () => {
  it('rejects bad input with the same typed error', async () => {
    const p = packAsync([1, 0], { capacity: 8 })
    await expect(p).rejects.toBeInstanceOf(SeqpackError)
    await expect(packAsync([1, 0], { capacity: 8 })).rejects.toMatchObject({ code: 'ERR_SEQPACK_INVALID_LENGTH', index: 1 })
    await expect(packAsync(new Int32Array([3, -1]), { capacity: 8 })).rejects.toMatchObject({ code: 'ERR_SEQPACK_INVALID_LENGTH', index: 1 })
    await expect(packAsync(new Uint32Array([9]), { capacity: 8 })).rejects.toMatchObject({ code: 'ERR_SEQPACK_LENGTH_EXCEEDS_CAPACITY', index: 0 })
    await expect(packAsync('x' as never, { capacity: 8 })).rejects.toMatchObject({ code: 'ERR_SEQPACK_INVALID_INPUT' })
    await expect(packAsync([1], { capacity: 0 })).rejects.toMatchObject({ code: 'ERR_SEQPACK_INVALID_CAPACITY' })
    await expect(packAsync([1], { capacity: 8, strategy: 'zz' as never })).rejects.toMatchObject({ code: 'ERR_SEQPACK_UNKNOWN_STRATEGY' })
    await expect(packAsync([1], { capacity: 8, signal: 'no' as never })).rejects.toMatchObject({ code: 'ERR_SEQPACK_INVALID_OPTION' })
  })
})
