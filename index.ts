/**
 * seqpack: sequence packing for LLM training, with a native Rust core.
 *
 * This layer only loads the addon, checks JavaScript *types* (everything about
 * values is validated by the core, so there is one source of truth for the
 * rules), and wraps results and errors in friendly objects.
 */
import { createRequire } from 'node:module'
import * as util from 'node:util'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { resolveNative, nodeHost, type Candidate } from './loader'
import type * as NativeModule from './native'
import type { NativeBalance, NativePackedRows, NativePrefixMerge, NativeRowsOptions, NativeStreamPacker, NativeStrategyOptions, ErrorCode as NativeErrorCode, StrategyName } from './native'

export { NativeLoadError } from './loader'

/**
 * Runs `f` and puts back `process.report.excludeNetwork`, which the loader
 * sets while it reads the C library version from a diagnostic report:
 * importing seqpack must not change a process-wide setting.
 */
function withProcessReportRestored<T>(f: () => T): T {
  const report = (process as unknown as { report?: { excludeNetwork?: boolean } }).report
  const before = report?.excludeNetwork
  try {
    return f()
  } finally {
    if (report && report.excludeNetwork !== before) report.excludeNetwork = before
  }
}

/** The addon, typed by the `native.d.ts` napi generates from the Rust exports. */
type Native = typeof NativeModule

/** `capacity`, `strategy` and the strategy options (only when some were given). */
type NativeArgs = [capacity: number | undefined, strategy: string | undefined, extra: NativeStrategyOptions | undefined]

const here = dirname(fileURLToPath(import.meta.url))
const loaded = withProcessReportRestored(() => resolveNative<Native>(nodeHost(createRequire(import.meta.url), join(here, '..'))))
const native: Native = loaded.binding
/** Where the native addon was loaded from: `SEQPACK_NATIVE_PATH`, a local build, or the platform package (diagnostics). */
export const nativeBinding: Readonly<Candidate> = Object.freeze({ ...loaded.from })

/**
 * What this layer and the addon agree on, read from the addon once: the
 * strategy options and the shape of each, the error codes, and the metrics
 * layout. Nothing here restates them.
 */
const contract = native.contract()

/** Short names of every strategy (the `strategy` option). */
export type Strategy = `${StrategyName}`

/** Lengths: plain numbers, or a typed array (`Uint32Array` is read without copying). */
export type Lengths = readonly number[] | Uint32Array | Int32Array | Float64Array | Uint16Array | Uint8Array | Uint8ClampedArray | Int16Array | Int8Array | Float32Array

export interface PackOptions {
  /**
   * Token budget of one bin (packed row); integer in 1..4294967295. Required,
   * except for `ohgbfd`/`oshgbfd`, where it is the largest device capacity
   * (omit it, or give exactly that value).
   */
  capacity?: number
  /** Algorithm; default `'obfd'`. See `strategies()`. */
  strategy?: Strategy
  /** Harmonic-K classes (`hk`), at least 2. Default 10. */
  k?: number
  /** Shuffle seed (`ffs`). Default 42. */
  seed?: number
  /** Worker threads (`obfdp`, `ogbfdp`). Default: adaptive to input size. */
  threads?: number
  /** Bins per group = data-parallel ranks (`ogbfd`, `ogbfdp`). */
  groupSize?: number
  /** One capacity per device in a group (`ohgbfd`). */
  capacities?: readonly number[]
  /** Per-item weights for heterogeneous balancing (`ohgbfd`, `oshgbfd`). Default len^2. */
  weights?: readonly number[] | Float64Array
  /** Allowed group layouts, each a list of device capacities (`oshgbfd`). */
  layouts?: readonly (readonly number[])[]
}

/** `true` when `A` and `B` are the same type. */
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false
/**
 * Compile-time contract: the strategy options documented in `PackOptions` are
 * exactly those the addon reads (`NativeStrategyOptions`, generated from Rust).
 */
const packOptionsMatchNative: Same<Exclude<keyof PackOptions, 'capacity' | 'strategy'>, keyof NativeStrategyOptions> = true
void packOptionsMatchNative

export interface AsyncPackOptions extends PackOptions {
  /** Aborts the packing; the promise rejects with a `SeqpackError` named `AbortError`. */
  signal?: AbortSignal
}

export interface Summary {
  mean: number
  std: number
  min: number
  max: number
}

/**
 * How evenly the bins (devices) of each group share the work. The spread of a
 * group is `max - min` over its bins (empty bins count as 0); it is reported
 * for token totals and for attention cost `sum(len^2)`, averaged and maximised
 * over groups.
 */
export interface GroupBalance {
  numGroups: number
  tokenSpreadMean: number
  tokenSpreadMax: number
  attentionSpreadMean: number
  attentionSpreadMax: number
}

export interface StrategyInfo {
  name: Strategy
  fullName: string
  online: boolean
  timeComplexity: string
  approximation: string
  options: string[]
  grouped: boolean
}

/**
 * Stable error codes (`error.code`), generated from the addon's list.
 *
 * Which code a bad option gets: the code of the option at fault. A wrong
 * `capacity` is `ERR_SEQPACK_INVALID_CAPACITY`, a wrong `strategy` (also a
 * non-string) `ERR_SEQPACK_UNKNOWN_STRATEGY`, any other option
 * `ERR_SEQPACK_INVALID_OPTION`. An options argument that is not an object
 * lacks the required option, so it gets that option's code (`capacity` for
 * `pack`, `nodes` for `balance`). A value napi itself cannot read (such as a
 * Proxy around a typed array) is `ERR_SEQPACK_INVALID_INPUT`.
 */
export type ErrorCode = `${NativeErrorCode}`

/** Every error seqpack throws for bad input, cancellation or internal failure. */
export class SeqpackError extends Error {
  /** Index of the offending element, for per-element errors. */
  readonly index?: number
  /** The offending value as text, when there is one. */
  readonly value?: string
  constructor(
    readonly code: ErrorCode,
    message: string,
    details: { index?: number; value?: string; cause?: unknown } = {},
  ) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause })
    this.name = code === 'ERR_SEQPACK_ABORTED' ? 'AbortError' : 'SeqpackError'
    if (details.index !== undefined) this.index = details.index
    if (details.value !== undefined) this.value = details.value
  }
}

const ERROR_CODES: ReadonlySet<string> = new Set(contract.errorCodes)
/** napi's own statuses for an argument it could not convert. */
const NAPI_CONVERSION = new Set(['InvalidArg', 'ObjectExpected', 'StringExpected', 'NumberExpected', 'BooleanExpected', 'ArrayExpected', 'BigintExpected', 'ArrayBufferExpected', 'DetachableArraybufferExpected'])

/** The addon's errors carry `code`, `index` and `value` as properties; this makes them `SeqpackError`s. */
function fromNative(err: unknown): unknown {
  if (err === null || typeof err !== 'object') return err
  const e = err as { code?: unknown; message?: unknown; index?: unknown; value?: unknown }
  const message = typeof e.message === 'string' ? e.message : String(err)
  if (typeof e.code === 'string' && ERROR_CODES.has(e.code)) {
    return new SeqpackError(e.code as ErrorCode, message, {
      index: typeof e.index === 'number' ? e.index : undefined,
      value: typeof e.value === 'string' ? e.value : undefined,
    })
  }
  if (typeof e.code === 'string' && NAPI_CONVERSION.has(e.code)) {
    return new SeqpackError('ERR_SEQPACK_INVALID_INPUT', `an argument could not be read as the expected type: ${message}`, { cause: err })
  }
  return err
}

/**
 * Slot of each name in one of the addon's `f64` layouts (see `contract`). A
 * name the addon does not list is an error here, at load, not a silent
 * `undefined` in every result.
 */
function slotsOf(layout: readonly string[], what: string) {
  const index: Readonly<Record<string, number>> = Object.fromEntries(layout.map((name, i) => [name, i]))
  return (name: string): number => {
    const i = index[name]
    if (i === undefined) throw new Error(`seqpack: the native addon's ${what} layout has no slot ${name}; the addon and this package do not match`)
    return i
  }
}

/**
 * The one decoder of {@link PackMetrics}, for any addon layout that names
 * them: `pack()`'s result header (`contract.packingLayout`) and the metrics
 * array of rows and CLI summaries (`contract.metricsLayout`). Slots are
 * resolved once, at load.
 */
function metricsDecoder(slot: (name: string) => number): (h: Float64Array) => PackMetrics {
  const four = (name: string) => [slot(`${name}.mean`), slot(`${name}.std`), slot(`${name}.min`), slot(`${name}.max`)] as const
  const [numBins, numItems, totalTokens, totalCapacity, paddingTokens, efficiency, lowerBoundL1, lowerBound, gap] = ['numBins', 'numItems', 'totalTokens', 'totalCapacity', 'paddingTokens', 'efficiency', 'lowerBoundL1', 'lowerBound', 'gap'].map(slot)
  const [u, c] = [four('utilisation'), four('itemsPerBin')]
  return (h) => ({
    numBins: h[numBins],
    numItems: h[numItems],
    totalTokens: h[totalTokens],
    totalCapacity: h[totalCapacity],
    paddingTokens: h[paddingTokens],
    efficiency: h[efficiency],
    utilisation: { mean: h[u[0]], std: h[u[1]], min: h[u[2]], max: h[u[3]] },
    itemsPerBin: { mean: h[c[0]], std: h[c[1]], min: h[c[2]], max: h[c[3]] },
    lowerBoundL1: h[lowerBoundL1],
    lowerBound: h[lowerBound],
    gap: h[gap],
  })
}

const slot = slotsOf(contract.packingLayout, 'packing')
const packingMetrics = metricsDecoder(slot)
const decodeMetrics = metricsDecoder(slotsOf(contract.metricsLayout, 'metrics'))
const HEADER = contract.packingLayout.length
/** Header slots beyond the metrics. */
const S = {
  binCapacities: slot('binCapacities.length'),
  groupOffsets: slot('groupOffsets.length'),
  groupBalance: ['numGroups', 'tokenSpreadMean', 'tokenSpreadMax', 'attentionSpreadMean', 'attentionSpreadMax'].map((k) => slot(`groupBalance.${k}`)),
}

/**
 * The result of a packing. Its arrays (`items`, `binOffsets`, `binLoads`, and
 * `binCapacities`/`groupOffsets` when present) are views of ONE `ArrayBuffer`
 * that V8 owns (one allocation per call, freed by the garbage collector like
 * any array): transferring one of them (`postMessage` or `structuredClone`
 * with a transfer list) detaches them all, and `items.buffer` holds the whole
 * result. Copy an array with `.slice()` to keep or send it alone.
 *
 * `dispose()` (or `using r = pack(...)`) frees that buffer at once instead of
 * at V8's next collection, for synchronous loops that must not let output
 * memory pile up: see {@link releaseBuffers}.
 */
export class PackResult {
  /** Input indices, bin after bin. */
  readonly items: Uint32Array
  /** Bin `b` is `items[binOffsets[b] .. binOffsets[b + 1])`; length `numBins + 1`. */
  readonly binOffsets: Uint32Array
  /** Tokens in each bin. */
  readonly binLoads: Uint32Array
  /** Each bin's own capacity (heterogeneous strategies only). */
  readonly binCapacities?: Uint32Array
  /** Group `g` is bins `groupOffsets[g] .. groupOffsets[g + 1]` (grouped strategies only). */
  readonly groupOffsets?: Uint32Array
  readonly numBins: number
  readonly numItems: number
  readonly totalTokens: number
  /** Sum of bin capacities. */
  readonly totalCapacity: number
  readonly paddingTokens: number
  /** `totalTokens / totalCapacity` (0 for an empty input). */
  readonly efficiency: number
  /** Per-bin `load / capacity`: mean, population std, min, max. */
  readonly utilisation: Summary
  /** Items (sequences) per bin. */
  readonly itemsPerBin: Summary
  /** `ceil(totalTokens / capacity)`. */
  readonly lowerBoundL1: number
  /** Martello-Toth L2 lower bound on the optimal bin count (>= L1). */
  readonly lowerBound: number
  /** `numBins / lowerBound`: 1 means provably optimal. */
  readonly gap: number
  /** `1 - efficiency` (0 for an empty input). */
  readonly paddingRatio: number
  /** Number of groups (grouped strategies only). */
  readonly numGroups?: number
  /** Per-group balance of tokens and attention cost (grouped strategies only). */
  readonly groupBalance?: GroupBalance

  /**
   * @internal `buf` is the addon's packed result: a header of `f64` slots
   * named by `contract.packingLayout`, then the `u32` arrays `items`,
   * `binOffsets`, `binLoads` and, when present, `binCapacities` and
   * `groupOffsets`; the arrays here are views onto it (one allocation, see
   * `NativePacking` in src/output.rs).
   */
  constructor(buf: ArrayBuffer) {
    const h = new Float64Array(buf, 0, HEADER)
    const m = packingMetrics(h)
    const { numBins, numItems } = m
    let at = HEADER * 8
    const take = (len: number) => {
      const a = new Uint32Array(buf, at, len)
      at += len * 4
      return a
    }
    this.items = take(numItems)
    this.binOffsets = take(numBins + 1)
    this.binLoads = take(numBins)
    const caps = h[S.binCapacities]
    if (caps >= 0) this.binCapacities = take(caps)
    const groups = h[S.groupOffsets]
    if (groups >= 0) this.groupOffsets = take(groups)
    this.numBins = numBins
    this.numItems = numItems
    this.totalTokens = m.totalTokens
    this.totalCapacity = m.totalCapacity
    this.paddingTokens = m.paddingTokens
    this.efficiency = m.efficiency
    this.utilisation = m.utilisation
    this.itemsPerBin = m.itemsPerBin
    this.lowerBoundL1 = m.lowerBoundL1
    this.lowerBound = m.lowerBound
    this.gap = m.gap
    this.paddingRatio = numBins === 0 ? 0 : 1 - this.efficiency
    if (groups >= 0) {
      const [numGroups, tokenSpreadMean, tokenSpreadMax, attentionSpreadMean, attentionSpreadMax] = S.groupBalance.map((i) => h[i])
      this.groupBalance = { numGroups, tokenSpreadMean, tokenSpreadMax, attentionSpreadMean, attentionSpreadMax }
      this.numGroups = numGroups
    }
  }

  /**
   * The input indices of bin `b` (a view, no copy).
   *
   * @throws {RangeError} (`code` `'ERR_OUT_OF_RANGE'`) unless `b` is an
   * integer in `0 .. numBins - 1`.
   */
  bin(b: number): Uint32Array {
    if (!Number.isInteger(b) || b < 0 || b >= this.numBins) {
      const shown = typeof b === 'number' ? String(b) : typeName(b)
      throw Object.assign(new RangeError(`bin ${shown} does not exist: bins are numbered 0 to ${this.numBins - 1}`), { code: 'ERR_OUT_OF_RANGE' })
    }
    return this.items.subarray(this.binOffsets[b], this.binOffsets[b + 1])
  }

  /** All bins as plain arrays of input indices (copies; convenient for small results). */
  bins(): number[][] {
    const out: number[][] = new Array(this.numBins)
    for (let b = 0; b < this.numBins; b++) out[b] = Array.from(this.bin(b))
    return out
  }

  /**
   * Grouped strategies: the bin numbers of each group (group `g` is one
   * training step, one bin per rank/device). Empty for other strategies.
   */
  groups(): number[][] {
    const g = this.groupOffsets
    if (!g) return []
    const out: number[][] = new Array(g.length - 1)
    for (let i = 0; i + 1 < g.length; i++) {
      out[i] = Array.from({ length: g[i + 1] - g[i] }, (_, k) => g[i] + k)
    }
    return out
  }

  /**
   * Frees the result's memory now (all its arrays share one buffer); after
   * it every array of the result is empty. Idempotent. See {@link releaseBuffers}.
   */
  dispose(): void {
    releaseBuffers([this.items])
  }

  [Symbol.dispose](): void {
    this.dispose()
  }
}

/**
 * Frees the buffers under `views` now rather than at the next garbage
 * collection, and leaves every view of them empty.
 *
 * Why: V8 collects array buffers that a synchronous loop drops only once
 * enough external memory has piled up, and Node 24's V8 waits twice as long
 * as Node 20/22's: measured with `bench/memory.mjs`, 1,000 `pack()` calls on
 * 100k items hold 35 MiB of dead buffers at the peak on Node 20/22 and 70 MiB
 * on Node 24. `ArrayBuffer#transfer(0)` (Node 22 and later) detaches a
 * buffer and drops its backing store on the spot, so the same loop disposing
 * each result peaks at about one result. Node 20 has no `transfer`: there the
 * buffer is detached with `structuredClone` (the views are empty on every
 * version, so code behaves the same) and its memory waits for the collector
 * as before. Shared buffers and buffers already detached are skipped; each
 * buffer is released once however many views share it.
 */
function releaseBuffers(views: readonly (ArrayBufferView | undefined)[]): void {
  for (const v of views) {
    // A buffer released through an earlier view reads as detached here.
    if (!v || isShared(v) || isDetached(v)) continue
    const b = v.buffer as ArrayBuffer & { transfer?: (length: number) => ArrayBuffer }
    if (typeof b.transfer === 'function') b.transfer(0)
    else structuredClone(b, { transfer: [b] })
  }
}

type Kind = 'u32' | 'i32' | 'f64'

function typeName(v: unknown): string {
  if (v === null) return 'null'
  if (Array.isArray(v)) return 'array'
  if (ArrayBuffer.isView(v)) return v.constructor.name
  if (util.types.isProxy(v)) return 'Proxy'
  if (typeof v === 'string') return `string ${JSON.stringify(v.length > 40 ? v.slice(0, 40) + '…' : v)}`
  return typeof v
}

/** Largest number of lengths (item indices are `u32`, one value reserved). */
const MAX_ITEMS = 2 ** 32 - 2

/**
 * `alloc()` for `n` lengths: more than {@link MAX_ITEMS}, or a copy that does
 * not fit in memory (V8's `RangeError`), is `ERR_SEQPACK_TOO_MANY_ITEMS`.
 */
function forItems<T>(n: number, alloc: () => T): T {
  if (n > MAX_ITEMS) {
    throw new SeqpackError('ERR_SEQPACK_TOO_MANY_ITEMS', `${n} items is more than the maximum of ${MAX_ITEMS}`, { value: String(n) })
  }
  try {
    return alloc()
  } catch (err) {
    throw new SeqpackError('ERR_SEQPACK_TOO_MANY_ITEMS', `${n} items do not fit in memory for packing`, { value: String(n), cause: err })
  }
}

/** Whether `a`'s buffer was detached (transferred): its views then read as empty. */
function isDetached(a: ArrayBufferView): boolean {
  if (a.byteLength !== 0) return false
  try {
    // Throws on a detached buffer (Node 20 has no `ArrayBuffer#detached`).
    ;(a.buffer as ArrayBuffer).slice(0, 0)
    return false
  } catch {
    return true
  }
}

const isShared = (a: ArrayBufferView) => typeof SharedArrayBuffer === 'function' && a.buffer instanceof SharedArrayBuffer

/**
 * Chooses the entry point for the lengths. `Uint32Array`, `Int32Array` and
 * `Float64Array` are read in place, except over a `SharedArrayBuffer`:
 * another thread may write that memory while the native code reads it, so
 * it is copied once here and the core packs a snapshot. Other typed arrays
 * and plain arrays are converted (copied) after a type check.
 */
function prepareLengths(lengths: unknown): [Kind, Uint32Array | Int32Array | Float64Array] {
  // `isView` is false for a Proxy around a typed array (which `instanceof`
  // would accept but whose memory cannot be read): it falls to the end.
  if (ArrayBuffer.isView(lengths)) {
    if (isDetached(lengths)) {
      throw new SeqpackError('ERR_SEQPACK_INVALID_INPUT', `lengths is a ${typeName(lengths)} whose buffer was detached (transferred); pack before transferring it`)
    }
    if (lengths instanceof Uint32Array) return ['u32', isShared(lengths) ? lengths.slice() : lengths]
    if (lengths instanceof Int32Array) return ['i32', isShared(lengths) ? lengths.slice() : lengths]
    if (lengths instanceof Float64Array) return ['f64', isShared(lengths) ? lengths.slice() : lengths]
    if (
      lengths instanceof Uint8Array ||
      lengths instanceof Uint8ClampedArray ||
      lengths instanceof Uint16Array ||
      lengths instanceof Int8Array ||
      lengths instanceof Int16Array ||
      lengths instanceof Float32Array
    ) {
      return ['f64', forItems(lengths.length, () => Float64Array.from(lengths as ArrayLike<number>))]
    }
  } else if (Array.isArray(lengths)) {
    const n = lengths.length
    const out = forItems(n, () => new Float64Array(n))
    for (let i = 0; i < n; i++) {
      const v = lengths[i]
      if (typeof v !== 'number') {
        throw new SeqpackError('ERR_SEQPACK_INVALID_LENGTH', `length at index ${i} is a ${typeName(v)}, not a number`, {
          index: i,
          value: String(v),
        })
      }
      out[i] = v
    }
    return ['f64', out]
  }
  throw new SeqpackError(
    'ERR_SEQPACK_INVALID_INPUT',
    `lengths must be an array of numbers or a typed array of numbers (Uint32Array, Int32Array, Float64Array, ...), got ${typeName(lengths)}`,
  )
}

/** Every key `packAsync` accepts; `pack` the same but `signal`. */
const OPTION_KEYS = ['capacity', 'strategy', ...contract.packOptions.map((o) => o.name), 'signal']

/** Most entries of each list option, from the addon (see `contract`). */
const MAX_LENGTH: Readonly<Record<string, number | undefined>> = Object.fromEntries(contract.packOptions.map((o) => [o.name, o.maxLength ?? undefined]))

/**
 * A list option as numbers; `max` entries at most, checked before any entry
 * is read (so a huge or sparse list costs nothing). The error has the index
 * of the first entry beyond the limit, as the core reports it.
 */
function numberArray(name: string, v: unknown, max: number | undefined): number[] {
  if (!Array.isArray(v) && !(v instanceof Float64Array)) {
    throw new SeqpackError('ERR_SEQPACK_INVALID_OPTION', `option \`${name}\` must be an array of numbers, got ${typeName(v)}`)
  }
  if (max !== undefined && v.length > max) {
    throw new SeqpackError('ERR_SEQPACK_INVALID_OPTION', `option \`${name}\` = an array of ${v.length} is invalid: it may have at most ${max} entries`, {
      index: max,
      value: `an array of ${v.length}`,
    })
  }
  const arr = Array.from(v as ArrayLike<unknown>)
  arr.forEach((x, i) => {
    if (typeof x !== 'number') {
      throw new SeqpackError('ERR_SEQPACK_INVALID_OPTION', `option \`${name}\`[${i}] is a ${typeName(x)}, not a number`, { index: i, value: String(x) })
    }
  })
  return arr as number[]
}

/**
 * The own properties of an options argument, each read exactly once (a getter
 * runs once). Not an object: the required option is missing, so the error
 * has that option's code (see {@link ErrorCode}).
 */
function ownOptions(options: unknown, missing: () => SeqpackError): Record<string, unknown> {
  if (options === null || typeof options !== 'object' || Array.isArray(options)) throw missing()
  return { ...(options as Record<string, unknown>) }
}

/**
 * Type-checks the options object; value rules are the core's. Returns the
 * native arguments and the signal. `signal` is refused unless `allowSignal`
 * (synchronous `pack` cannot be cancelled, and options that do not apply are errors).
 */
function prepareOptions(options: unknown, allowSignal: boolean): [NativeArgs, unknown] {
  const o = ownOptions(
    options,
    () => new SeqpackError('ERR_SEQPACK_INVALID_CAPACITY', `options must be an object with a capacity, e.g. { capacity: 4096 }; got ${typeName(options)}`),
  )
  for (const key of Object.keys(o)) {
    if (!OPTION_KEYS.includes(key) && o[key] !== undefined) {
      throw new SeqpackError('ERR_SEQPACK_INVALID_OPTION', `unknown option \`${key}\`; valid options are ${OPTION_KEYS.join(', ')}`, { value: key })
    }
  }
  const { capacity, strategy, signal } = o
  if (!allowSignal && signal !== undefined) {
    throw new SeqpackError('ERR_SEQPACK_INVALID_OPTION', 'option `signal` does not apply to pack(), which is synchronous and cannot be cancelled; use packAsync() to cancel', {
      value: typeName(signal),
    })
  }
  if (capacity !== undefined && typeof capacity !== 'number') {
    throw new SeqpackError('ERR_SEQPACK_INVALID_CAPACITY', `capacity must be a number, got ${typeName(capacity)}`, { value: String(capacity) })
  }
  if (strategy !== undefined && typeof strategy !== 'string') {
    throw new SeqpackError('ERR_SEQPACK_UNKNOWN_STRATEGY', `strategy must be a string such as 'obfd', got ${typeName(strategy)}`, { value: String(strategy) })
  }
  const extra: Record<string, unknown> = {}
  let given = false
  for (const { name, kind } of contract.packOptions) {
    const v = o[name]
    if (v === undefined) continue
    given = true
    if (kind === 'number') {
      if (typeof v !== 'number') {
        throw new SeqpackError('ERR_SEQPACK_INVALID_OPTION', `option \`${name}\` must be a number, got ${typeName(v)}`, { value: String(v) })
      }
      extra[name] = v
    } else if (kind === 'numbers') {
      extra[name] = numberArray(name, v, MAX_LENGTH[name])
    } else {
      if (!Array.isArray(v)) {
        throw new SeqpackError('ERR_SEQPACK_INVALID_OPTION', `option \`${name}\` must be an array of number arrays, got ${typeName(v)}`)
      }
      const max = MAX_LENGTH[name]
      if (max !== undefined && v.length > max) {
        throw new SeqpackError('ERR_SEQPACK_INVALID_OPTION', `option \`${name}\` = an array of ${v.length} is invalid: it may have at most ${max} entries`, {
          index: max,
          value: `an array of ${v.length}`,
        })
      }
      // Each layout is one group: as many devices as `capacities` may list.
      extra[name] = Array.from(v, (l, i) => numberArray(`${name}[${i}]`, l, MAX_LENGTH.capacities))
    }
  }
  return [[capacity, strategy, given ? (extra as NativeStrategyOptions) : undefined], signal]
}

/**
 * Packs sequences of the given lengths into bins of `options.capacity` tokens.
 *
 * Synchronous: blocks the event loop for the duration (about 15 ns per item for
 * OBFD). Use {@link packAsync} for large inputs in servers or UIs.
 *
 * @throws {SeqpackError} on bad input, naming the offending value and its index.
 */
export function pack(lengths: Lengths, options: PackOptions): PackResult {
  const [opts] = prepareOptions(options, false)
  const [kind, arr] = prepareLengths(lengths)
  let n: ArrayBuffer
  try {
    if (kind === 'u32') n = native.packU32(arr as Uint32Array, ...opts)
    else if (kind === 'i32') n = native.packI32(arr as Int32Array, ...opts)
    else n = native.packF64(arr as Float64Array, ...opts)
  } catch (err) {
    throw fromNative(err)
  }
  return new PackResult(n)
}

function abortError(signal: AbortSignal): SeqpackError {
  return new SeqpackError('ERR_SEQPACK_ABORTED', 'the packing was aborted', { cause: signal.reason })
}

/**
 * What an async export rejects with for a native failure: a `SeqpackError`,
 * except that a cancellation `signal` caused becomes the signal's abort
 * error, so callers check one error whatever stage was aborted.
 */
function asyncFailure(err: unknown, signal: AbortSignal | undefined): unknown {
  const e = fromNative(err)
  return e instanceof SeqpackError && e.code === 'ERR_SEQPACK_ABORTED' && signal ? abortError(signal) : e
}

/**
 * Runs async native work under `signal`, the one place the async exports
 * share: the native work is cancelled when the signal fires, and an aborted
 * call rejects with an `AbortError`, also when the abort came after the work
 * finished but before this continuation ran (so an aborted call never
 * resolves).
 */
async function cancellable<T>(signal: AbortSignal | undefined, run: (token: InstanceType<typeof native.CancelToken>) => Promise<T>): Promise<T> {
  if (signal?.aborted) throw abortError(signal)
  const token = new native.CancelToken()
  const onAbort = () => token.cancel()
  signal?.addEventListener('abort', onAbort, { once: true })
  try {
    const out = await run(token)
    if (signal?.aborted) throw abortError(signal)
    return out
  } catch (err) {
    throw asyncFailure(err, signal)
  } finally {
    signal?.removeEventListener('abort', onAbort)
  }
}

/**
 * Like {@link pack}, but runs on the libuv thread pool and never blocks the
 * event loop. The input is copied once (so later mutation cannot race the
 * worker). `signal` cancels the work, also while it is running: once the
 * signal has fired, the promise rejects with an `AbortError`, even if the
 * work had already finished.
 */
export async function packAsync(lengths: Lengths, options: AsyncPackOptions): Promise<PackResult> {
  const [opts, signal] = prepareOptions(options, true)
  if (signal !== undefined && !(signal instanceof AbortSignal)) {
    throw new SeqpackError('ERR_SEQPACK_INVALID_OPTION', `option \`signal\` must be an AbortSignal, got ${typeName(signal)}`)
  }
  const [, arr] = prepareLengths(lengths)
  return new PackResult(await cancellable(signal, (token) => native.packAsync(arr, ...opts, token)))
}

/** A context-parallel document order, from {@link balance}. */
export interface BalanceResult {
  /** Input indices of the documents, in the order to lay them out in the row. */
  order: Uint32Array
  /** Causal-attention load of each node (`sum(b^2 - a^2)` over its document pieces). */
  loads: Float64Array
  /** `sum(len^2) / nodes`, the same for every order. */
  mean: number
  /** `max |load - mean|` over nodes. */
  maxDeviation: number
  /** Whether the order is proven optimal (exhaustive search: up to 8 documents, within a work budget). */
  exact: boolean
  /** Frees `order` and `loads` now (they are empty after it); see {@link PackResult.dispose}. */
  dispose(): void
  [Symbol.dispose](): void
}

/** The {@link BalanceResult} of the addon's balance: its fields as they are, plus `dispose`. */
class Balance implements BalanceResult {
  declare order: Uint32Array
  declare loads: Float64Array
  declare mean: number
  declare maxDeviation: number
  declare exact: boolean
  constructor(n: NativeBalance) {
    Object.assign(this, n)
  }
  dispose(): void {
    releaseBuffers([this.order, this.loads])
  }
  [Symbol.dispose](): void {
    this.dispose()
  }
}

/**
 * Orders the documents of one packed row for context parallelism over
 * `options.nodes` nodes: the row is cut into `2 * nodes` chunks of equal
 * tokens (the first `total % (2 * nodes)` chunks get one extra token) and node
 * `i` gets chunks `i` and `2 * nodes - 1 - i`. Returns the order minimising the
 * largest deviation of a node's causal-attention load from the mean: exhaustive
 * for up to 8 documents (unless thousands of nodes make that too costly; `exact`
 * tells), a deterministic swap-based local search otherwise.
 *
 * @throws {SeqpackError} `ERR_SEQPACK_INVALID_OPTION` for a bad `nodes`
 * (integer 1..65536), the usual length errors for bad lengths.
 */
export function balance(lengths: Lengths, options: { nodes: number }): BalanceResult {
  const missing = (got: unknown) => new SeqpackError('ERR_SEQPACK_INVALID_OPTION', `options must be an object with a numeric \`nodes\`, e.g. { nodes: 4 }; got ${typeName(got)}`)
  const { nodes } = ownOptions(options, () => missing(options))
  if (typeof nodes !== 'number') throw missing(nodes)
  const [kind, arr] = prepareLengths(lengths)
  try {
    return new Balance(
      kind === 'u32'
        ? native.balanceU32(arr as Uint32Array, nodes)
        : native.balanceF64(kind === 'f64' ? (arr as Float64Array) : Float64Array.from(arr), nodes),
    )
  } catch (err) {
    throw fromNative(err)
  }
}

/** Every strategy with its full name, kind, complexity, guarantee and options. */
export function strategies(): StrategyInfo[] {
  return native.strategies()
}

// ---------------------------------------------------------------------------
// Training rows, streaming and shared-prefix merging.

/** What happens to a document longer than `capacity`. */
export type Overflow = 'error' | 'truncate' | 'split' | 'drop'
/** How `labels` relate to `inputIds` (see {@link PackedRows}). */
export type LabelConvention = 'unshifted' | 'shifted'

/** Token ids of one document. */
export type DocTokens = Int32Array | Uint32Array | readonly number[]

/**
 * Tokenised documents: flat token ids with `offsets` (document `d` is
 * `tokens[offsets[d] .. offsets[d + 1]]`, so `offsets` has numDocs + 1
 * entries starting at 0), or one token array per document.
 * `Int32Array`/`Uint32Array` tokens are read without copying.
 */
export type Docs = { tokens: Int32Array | Uint32Array | readonly number[]; offsets: Uint32Array | readonly number[] } | readonly DocTokens[]

export interface RowsOptions extends PackOptions {
  /** Documents longer than `capacity`: `'error'` (default), `'truncate'`, `'split'` or `'drop'`. */
  overflow?: Overflow
  /** Token id of padding slots. Default 0. */
  padId?: number
  /** Label of slots not trained on (padding, boundaries). Default -100 (PyTorch's cross-entropy default). */
  ignoreIndex?: number
  /** Default `'unshifted'` (Hugging Face causal LMs shift inside the model). */
  labels?: LabelConvention
  /** Permute the rows (groups of rows for grouped strategies) with the core's seeded PRNG. Default false. */
  shuffle?: boolean
  /** Shuffle seed (also the packing seed of `ffs`). Default 0; pass `seed + epoch` for a fresh order per epoch. */
  seed?: number
}

export interface AsyncRowsOptions extends RowsOptions {
  /** Aborts the work; the promise rejects with a `SeqpackError` named `AbortError`. */
  signal?: AbortSignal
}

/** The packing metrics of `pack()`, for the rows' bins. */
export interface PackMetrics {
  numBins: number
  numItems: number
  totalTokens: number
  totalCapacity: number
  paddingTokens: number
  efficiency: number
  utilisation: Summary
  itemsPerBin: Summary
  lowerBoundL1: number
  lowerBound: number
  gap: number
}

/** What the overflow policy did (to the documents of this batch). */
export interface OverflowCounts {
  split: number
  truncated: number
  dropped: number
  /** Tokens left out by `'truncate'` and `'drop'`. */
  tokensLost: number
}

/**
 * Packed training rows as flat typed arrays over all rows: row `r` is
 * `[r * capacity, (r + 1) * capacity)` of `inputIds`, `labels`,
 * `positionIds` and `attentionMask`.
 *
 * A segment is one document, or one piece of a split/truncated document,
 * inside one row; segments of row `r` are `rowSegments[r] .. rowSegments[r + 1]`
 * of the segment arrays, laid end to end from the row's first slot.
 *
 * Conventions (each stated once, here):
 * - positions restart at 0 at every segment;
 * - padding: `inputIds = padId`, `labels = ignoreIndex`, `attentionMask = 0`, `positionIds = 0`;
 * - `labels: 'unshifted'`: `labels[t] = inputIds[t]`, except `ignoreIndex` at
 *   each segment's first token, so after the model's own shift no token
 *   predicts across a document boundary;
 * - `labels: 'shifted'`: `labels[t] = inputIds[t + 1]` inside a segment,
 *   `ignoreIndex` at each segment's last token.
 */
export class PackedRows {
  readonly capacity: number
  readonly numRows: number
  readonly inputIds: Int32Array
  readonly labels: Int32Array
  readonly positionIds: Int32Array
  readonly attentionMask: Uint8Array
  readonly rowSegments: Uint32Array
  /** Source document of each segment (its index in the input, or its push index for a stream). */
  readonly segmentDoc: Uint32Array
  /** Offset of the segment's first token inside its document. */
  readonly segmentStart: Uint32Array
  readonly segmentLength: Uint32Array
  /** Longest segment (flash-attention's `max_seqlen`). */
  readonly maxSeqlen: number
  readonly metrics: PackMetrics
  readonly overflow: OverflowCounts
  /** Group `g` is rows `groupOffsets[g] .. groupOffsets[g + 1]` (grouped strategies). */
  readonly groupOffsets?: Uint32Array

  /** @internal */
  constructor(n: NativePackedRows) {
    this.capacity = n.capacity
    this.numRows = n.numRows
    this.inputIds = n.inputIds
    this.labels = n.labels
    this.positionIds = n.positionIds
    this.attentionMask = n.attentionMask
    this.rowSegments = n.rowSegments
    this.segmentDoc = n.segmentDoc
    this.segmentStart = n.segmentStart
    this.segmentLength = n.segmentLength
    this.maxSeqlen = n.maxSeqlen
    this.metrics = decodeMetrics(n.metrics)
    const o = n.overflow
    this.overflow = { split: o[0], truncated: o[1], dropped: o[2], tokensLost: o[3] }
    if (n.groupOffsets) this.groupOffsets = n.groupOffsets
  }

  /**
   * Cumulative segment lengths of rows `rowStart .. rowEnd` laid end to end,
   * starting at 0 (`cu_seqlens` of flash-attention's varlen kernels). Padding
   * is not part of any segment.
   */
  cuSeqlens(rowStart = 0, rowEnd = this.numRows): Int32Array {
    if (!Number.isInteger(rowStart) || !Number.isInteger(rowEnd) || rowStart < 0 || rowEnd > this.numRows || rowStart > rowEnd) {
      throw new SeqpackError('ERR_SEQPACK_INVALID_INPUT', `row range ${rowStart}..${rowEnd} is not within 0..${this.numRows}`, { value: `${rowStart}..${rowEnd}` })
    }
    const a = this.rowSegments[rowStart]
    const b = this.rowSegments[rowEnd]
    const out = new Int32Array(b - a + 1)
    let total = 0
    for (let s = a; s < b; s++) out[s - a + 1] = total += this.segmentLength[s]
    return out
  }

  /** Row `r` of an array of these rows (a view, no copy). */
  row<T extends Int32Array | Uint8Array>(array: T, r: number): T {
    return array.subarray(r * this.capacity, (r + 1) * this.capacity) as T
  }

  /**
   * Frees every array of the rows now (they are empty after it); for loops
   * that pack batch after batch synchronously. See {@link PackResult.dispose}.
   */
  dispose(): void {
    releaseBuffers([this.inputIds, this.labels, this.positionIds, this.attentionMask, this.rowSegments, this.segmentDoc, this.segmentStart, this.segmentLength, this.groupOffsets])
  }

  [Symbol.dispose](): void {
    this.dispose()
  }
}

const ROWS_KEYS = ['overflow', 'padId', 'ignoreIndex', 'labels', 'shuffle', 'seed']

function badOption(name: string, want: string, v: unknown): SeqpackError {
  return new SeqpackError('ERR_SEQPACK_INVALID_OPTION', `option \`${name}\` must be ${want}, got ${typeName(v)}`, { value: String(v) })
}

/** Splits `options` into the pack part (checked by `prepareOptions`), the rows part, and the extra keys asked for. */
function prepareRowsOptions(options: unknown, extraKeys: readonly string[]): [NativeArgs, NativeRowsOptions, Record<string, unknown>] {
  const o = ownOptions(options, () => new SeqpackError('ERR_SEQPACK_INVALID_CAPACITY', `options must be an object with a capacity, e.g. { capacity: 4096 }; got ${typeName(options)}`))
  const packPart: Record<string, unknown> = {}
  const rows: NativeRowsOptions = {}
  const extra: Record<string, unknown> = {}
  for (const [k, v] of Object.entries(o)) {
    if (extraKeys.includes(k)) extra[k] = v
    else if (!ROWS_KEYS.includes(k)) packPart[k] = v
  }
  const { overflow, padId, ignoreIndex, labels, shuffle, seed } = o
  if (overflow !== undefined) {
    if (typeof overflow !== 'string') throw badOption('overflow', "'error', 'truncate', 'split' or 'drop'", overflow)
    rows.overflow = overflow
  }
  if (labels !== undefined) {
    if (typeof labels !== 'string') throw badOption('labels', "'unshifted' or 'shifted'", labels)
    rows.labels = labels
  }
  for (const [name, v] of [['padId', padId], ['ignoreIndex', ignoreIndex], ['seed', seed]] as const) {
    if (v !== undefined && typeof v !== 'number') throw badOption(name, 'a number', v)
  }
  if (shuffle !== undefined && typeof shuffle !== 'boolean') throw badOption('shuffle', 'a boolean', shuffle)
  if (padId !== undefined) rows.padId = padId as number
  if (ignoreIndex !== undefined) rows.ignoreIndex = ignoreIndex as number
  if (shuffle !== undefined) rows.shuffle = shuffle as boolean
  if (seed !== undefined) {
    rows.seed = seed as number
    // `seed` is also the packing seed of the strategies that take one (`ffs`).
    const s = typeof o.strategy === 'string' ? o.strategy : undefined
    if (s !== undefined && native.strategies().find((x) => x.name === s)?.options.includes('seed')) packPart.seed = seed
  }
  // `signal` reaches here only for the synchronous calls (the async ones take it as an extra key).
  const [args] = prepareOptions(packPart, false)
  return [args, rows, extra]
}

function flattenDocs(docs: readonly unknown[]): [Int32Array, Uint32Array] {
  const n = docs.length
  const offsets = new Uint32Array(n + 1)
  for (let d = 0; d < n; d++) {
    const t = docs[d]
    if (!(t instanceof Int32Array || t instanceof Uint32Array || Array.isArray(t))) {
      throw new SeqpackError('ERR_SEQPACK_INVALID_INPUT', `document ${d} must be an Int32Array, Uint32Array or array of token ids, got ${typeName(t)}`, { index: d })
    }
    const total = offsets[d] + (t as ArrayLike<number>).length
    if (total > 0xffffffff) throw new SeqpackError('ERR_SEQPACK_TOO_MANY_ITEMS', `the documents hold more than ${0xffffffff} tokens`)
    offsets[d + 1] = total
  }
  const tokens = new Int32Array(offsets[n])
  for (let d = 0; d < n; d++) {
    const t = docs[d] as ArrayLike<number>
    if (t instanceof Int32Array) {
      tokens.set(t, offsets[d])
      continue
    }
    for (let j = 0, at = offsets[d]; j < t.length; j++, at++) {
      const v = t[j]
      if (typeof v !== 'number' || !Number.isInteger(v) || v < -0x80000000 || v > 0x7fffffff) {
        throw new SeqpackError('ERR_SEQPACK_INVALID_INPUT', `token ${j} of document ${d} is ${typeof v === 'number' ? v : typeName(v)}: token ids must be integers in the int32 range`, {
          index: d,
          value: String(v),
        })
      }
      tokens[at] = v
    }
  }
  return [tokens, offsets]
}

/** Docs as the addon takes them: tokens (`Int32Array`/`Uint32Array` in place, numbers as `Float64Array`) and `Uint32Array` offsets. */
function prepareDocs(docs: unknown): [Int32Array | Uint32Array | Float64Array, Uint32Array] {
  if (Array.isArray(docs)) return flattenDocs(docs)
  if (docs === null || typeof docs !== 'object') {
    throw new SeqpackError('ERR_SEQPACK_INVALID_INPUT', `docs must be { tokens, offsets } or an array of token arrays, got ${typeName(docs)}`)
  }
  const { tokens, offsets } = docs as { tokens?: unknown; offsets?: unknown }
  let t: Int32Array | Uint32Array | Float64Array
  if (tokens instanceof Int32Array || tokens instanceof Uint32Array) t = tokens
  else if (Array.isArray(tokens)) t = Float64Array.from(tokens, (v, i) => {
    if (typeof v !== 'number') throw new SeqpackError('ERR_SEQPACK_INVALID_INPUT', `token at index ${i} is a ${typeName(v)}, not a number`, { index: i, value: String(v) })
    return v
  })
  else throw new SeqpackError('ERR_SEQPACK_INVALID_INPUT', `docs.tokens must be an Int32Array, Uint32Array or array of numbers, got ${typeName(tokens)}`)
  let o: Uint32Array
  if (offsets instanceof Uint32Array) o = offsets
  else if (Array.isArray(offsets)) {
    o = new Uint32Array(offsets.length)
    offsets.forEach((v, i) => {
      if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > 0xffffffff) {
        throw new SeqpackError('ERR_SEQPACK_INVALID_INPUT', `offsets[${i}] is ${typeof v === 'number' ? v : typeName(v)}: offsets must be integers in 0..4294967295`, { index: i, value: String(v) })
      }
      o[i] = v
    })
  } else throw new SeqpackError('ERR_SEQPACK_INVALID_INPUT', `docs.offsets must be a Uint32Array or array of numbers, got ${typeName(offsets)}`)
  return [t, o]
}

/**
 * Packs tokenised documents into training rows, natively end to end: cuts or
 * drops over-long documents (`overflow`), packs the segment lengths with any
 * strategy, and writes `inputIds`, `labels`, `positionIds`, `attentionMask`
 * and the segment metadata (see {@link PackedRows} for the conventions).
 *
 * @throws {SeqpackError} bad offsets (`ERR_SEQPACK_INVALID_INPUT`, naming the
 * offset index), token ids outside int32 (same code, naming the token's index),
 * a zero-length document (`ERR_SEQPACK_INVALID_LENGTH`, naming it), a document
 * over capacity under `overflow: 'error'` (`ERR_SEQPACK_LENGTH_EXCEEDS_CAPACITY`,
 * naming it and its length), and every error of `pack()`.
 */
export function packRows(docs: Docs, options: RowsOptions): PackedRows {
  const [args, rows] = prepareRowsOptions(options, [])
  const [tokens, offsets] = prepareDocs(docs)
  try {
    return new PackedRows(native.packRows(tokens, offsets, ...args, rows))
  } catch (err) {
    throw fromNative(err)
  }
}

/** {@link packRows} on the libuv thread pool (input copied once); `signal` cancels it. */
export async function packRowsAsync(docs: Docs, options: AsyncRowsOptions): Promise<PackedRows> {
  const [args, rows, { signal }] = prepareRowsOptions(options, ['signal'])
  if (signal !== undefined && !(signal instanceof AbortSignal)) throw badOption('signal', 'an AbortSignal', signal)
  const [tokens, offsets] = prepareDocs(docs)
  return new PackedRows(await cancellable(signal, (token) => native.packRowsAsync(tokens, offsets, ...args, rows, token)))
}

/**
 * Bins closed by a {@link StreamPacker} fed lengths: bin `i` has number
 * `binIds[i]` (bins are numbered in opening order, as `pack()` numbers them)
 * and holds the push indices `items[offsets[i] .. offsets[i + 1]]` in
 * placement order.
 *
 * It keeps the addon's flat layout `[numBins, numItems, binIds..., offsets...,
 * items...]` in a plain array, copied once per batch, and makes each typed
 * array on its first read: a per-document stream closes a bin every few
 * pushes, and a typed array with its own backing store costs about as much
 * as several pushes, so a caller that only counts bins, or reads one of the
 * arrays, should not pay for three of them per closed bin.
 */
export class StreamBins {
  readonly #raw: ArrayLike<number>
  #binIds?: Float64Array
  #offsets?: Uint32Array
  #items?: Float64Array
  /** @internal */
  constructor(raw: ArrayLike<number>) {
    this.#raw = raw
  }
  get numBins(): number {
    return this.#raw[0]
  }
  get binIds(): Float64Array {
    return (this.#binIds ??= this.#slice(Float64Array, 2, this.#raw[0]))
  }
  get offsets(): Uint32Array {
    return (this.#offsets ??= this.#slice(Uint32Array, 2 + this.#raw[0], this.#raw[0] + 1))
  }
  get items(): Float64Array {
    return (this.#items ??= this.#slice(Float64Array, 3 + 2 * this.#raw[0], this.#raw[1]))
  }
  #slice<T extends Float64Array | Uint32Array>(kind: { new (n: number): T }, at: number, n: number): T {
    const out = new kind(n)
    for (let i = 0; i < n; i++) out[i] = this.#raw[at + i]
    return out
  }
  bin(i: number): Float64Array {
    const offsets = this.offsets
    return this.items.subarray(offsets[i], offsets[i + 1])
  }
  /** `[binId, items]` pairs as plain arrays. */
  toArray(): [number, number[]][] {
    return Array.from({ length: this.numBins }, (_, i) => [this.binIds[i], Array.from(this.bin(i))])
  }
}

const NO_BINS = new StreamBins([0, 0, 0])
/** Slots up to which `StreamPacker` copies closed bins into a plain array rather than a typed one (a per-document push closes one or two bins: tens of slots). */
const SMALL_TAKE = 256

export interface StreamOptions extends RowsOptions {
  /**
   * Collect `window` documents and pack each window with `strategy` (any
   * strategy). Without it the strategy must be online (`nf`, `ff`, `bf`,
   * `wf`, `hk`) and only its open bins are kept.
   */
  window?: number
  /** Online `ff`/`bf`/`wf` only: close the fullest open bin when this many are open (bounded memory; different bins than unbounded). */
  maxOpen?: number
}

const STREAM_KEYS = ['window', 'maxOpen']

/**
 * Packs an unbounded stream incrementally. Feed it either lengths or token
 * arrays (the first push decides; mixing is an `ERR_SEQPACK_INVALID_INPUT`):
 *
 * - lengths: `push(length)` / `pushMany(lengths)` return the {@link StreamBins}
 *   that closed (often none: then an empty, shared `StreamBins`);
 * - tokens: `push(tokens)` / `pushMany(docs)` return the {@link PackedRows} of
 *   the bins that closed (`numRows` may be 0); `segmentDoc` is the document's
 *   push index. Under `overflow: 'split'` each piece is its own item.
 *
 * `flush()` closes the rest. Memory is bounded by the open bins (online) or one
 * window: in tokens mode only the tokens of documents in open bins are kept.
 * For the same input, an online stream gives exactly the bins of
 * `pack(lengths, { strategy })` (`maxOpen` unset). With `shuffle`, each
 * returned batch of rows is permuted on its own.
 */
export class StreamPacker {
  readonly #n: NativeStreamPacker
  /** The per-length path: plain native functions over the same state (one cheap napi call per push). */
  readonly #pushLength: (length: number) => number
  readonly #takeInto: (scratch: Float64Array) => number
  /** Where `#takeInto` writes closed bins; grown when a batch of bins does not fit. */
  #scratch = new Float64Array(256)
  #mode: 'lengths' | 'tokens' | undefined

  constructor(options: StreamOptions) {
    const [args, rows, { window, maxOpen }] = prepareRowsOptions(options, STREAM_KEYS)
    if (window !== undefined && typeof window !== 'number') throw badOption('window', 'a number', window)
    if (maxOpen !== undefined && typeof maxOpen !== 'number') throw badOption('maxOpen', 'a number', maxOpen)
    try {
      this.#n = new native.NativeStreamPacker(...args, rows, window as number | undefined, maxOpen as number | undefined)
      ;[this.#pushLength, this.#takeInto] = this.#n.fastLengths()
    } catch (err) {
      throw fromNative(err)
    }
  }

  /** Items pushed so far (pieces of split documents count one each). */
  get pushed(): number {
    return this.#n.pushed
  }

  /** Items waiting in open bins (or the current window). */
  get pending(): number {
    return this.#n.pending
  }

  /** The closed bins waiting in the addon, as a fresh `StreamBins` (one copy out of the scratch buffer, grown to fit when a batch does not). */
  #take(): StreamBins {
    let used = this.#takeInto(this.#scratch)
    if (used < 0) {
      this.#scratch = new Float64Array(Math.max(-used, 2 * this.#scratch.length))
      used = this.#takeInto(this.#scratch)
    }
    const s = this.#scratch
    // A few bins (a per-document push): a plain array, no backing store to
    // allocate. A big batch: one bulk copy, cheaper than an element loop.
    if (used > SMALL_TAKE) return new StreamBins(s.slice(0, used))
    const raw = new Array<number>(used)
    for (let i = 0; i < used; i++) raw[i] = s[i]
    return new StreamBins(raw)
  }

  push(length: number): StreamBins
  push(tokens: DocTokens): PackedRows
  push(doc: number | DocTokens): StreamBins | PackedRows {
    try {
      if (typeof doc === 'number') {
        this.#mode ??= 'lengths'
        return this.#pushLength(doc) === 0 ? NO_BINS : this.#take()
      }
      const [tokens, offsets] = prepareDocs([doc])
      this.#mode ??= 'tokens'
      return new PackedRows(this.#n.pushTokens(tokens, offsets))
    } catch (err) {
      throw fromNative(err)
    }
  }

  /** Pushes many lengths (lengths before a bad one stay pushed), or many documents (a bad batch pushes nothing). */
  pushMany(lengths: Lengths): StreamBins
  pushMany(docs: Docs): PackedRows
  pushMany(input: Lengths | Docs): StreamBins | PackedRows {
    try {
      const isLengths = input instanceof Uint32Array || input instanceof Float64Array || input instanceof Int32Array || input instanceof Uint16Array || input instanceof Uint8Array || (Array.isArray(input) && input.every((x) => typeof x === 'number'))
      if (isLengths && !(Array.isArray(input) && input.length === 0 && this.#mode === 'tokens')) {
        this.#mode ??= 'lengths'
        const [kind, arr] = prepareLengths(input)
        const n = this.#n.pushLengths(kind === 'u32' ? (arr as Uint32Array) : kind === 'f64' ? (arr as Float64Array) : Float64Array.from(arr))
        return n === 0 ? NO_BINS : this.#take()
      }
      const [tokens, offsets] = prepareDocs(input)
      this.#mode ??= 'tokens'
      return new PackedRows(this.#n.pushTokens(tokens, offsets))
    } catch (err) {
      throw fromNative(err)
    }
  }

  /** Closes every open bin (packs the partial window): bins for a lengths stream, rows for a tokens stream (empty bins if nothing was pushed). The packer stays usable. */
  flush(): StreamBins | PackedRows {
    try {
      if (this.#mode === 'tokens') return new PackedRows(this.#n.flushTokens())
      if (this.#mode === undefined) return NO_BINS // nothing pushed: the kind stays open
      return this.#n.flushLengths() === 0 ? NO_BINS : this.#take()
    } catch (err) {
      throw fromNative(err)
    }
  }
}

/**
 * Packs an (async) iterable of documents (token arrays) or lengths into
 * batches as bins close: an async generator of {@link PackedRows} (or
 * {@link StreamBins} for lengths), ending with the flushed rest. It pulls the
 * next document only when the consumer asks for the next batch, so a slow
 * consumer slows the source (back-pressure) and memory stays bounded.
 */
export async function* packStream(source: Iterable<number | DocTokens> | AsyncIterable<number | DocTokens>, options: StreamOptions): AsyncGenerator<PackedRows | StreamBins, void, undefined> {
  const packer = new StreamPacker(options)
  for await (const doc of source) {
    const out = packer.push(doc as never) as PackedRows | StreamBins
    if ((out instanceof PackedRows ? out.numRows : out.numBins) > 0) yield out
  }
  const rest = packer.flush()
  if ((rest instanceof PackedRows ? rest.numRows : rest.numBins) > 0) yield rest
}

/**
 * Documents that share a token prefix, merged into trie-flattened sequences
 * (the shared prefix stored once). Sequence `s` is `tokens[seqOffsets[s] ..
 * seqOffsets[s + 1]]`; per token, `parent` (index inside the sequence of the
 * previous token on its path, -1 at a root) and `position` (depth - 1) give
 * the tree attention mask (a token attends to itself and its ancestors) and
 * the position ids. Its member documents are `memberDoc[memberOffsets[s] ..
 * memberOffsets[s + 1]]`; member `m`'s spans `spanStart/spanLen[spanOffsets[m]
 * .. spanOffsets[m + 1]]` (relative to the sequence start) concatenate to
 * exactly that document, to rebuild its loss.
 *
 * Attention cost: a token costs its depth, so a sequence costs
 * `attentionPairs[s]` = sum of depths (shared tokens counted once). The
 * grouped strategies weigh a plain document of `L` tokens as `L^2`; to
 * balance merged sequences on that scale, pack the sequence lengths with
 * `weights[s] = 2 * attentionPairs[s]` (and `L^2` for plain documents).
 */
export interface PrefixMerge extends NativePrefixMerge {
  numSequences: number
}

/**
 * Merges documents sharing at least `minPrefix` leading tokens into sequences
 * of at most `maxLength` tokens. Every document is a member of exactly one
 * sequence.
 */
export function mergePrefixes(docs: Docs, options: { minPrefix: number; maxLength: number }): PrefixMerge {
  const { minPrefix, maxLength } = ownOptions(options, () => badOption('minPrefix', 'a number (options { minPrefix, maxLength })', options))
  if (typeof minPrefix !== 'number') throw badOption('minPrefix', 'a number', minPrefix)
  if (typeof maxLength !== 'number') throw badOption('maxLength', 'a number', maxLength)
  const [tokens, offsets] = prepareDocs(docs)
  try {
    const m = native.mergePrefixes(tokens, offsets, minPrefix, maxLength)
    return { numSequences: m.seqOffsets.length - 1, ...m }
  } catch (err) {
    throw fromNative(err)
  }
}

// ---------------------------------------------------------------------------
// Dataset files (native readers and writers, seqpack-io)

/** File formats the readers and writers know; by default taken from the extension. */
export type FileFormat = 'jsonl' | 'parquet' | 'arrow' | 'arrow-stream'

/** How to read token lists from a file. */
export interface ReadOptions {
  /** The column (Parquet/Arrow) or key (JSONL) holding each document's token ids. Default `input_ids`. */
  field?: string
  /** Default: from the extension (`.jsonl`, `.parquet`, `.arrow`). `-` as a path reads JSONL from stdin. */
  format?: FileFormat
  /** Documents per chunk of a {@link TokenReader} (default 8192). */
  chunkDocs?: number
}

/** Documents as flat token ids and `offsets` (document `d` is `tokens[offsets[d] .. offsets[d + 1]]`). */
export interface TokenData {
  tokens: Int32Array
  offsets: Uint32Array
}

/** A chunk of a {@link TokenReader}: documents `firstDoc ..` of the file. */
export interface TokenChunk extends TokenData {
  firstDoc: number
}

function call<T>(f: () => T): T {
  try {
    return f()
  } catch (err) {
    throw fromNative(err)
  }
}

/**
 * Reads every document's token ids from a JSONL, Parquet (as `datasets`
 * writes it) or Arrow IPC file, natively. Memory: 4 bytes per token and per
 * document; use {@link TokenReader} to stream.
 *
 * @throws {SeqpackError} `ERR_SEQPACK_FILE_NOT_FOUND`, `ERR_SEQPACK_MISSING_FIELD`,
 * `ERR_SEQPACK_WRONG_FIELD_TYPE`, `ERR_SEQPACK_INVALID_TOKEN` (index = document),
 * `ERR_SEQPACK_CORRUPT_FILE`, `ERR_SEQPACK_EMPTY_DATASET`, `ERR_SEQPACK_UNKNOWN_FORMAT`.
 */
export function readTokens(path: string, options: ReadOptions = {}): TokenData {
  return call(() => {
    const { tokens, offsets } = native.readTokens(path, options)
    return { tokens, offsets }
  })
}

/** The length of every document: of the token lists (`fromTokens`, default) or of an integer lengths column (`field`, default `length`). */
export function readLengths(path: string, options: ReadOptions & { fromTokens?: boolean } = {}): Uint32Array {
  const { fromTokens = true, ...read } = options
  return call(() => native.readLengths(path, read, fromTokens))
}

/** Streams a dataset file chunk by chunk (memory: one chunk). Iterable. */
export class TokenReader implements Iterable<TokenChunk> {
  #n: InstanceType<Native['NativeTokenReader']>
  constructor(path: string, options: ReadOptions = {}) {
    this.#n = call(() => new native.NativeTokenReader(path, options))
  }
  /** The next chunk, or `null` at the end of the file. */
  next(): TokenChunk | null {
    return call(() => this.#n.next()) ?? null
  }
  *[Symbol.iterator](): Iterator<TokenChunk> {
    for (let c = this.next(); c !== null; c = this.next()) yield c
  }
}

/** How packed rows are written. */
export interface WriteOptions {
  /** Default: from the extension. */
  format?: FileFormat
  /** Parquet codec: `zstd` (default, level 1), `snappy` or `none`. */
  compression?: 'zstd' | 'snappy' | 'none'
  compressionLevel?: number
  /** Rows per Parquet row group / Arrow batch (default 1024). */
  rowGroupRows?: number
  /** `fixed` (default): `fixed_size_list<int32>[capacity]` token columns; `variable`: `list<int32>`. */
  layout?: 'fixed' | 'variable'
  /** Dictionary-encode the Parquet `input_ids`/`labels` columns (default false: on real token ids plain int32 + zstd is smaller and faster). */
  dictionary?: boolean
}

/** What a write produced. */
export interface WriteSummary {
  path: string
  format: FileFormat
  rows: number
  bytes: number
}

type RowsLike = Pick<PackedRows, 'capacity' | 'numRows' | 'inputIds' | 'labels' | 'positionIds' | 'attentionMask' | 'rowSegments' | 'segmentDoc' | 'segmentStart' | 'segmentLength'>

/**
 * Writes packed rows (a {@link packRows} result) to Parquet, Arrow IPC or
 * JSONL: columns `input_ids`, `labels`, `position_ids` (int32),
 * `attention_mask` (int8), and per row `seq_lens`, `doc_ids`, `doc_starts`.
 * Atomic: written under a temporary name and renamed at the end, so a
 * failed write leaves no file.
 */
export function writeRows(path: string, rows: RowsLike, options: WriteOptions = {}): WriteSummary {
  return call(() => native.writeRows(path, rows, options) as WriteSummary)
}

/** Progress of {@link packFile}: `phase` then counters so far. */
export interface PackFileProgress {
  phase: 'reading' | 'packing' | 'writing' | 'finishing' | 'done'
  docsRead: number
  /** Bytes of a JSONL input read so far (0 for Parquet/Arrow). */
  bytesRead: number
  rowsWritten: number
}

export interface PackFileOptions extends RowsOptions {
  /** Input reading: token column/key and input format. */
  field?: string
  inputFormat?: FileFormat
  /** Output writing. */
  format?: FileFormat
  compression?: WriteOptions['compression']
  compressionLevel?: number
  rowGroupRows?: number
  layout?: WriteOptions['layout']
  dictionary?: boolean
  /** Pack each window of this many documents on its own: memory bounded by one window. */
  window?: number
  signal?: AbortSignal
  /** Called every `progressInterval` ms (default 100) while the job runs. */
  onProgress?: (p: PackFileProgress) => void
  progressInterval?: number
}

export interface PackFileSummary {
  path: string
  format: FileFormat
  docs: number
  tokens: number
  rows: number
  capacity: number
  paddingTokens: number
  efficiency: number
  bytes: number
  windows: number
  overflow: OverflowCounts
  timings: { readMs: number; packMs: number; writeMs: number }
  /** The packing's metrics (absent with `window`, where each window is packed apart). */
  metrics?: PackMetrics
}

const PHASES = ['reading', 'packing', 'writing', 'finishing', 'done'] as const

/**
 * Reads a dataset file, packs it into training rows and writes them, all
 * natively on the libuv pool (one call, no token crosses into JS). Without
 * `window` the whole dataset is packed at once (offline strategies see every
 * document); with `window: N` each N documents are packed and written before
 * the next are read.
 */
export async function packFile(input: string, output: string, options: PackFileOptions): Promise<PackFileSummary> {
  const keys = ['field', 'inputFormat', 'format', 'compression', 'compressionLevel', 'rowGroupRows', 'layout', 'dictionary', 'window', 'signal', 'onProgress', 'progressInterval']
  const [args, rows, x] = prepareRowsOptions(options, keys)
  const { signal, onProgress, progressInterval = 100 } = x as Pick<PackFileOptions, 'signal' | 'onProgress' | 'progressInterval'>
  if (signal !== undefined && !(signal instanceof AbortSignal)) throw badOption('signal', 'an AbortSignal', signal)
  if (onProgress !== undefined && typeof onProgress !== 'function') throw badOption('onProgress', 'a function', onProgress)
  const read = { field: x.field as string | undefined, format: x.inputFormat as string | undefined }
  const write = { format: x.format as string | undefined, compression: x.compression as string | undefined, compressionLevel: x.compressionLevel as number | undefined, rowGroupRows: x.rowGroupRows as number | undefined, layout: x.layout as string | undefined, dictionary: x.dictionary as boolean | undefined }
  const job = call(() => new native.NativePackJob(input, output, ...args, rows, read, write, x.window as number | undefined))
  if (signal?.aborted) throw abortError(signal)
  const token = new native.CancelToken()
  const onAbort = () => token.cancel()
  signal?.addEventListener('abort', onAbort, { once: true })
  const report = () => {
    const p = job.progress()
    onProgress?.({ phase: PHASES[p[0]] ?? 'done', docsRead: p[1], bytesRead: p[2], rowsWritten: p[3] })
  }
  const timer = onProgress ? setInterval(report, progressInterval) : undefined
  try {
    const s = await job.run(token)
    if (onProgress) report()
    const o = s.overflow
    const summary: PackFileSummary = {
      path: s.path,
      format: s.format as FileFormat,
      docs: s.docs,
      tokens: s.tokens,
      rows: s.rows,
      capacity: s.capacity,
      paddingTokens: s.paddingTokens,
      efficiency: s.rows === 0 ? 0 : (s.rows * s.capacity - s.paddingTokens) / (s.rows * s.capacity),
      bytes: s.bytes,
      windows: s.windows,
      overflow: { split: o[0], truncated: o[1], dropped: o[2], tokensLost: o[3] },
      timings: { readMs: s.readMs, packMs: s.packMs, writeMs: s.writeMs },
    }
    if (s.metrics) summary.metrics = decodeMetrics(s.metrics)
    return summary
  } catch (err) {
    throw asyncFailure(err, signal)
  } finally {
    if (timer) clearInterval(timer)
    signal?.removeEventListener('abort', onAbort)
  }
}
