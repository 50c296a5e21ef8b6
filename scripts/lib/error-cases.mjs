// The bad-input matrix: one table of cases, each an export, the argument at
// fault, a description of the bad value, how to build the call, and the
// documented outcome (`code`, `index`, `value`). `__test__/matrix.test.ts`
// runs every case; `scripts/errors-doc.mjs` renders the same table into
// docs/errors.md, and the test checks the file is current, so the
// documentation and the behaviour cannot drift apart.
//
// Outcomes: `code` is an `ERR_SEQPACK_*` code, `'ok'` (the call succeeds),
// `'ERR_OUT_OF_RANGE'` (a RangeError), or `'caller'` (an exception thrown by
// the caller's own getter or Proxy trap propagates unchanged). `index` and
// `value` are asserted exactly when given (`null` = the property is absent).
//
// Expected values are written out here from the documented rules, never read
// back from the implementation.

const MAX_ITEMS = 2 ** 32 - 2

/** Valid options for each strategy over lengths up to 8 (the grouped ones with devices up to 8). */
export const VALID = {
  nf: { capacity: 8 },
  ff: { capacity: 8 },
  bf: { capacity: 8 },
  wf: { capacity: 8 },
  hk: { capacity: 8, k: 3 },
  ffd: { capacity: 8 },
  bfd: { capacity: 8 },
  ffs: { capacity: 8, seed: 1 },
  mffd: { capacity: 8 },
  obfd: { capacity: 8 },
  obfdp: { capacity: 8, threads: 2 },
  ogbfd: { capacity: 8, groupSize: 2 },
  ogbfdp: { capacity: 8, groupSize: 2, threads: 2 },
  ohgbfd: { capacities: [8, 4] },
  oshgbfd: { layouts: [[8], [8, 4]] },
}
export const STRATEGIES = Object.keys(VALID)
const OPTIONS = ['k', 'seed', 'threads', 'groupSize', 'capacities', 'weights', 'layouts']
const TAKES = {
  hk: ['k'],
  ffs: ['seed'],
  obfdp: ['threads'],
  ogbfd: ['groupSize'],
  ogbfdp: ['groupSize', 'threads'],
  ohgbfd: ['capacities', 'weights'],
  oshgbfd: ['layouts', 'weights'],
}
const opts = (s, extra = {}) => ({ strategy: s, ...VALID[s], ...extra })

/** How a JS value is written in the table. */
export function show(v) {
  if (typeof v === 'string') return JSON.stringify(v)
  if (typeof v === 'bigint') return `${v}n`
  if (Object.is(v, -0)) return '-0'
  if (v === 2 ** 32) return '2**32'
  if (v === 2 ** 53) return '2**53'
  if (Array.isArray(v)) return `[${v.map(show).join(', ')}]`
  if (v && typeof v === 'object') return JSON.stringify(v)
  return String(v)
}

/** Bad length values at index 2 of `[1, 2, v]`, capacity 8, and what each is. */
const BAD_LENGTHS = [
  [NaN, 'ERR_SEQPACK_INVALID_LENGTH', 'NaN'],
  [Infinity, 'ERR_SEQPACK_INVALID_LENGTH', 'Infinity'],
  [-Infinity, 'ERR_SEQPACK_INVALID_LENGTH', '-Infinity'],
  [-0, 'ERR_SEQPACK_INVALID_LENGTH', '0'],
  [0, 'ERR_SEQPACK_INVALID_LENGTH', '0'],
  [1.5, 'ERR_SEQPACK_INVALID_LENGTH', '1.5'],
  [-1, 'ERR_SEQPACK_INVALID_LENGTH', '-1'],
  [9, 'ERR_SEQPACK_LENGTH_EXCEEDS_CAPACITY', '9'],
  [2 ** 32, 'ERR_SEQPACK_LENGTH_EXCEEDS_CAPACITY', '4294967296'],
  [2 ** 53, 'ERR_SEQPACK_LENGTH_EXCEEDS_CAPACITY', '9007199254740992'],
  [1e21, 'ERR_SEQPACK_LENGTH_EXCEEDS_CAPACITY', '1e+21'],
]
const NON_NUMBERS = [
  ['3', '3'],
  [null, 'null'],
  [undefined, 'undefined'],
  [true, 'true'],
  [1n, '1'],
  [{}, '[object Object]'],
]
const TYPED = ['Uint8Array', 'Uint8ClampedArray', 'Uint16Array', 'Uint32Array', 'Int8Array', 'Int16Array', 'Int32Array', 'Float32Array', 'Float64Array']
const SIGNED = new Set(['Int8Array', 'Int16Array', 'Int32Array', 'Float32Array', 'Float64Array'])

function typed(kind, values, shared = false) {
  const K = globalThis[kind]
  const a = shared ? new K(new SharedArrayBuffer(K.BYTES_PER_ELEMENT * values.length)) : new K(values.length)
  a.set(values)
  return a
}
function detached(kind) {
  const a = new globalThis[kind](4).fill(1)
  structuredClone(a.buffer, { transfer: [a.buffer] })
  return a
}

/** The thrown value used by "caller" cases, recognisable by identity. */
export const CALLER_ERROR = new Error('thrown by the caller')
const throwing = () => {
  throw CALLER_ERROR
}

/**
 * Every case. `call(api)` performs the call on the public API
 * (`{ pack, packAsync, balance }`) and returns its result or promise.
 */
export function cases() {
  const out = []
  const add = (fn, arg, what, call, code, index, value) => out.push({ fn, arg, what, call, code, index, value })

  for (const via of ['pack', 'packAsync']) {
    const p = (api, ...a) => api[via](...a)
    // lengths: element values, for every strategy.
    for (const s of STRATEGIES) {
      for (const [v, code, value] of BAD_LENGTHS) {
        add(via, 'lengths', `[1, 2, ${show(v)}] (${s})`, (api) => p(api, [1, 2, v], opts(s)), code, 2, value)
      }
    }
    for (const [v, value] of NON_NUMBERS) {
      add(via, 'lengths', `[1, 2, ${show(v)}]`, (api) => p(api, [1, 2, v], { capacity: 8 }), 'ERR_SEQPACK_INVALID_LENGTH', 2, value)
    }
    add(via, 'lengths', 'sparse [1, , 3]', (api) => p(api, [1, , 3], { capacity: 8 }), 'ERR_SEQPACK_INVALID_LENGTH', 1, 'undefined') // eslint-disable-line no-sparse-arrays
    add(via, 'lengths', '[] (every strategy packs nothing)', (api) => p(api, [], { capacity: 8 }), 'ok')
    add(via, 'lengths', `new Array(2**32 - 1)`, (api) => p(api, new Array(2 ** 32 - 1), { capacity: 8 }), 'ERR_SEQPACK_TOO_MANY_ITEMS', null, String(MAX_ITEMS + 1))
    add(via, 'lengths', 'new Array(1e6) (holes)', (api) => p(api, new Array(1e6), { capacity: 8 }), 'ERR_SEQPACK_INVALID_LENGTH', 0, 'undefined')
    add(via, 'lengths', 'Uint32Array(5e6) all 9 (huge, capacity 8)', (api) => p(api, new Uint32Array(5e6).fill(9), { capacity: 8 }), 'ERR_SEQPACK_LENGTH_EXCEEDS_CAPACITY', 0, '9')
    add(via, 'lengths', 'Uint32Array(2e6) all 8 (huge, valid)', (api) => p(api, new Uint32Array(2e6).fill(8), { capacity: 8 }), 'ok')
    for (const [v, label] of [
      [null, 'null'],
      [undefined, 'undefined'],
      ['123', '"123"'],
      [42, '42'],
      [{}, '{}'],
      [{ length: 2, 0: 1, 1: 2 }, 'array-like {length: 2, 0: 1, 1: 2}'],
      [new Set([1]), 'Set'],
      [new ArrayBuffer(8), 'ArrayBuffer'],
      [new DataView(new ArrayBuffer(8)), 'DataView'],
      [new BigInt64Array(2), 'BigInt64Array'],
      [new BigUint64Array(2), 'BigUint64Array'],
      [new Proxy(new Uint32Array([1, 2]), {}), 'Proxy of a Uint32Array'],
    ]) {
      add(via, 'lengths', label, (api) => p(api, v, { capacity: 8 }), 'ERR_SEQPACK_INVALID_INPUT', null, null)
    }
    add(via, 'lengths', 'Proxy of [1, 2, 3]', (api) => p(api, new Proxy([1, 2, 3], {}), { capacity: 8 }), 'ok')
    add(via, 'lengths', 'Proxy of an array whose get trap throws', (api) => p(api, new Proxy([1, 2], { get: throwing }), { capacity: 8 }), 'caller')
    add(
      via,
      'lengths',
      'array with a throwing getter at index 1',
      (api) => p(api, Object.defineProperty([1, 2, 3], 1, { get: throwing }), { capacity: 8 }),
      'caller',
    )
    for (const kind of TYPED) {
      add(via, 'lengths', `${kind} [1, 2, 3]`, (api) => p(api, typed(kind, [1, 2, 3]), { capacity: 8 }), 'ok')
      add(via, 'lengths', `${kind} [1, 0, 3]`, (api) => p(api, typed(kind, [1, 0, 3]), { capacity: 8 }), 'ERR_SEQPACK_INVALID_LENGTH', 1, '0')
      add(via, 'lengths', `${kind} [1, 9, 3]`, (api) => p(api, typed(kind, [1, 9, 3]), { capacity: 8 }), 'ERR_SEQPACK_LENGTH_EXCEEDS_CAPACITY', 1, '9')
      if (SIGNED.has(kind)) {
        add(via, 'lengths', `${kind} [1, -1, 3]`, (api) => p(api, typed(kind, [1, -1, 3]), { capacity: 8 }), 'ERR_SEQPACK_INVALID_LENGTH', 1, '-1')
      }
      add(via, 'lengths', `${kind} on a SharedArrayBuffer [1, 2, 3]`, (api) => p(api, typed(kind, [1, 2, 3], true), { capacity: 8 }), 'ok')
      add(via, 'lengths', `${kind} on a SharedArrayBuffer [1, 0, 3]`, (api) => p(api, typed(kind, [1, 0, 3], true), { capacity: 8 }), 'ERR_SEQPACK_INVALID_LENGTH', 1, '0')
      add(via, 'lengths', `detached ${kind}`, (api) => p(api, detached(kind), { capacity: 8 }), 'ERR_SEQPACK_INVALID_INPUT', null, null)
    }
    add(via, 'lengths', 'Float32Array [1.5]', (api) => p(api, Float32Array.of(1.5), { capacity: 8 }), 'ERR_SEQPACK_INVALID_LENGTH', 0, '1.5')
    add(via, 'lengths', 'Float64Array [NaN]', (api) => p(api, Float64Array.of(NaN), { capacity: 8 }), 'ERR_SEQPACK_INVALID_LENGTH', 0, 'NaN')

    // The options argument.
    for (const [v, label] of [
      [undefined, 'undefined'],
      [null, 'null'],
      ['x', '"x"'],
      [8, '8'],
      [[8], '[8]'],
      [{}, '{}'],
    ]) {
      add(via, 'options', label, (api) => p(api, [1], v), 'ERR_SEQPACK_INVALID_CAPACITY', null, null)
    }
    add(via, 'options', '{ capacity: 8, bogus: 1 }', (api) => p(api, [1], { capacity: 8, bogus: 1 }), 'ERR_SEQPACK_INVALID_OPTION', null, 'bogus')
    add(via, 'options', 'a getter that throws', (api) => p(api, [1], Object.defineProperty({}, 'capacity', { get: throwing, enumerable: true })), 'caller')
    add(via, 'options', 'a Proxy whose ownKeys trap throws', (api) => p(api, [1], new Proxy({ capacity: 8 }, { ownKeys: throwing })), 'caller')
    add(via, 'options', 'a Proxy of { capacity: 8 }', (api) => p(api, [1], new Proxy({ capacity: 8 }, {})), 'ok')

    // capacity.
    for (const [v, value] of [
      [NaN, 'NaN'],
      [Infinity, 'Infinity'],
      [-Infinity, '-Infinity'],
      [-0, '0'],
      [0, '0'],
      [1.5, '1.5'],
      [-1, '-1'],
      [2 ** 32, '4294967296'],
      [2 ** 53, '9007199254740992'],
      [1e21, '1e+21'],
      ['8', '8'],
      [null, 'null'],
      [true, 'true'],
    ]) {
      add(via, 'capacity', show(v), (api) => p(api, [1], { capacity: v }), 'ERR_SEQPACK_INVALID_CAPACITY', null, value)
    }
    add(via, 'capacity', '4294967295 (the maximum)', (api) => p(api, [1], { capacity: 2 ** 32 - 1 }), 'ok')
    add(via, 'capacity', '9 for ohgbfd with capacities [8, 4]', (api) => p(api, [1], opts('ohgbfd', { capacity: 9 })), 'ERR_SEQPACK_INVALID_CAPACITY', null, '9')

    // strategy.
    for (const [v, value] of [
      ['', ''],
      ['OBFD', 'OBFD'],
      ['x', 'x'],
      [3, '3'],
      [null, 'null'],
    ]) {
      add(via, 'strategy', show(v), (api) => p(api, [1], { capacity: 8, strategy: v }), 'ERR_SEQPACK_UNKNOWN_STRATEGY', null, value)
    }

    // Every option against every strategy: not taken -> an error naming it.
    for (const s of STRATEGIES) {
      for (const o of OPTIONS) {
        if ((TAKES[s] ?? []).includes(o)) continue
        const v = o === 'capacities' || o === 'weights' ? [8] : o === 'layouts' ? [[8]] : 2
        add(via, o, `${show(v)} given to ${s}`, (api) => p(api, [1], opts(s, { [o]: v })), 'ERR_SEQPACK_INVALID_OPTION', null, null)
      }
      for (const req of { ogbfd: ['groupSize'], ogbfdp: ['groupSize'], ohgbfd: ['capacities'], oshgbfd: ['layouts'] }[s] ?? []) {
        add(via, req, `missing (${s})`, (api) => p(api, [1], { ...opts(s), [req]: undefined }), 'ERR_SEQPACK_INVALID_OPTION', null, null)
      }
    }
    // Integer options, where taken.
    const INT = { k: ['hk', 2, 65536], seed: ['ffs', 0, 2 ** 53 - 1], threads: ['obfdp', 1, 1024], groupSize: ['ogbfd', 1, 65536] }
    for (const [o, [s, min, max]] of Object.entries(INT)) {
      const shown = (v) => (Object.is(v, -0) ? '0' : v === 2 ** 53 ? '9007199254740992' : v === 2 ** 32 ? '4294967296' : String(v))
      for (const v of [NaN, Infinity, -Infinity, -0, 1.5, -1, 2 ** 32, 2 ** 53, min - 1, max + 1, 1e21]) {
        const ok = Number.isInteger(v) && v >= min && v <= max
        add(via, o, `${show(v)} (${s})`, (api) => p(api, [1], opts(s, { [o]: v })), ok ? 'ok' : 'ERR_SEQPACK_INVALID_OPTION', null, ok ? undefined : v === 1e21 ? '1e+21' : shown(v))
      }
      for (const v of ['2', null, true, [2]]) {
        add(via, o, `${show(v)} (${s})`, (api) => p(api, [1], opts(s, { [o]: v })), 'ERR_SEQPACK_INVALID_OPTION', null, String(v))
      }
    }
    // threads also for ogbfdp, groupSize for ogbfdp.
    add(via, 'threads', '1025 (ogbfdp)', (api) => p(api, [1], opts('ogbfdp', { threads: 1025 })), 'ERR_SEQPACK_INVALID_OPTION', null, '1025')
    add(via, 'groupSize', '0 (ogbfdp)', (api) => p(api, [1], opts('ogbfdp', { groupSize: 0 })), 'ERR_SEQPACK_INVALID_OPTION', null, '0')
    // capacities (ohgbfd).
    for (const [v, index, value] of [
      [[], null, '[]'],
      [[8, NaN], 1, 'NaN'],
      [[8, 0], 1, '0'],
      [[8, -0], 1, '0'],
      [[8, 1.5], 1, '1.5'],
      [[8, -1], 1, '-1'],
      [[8, Infinity], 1, 'Infinity'],
      [[8, 2 ** 32], 1, '4294967296'],
      [[8, 2 ** 53], 1, '9007199254740992'],
      [[8, '4'], 1, '4'],
      [[8, null], 1, 'null'],
    ]) {
      add(via, 'capacities', show(v), (api) => p(api, [1], { strategy: 'ohgbfd', capacities: v }), 'ERR_SEQPACK_INVALID_OPTION', index, value)
    }
    add(via, 'capacities', 'sparse [8, , 4]', (api) => p(api, [1], { strategy: 'ohgbfd', capacities: [8, , 4] }), 'ERR_SEQPACK_INVALID_OPTION', 1, 'undefined') // eslint-disable-line no-sparse-arrays
    add(via, 'capacities', '"8"', (api) => p(api, [1], { strategy: 'ohgbfd', capacities: '8' }), 'ERR_SEQPACK_INVALID_OPTION', null, null)
    add(via, 'capacities', '65537 entries (limit 65536)', (api) => p(api, [1], { strategy: 'ohgbfd', capacities: new Array(65537).fill(8) }), 'ERR_SEQPACK_INVALID_OPTION', 65536, 'an array of 65537')
    add(via, 'capacities', 'new Array(2**32 - 1)', (api) => p(api, [1], { strategy: 'ohgbfd', capacities: new Array(2 ** 32 - 1) }), 'ERR_SEQPACK_INVALID_OPTION', 65536, 'an array of 4294967295')
    add(via, 'capacities', '65536 entries (at the limit)', (api) => p(api, [1], { strategy: 'ohgbfd', capacities: new Array(65536).fill(8) }), 'ok')
    // layouts (oshgbfd).
    for (const [v, index, value] of [
      [[], null, '[]'],
      [[[]], null, '[]'],
      [[[8], [0]], 0, '0'],
      [[[8], [4, NaN]], 1, 'NaN'],
      [[[8], [2 ** 32]], 0, '4294967296'],
      [[[8], ['4']], 0, '4'],
    ]) {
      add(via, 'layouts', show(v), (api) => p(api, [1], { strategy: 'oshgbfd', layouts: v }), 'ERR_SEQPACK_INVALID_OPTION', index, value)
    }
    add(via, 'layouts', '[8] (not nested)', (api) => p(api, [1], { strategy: 'oshgbfd', layouts: [8] }), 'ERR_SEQPACK_INVALID_OPTION', null, null)
    add(via, 'layouts', '1025 layouts (limit 1024)', (api) => p(api, [1], { strategy: 'oshgbfd', layouts: new Array(1025).fill([8]) }), 'ERR_SEQPACK_INVALID_OPTION', 1024, 'an array of 1025')
    add(via, 'layouts', 'a layout of 65537 (limit 65536)', (api) => p(api, [1], { strategy: 'oshgbfd', layouts: [[8], new Array(65537).fill(8)] }), 'ERR_SEQPACK_INVALID_OPTION', 65536, 'an array of 65537')
    add(
      via,
      'layouts',
      '17 layouts of 65536 (over 2**20 in all)',
      (api) => p(api, [1], { strategy: 'oshgbfd', layouts: new Array(17).fill(new Array(65536).fill(8)) }),
      'ERR_SEQPACK_INVALID_OPTION',
      16,
      'an array of 65536',
    )
    // weights (ohgbfd and oshgbfd).
    for (const s of ['ohgbfd', 'oshgbfd']) {
      for (const [v, index, value] of [
        [[NaN], 0, 'NaN'],
        [[Infinity], 0, 'Infinity'],
        [[-1], 0, '-1'],
        [[-1e300], 0, '-1e+300'],
        [['1'], 0, '1'],
        [[1, 1], null, 'an array of 2'],
        [[], null, 'an array of 0'],
      ]) {
        add(via, 'weights', `${show(v)} for one length (${s})`, (api) => p(api, [1], opts(s, { weights: v })), 'ERR_SEQPACK_INVALID_OPTION', index, value)
      }
      add(via, 'weights', `[-0] (${s})`, (api) => p(api, [1], opts(s, { weights: [-0] })), 'ok')
      add(via, 'weights', `Float64Array [2] (${s})`, (api) => p(api, [1], opts(s, { weights: Float64Array.of(2) })), 'ok')
    }
  }
  // signal.
  add('pack', 'signal', 'an AbortSignal (pack is synchronous)', (api) => api.pack([1], { capacity: 8, signal: new AbortController().signal }), 'ERR_SEQPACK_INVALID_OPTION', null, 'object')
  add('pack', 'signal', '"x"', (api) => api.pack([1], { capacity: 8, signal: 'x' }), 'ERR_SEQPACK_INVALID_OPTION', null, 'string "x"')
  add('packAsync', 'signal', '"x"', (api) => api.packAsync([1], { capacity: 8, signal: 'x' }), 'ERR_SEQPACK_INVALID_OPTION', null, null)
  add('packAsync', 'signal', 'already aborted', (api) => api.packAsync([1], { capacity: 8, signal: AbortSignal.abort() }), 'ERR_SEQPACK_ABORTED', null, null)

  // balance.
  for (const [v, code, value] of BAD_LENGTHS) {
    // balance takes no capacity: only lengths above 2**32 - 1 are too long.
    const tooLong = typeof v === 'number' && v > 2 ** 32 - 1
    const big = code === 'ERR_SEQPACK_LENGTH_EXCEEDS_CAPACITY'
    add('balance', 'lengths', `[1, 2, ${show(v)}]`, (api) => api.balance([1, 2, v], { nodes: 2 }), big && !tooLong ? 'ok' : 'ERR_SEQPACK_INVALID_LENGTH', big && !tooLong ? undefined : 2, big && !tooLong ? undefined : value)
  }
  for (const [v, value] of NON_NUMBERS) {
    add('balance', 'lengths', `[1, ${show(v)}]`, (api) => api.balance([1, v], { nodes: 2 }), 'ERR_SEQPACK_INVALID_LENGTH', 1, value)
  }
  for (const kind of TYPED) {
    add('balance', 'lengths', `${kind} [3, 0]`, (api) => api.balance(typed(kind, [3, 0]), { nodes: 2 }), 'ERR_SEQPACK_INVALID_LENGTH', 1, '0')
    add('balance', 'lengths', `${kind} on a SharedArrayBuffer [3, 4]`, (api) => api.balance(typed(kind, [3, 4], true), { nodes: 2 }), 'ok')
    add('balance', 'lengths', `detached ${kind}`, (api) => api.balance(detached(kind), { nodes: 2 }), 'ERR_SEQPACK_INVALID_INPUT', null, null)
  }
  add('balance', 'lengths', '"abc"', (api) => api.balance('abc', { nodes: 2 }), 'ERR_SEQPACK_INVALID_INPUT', null, null)
  add('balance', 'lengths', 'Uint32Array(3e5) all 100 (equal, large)', (api) => api.balance(new Uint32Array(3e5).fill(100), { nodes: 3 }), 'ok')
  for (const [v, value] of [
    [NaN, 'NaN'],
    [Infinity, 'Infinity'],
    [-0, '0'],
    [0, '0'],
    [1.5, '1.5'],
    [65537, '65537'],
    [2 ** 32, '4294967296'],
    [2 ** 53, '9007199254740992'],
  ]) {
    add('balance', 'nodes', show(v), (api) => api.balance([1], { nodes: v }), 'ERR_SEQPACK_INVALID_OPTION', null, value)
  }
  for (const [v, label] of [
    ['2', '"2"'],
    [null, 'null'],
    [undefined, 'missing'],
  ]) {
    add('balance', 'nodes', label, (api) => api.balance([1], { nodes: v }), 'ERR_SEQPACK_INVALID_OPTION', null, null)
  }
  add('balance', 'options', 'null', (api) => api.balance([1], null), 'ERR_SEQPACK_INVALID_OPTION', null, null)
  add('balance', 'options', 'a getter that throws', (api) => api.balance([1], Object.defineProperty({}, 'nodes', { get: throwing, enumerable: true })), 'caller')

  // PackResult.bin on a 4-bin result.
  for (const v of [4, 5, -1, 1.5, NaN, undefined, '1', Infinity, null, 2 ** 32]) {
    add('PackResult.bin', 'b', `${show(v)} (4 bins)`, (api) => api.pack([5, 5, 5, 5], { capacity: 5 }).bin(v), 'ERR_OUT_OF_RANGE', null, null)
  }
  add('PackResult.bin', 'b', '3 (4 bins)', (api) => api.pack([5, 5, 5, 5], { capacity: 5 }).bin(3), 'ok')
  return out
}

/** The table as Markdown, for docs/errors.md. */
export function renderTable(list = cases()) {
  const cell = (s) => String(s).replace(/\|/g, '\\|')
  const rows = list.map((c) => {
    const index = c.index === undefined || c.index === null ? '' : String(c.index)
    const value = c.value === undefined || c.value === null ? '' : `\`${cell(c.value) || ' '}\``
    const code = c.code === 'ok' ? 'succeeds' : c.code === 'caller' ? "the caller's own exception" : `\`${c.code}\``
    return `| \`${c.fn}\` | \`${c.arg}\` | ${cell(c.what)} | ${code} | ${index} | ${value} |`
  })
  return ['| export | argument | bad value | outcome | `index` | `value` |', '| --- | --- | --- | --- | --- | --- |', ...rows].join('\n')
}

export const START = '<!-- error-matrix:start (generated by `node scripts/errors-doc.mjs`; do not edit) -->'
export const END = '<!-- error-matrix:end -->'
