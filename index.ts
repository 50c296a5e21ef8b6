/**
 * seqpack: sequence packing for LLM training, with a native Rust core.
 *
 * This layer only loads the addon, checks JavaScript *types* (everything about
 * values is validated by the core, so there is one source of truth for the
 * rules), and wraps results and errors in friendly objects.
 */
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { resolveNative, nodeHost, type Candidate } from './loader'
import type { NativePacking, NativeBalance, CancelToken as NativeCancelToken, NativeStrategyOptions } from './native'

export { NativeLoadError } from './loader'

interface Native {
  packU32(lengths: Uint32Array, ...options: NativeArgs): NativePacking
  packI32(lengths: Int32Array, ...options: NativeArgs): NativePacking
  packF64(lengths: Float64Array, ...options: NativeArgs): NativePacking
  packAsyncU32(lengths: Uint32Array, ...args: [...NativeArgs, NativeCancelToken]): Promise<NativePacking>
  packAsyncI32(lengths: Int32Array, ...args: [...NativeArgs, NativeCancelToken]): Promise<NativePacking>
  packAsyncF64(lengths: Float64Array, ...args: [...NativeArgs, NativeCancelToken]): Promise<NativePacking>
  strategies(): StrategyInfo[]
  balanceU32(lengths: Uint32Array, nodes: number): NativeBalance
  balanceF64(lengths: Float64Array, nodes: number): NativeBalance
  CancelToken: new () => NativeCancelToken
  panicForTesting(mode: 'sync' | 'async'): Promise<NativePacking> | void
}

/** `capacity`, `strategy` and the strategy options (only when some were given). */
type NativeArgs = [capacity: number | undefined, strategy: string | undefined, extra: NativeStrategyOptions | undefined]

const here = dirname(fileURLToPath(import.meta.url))
const loaded = resolveNative<Native>(nodeHost(createRequire(import.meta.url), join(here, '..')))
const native: Native = loaded.binding
/** Where the native addon was loaded from: `SEQPACK_NATIVE_PATH`, a local build, or the platform package (diagnostics). */
export const nativeBinding: Readonly<Candidate> = Object.freeze({ ...loaded.from })

/** Short names of every strategy (the `strategy` option). */
export type Strategy =
  | 'nf'
  | 'ff'
  | 'bf'
  | 'wf'
  | 'hk'
  | 'ffd'
  | 'bfd'
  | 'ffs'
  | 'mffd'
  | 'obfd'
  | 'obfdp'
  | 'ogbfd'
  | 'ogbfdp'
  | 'ohgbfd'
  | 'oshgbfd'

/** Lengths: plain numbers, or a typed array (`Uint32Array` is read without copying). */
export type Lengths = readonly number[] | Uint32Array | Int32Array | Float64Array | Uint16Array | Uint8Array

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

/** Stable error codes (`error.code`). */
export type ErrorCode =
  | 'ERR_SEQPACK_INVALID_INPUT'
  | 'ERR_SEQPACK_INVALID_LENGTH'
  | 'ERR_SEQPACK_LENGTH_EXCEEDS_CAPACITY'
  | 'ERR_SEQPACK_INVALID_CAPACITY'
  | 'ERR_SEQPACK_UNKNOWN_STRATEGY'
  | 'ERR_SEQPACK_INVALID_OPTION'
  | 'ERR_SEQPACK_TOO_MANY_ITEMS'
  | 'ERR_SEQPACK_ABORTED'
  | 'ERR_SEQPACK_INTERNAL'

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

const SEP = '\u001f'

/** Decodes the native error protocol (`CODE SEP index SEP value SEP message`). */
function fromNative(err: unknown): unknown {
  const msg = (err as Error)?.message
  if (typeof msg !== 'string' || !msg.startsWith('ERR_SEQPACK_')) return err
  const [code, index, value, ...rest] = msg.split(SEP)
  return new SeqpackError(code as ErrorCode, rest.join(SEP), {
    index: index === '' ? undefined : Number(index),
    value: value === '' ? undefined : value,
  })
}

/** The result of a packing. Arrays are views of memory owned by the native side, not copies. */
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
  /** `1 - efficiency` (0 for an empty input). */
  readonly paddingRatio: number
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
  /** Number of groups (grouped strategies only). */
  readonly numGroups?: number
  /** Per-group balance of tokens and attention cost (grouped strategies only). */
  readonly groupBalance?: GroupBalance

  /** @internal */
  constructor(n: NativePacking) {
    // `n.metrics` layout: see METRICS_LAYOUT in src/convert.rs.
    const m = n.metrics
    this.items = n.items
    this.binOffsets = n.binOffsets
    this.binLoads = n.binLoads
    if (n.binCapacities) this.binCapacities = n.binCapacities
    if (n.groupOffsets) this.groupOffsets = n.groupOffsets
    this.numBins = m[0]
    this.numItems = m[1]
    this.totalTokens = m[2]
    this.totalCapacity = m[3]
    this.paddingTokens = m[4]
    this.efficiency = m[5]
    this.paddingRatio = m[0] === 0 ? 0 : 1 - m[5]
    this.utilisation = { mean: m[6], std: m[7], min: m[8], max: m[9] }
    this.itemsPerBin = { mean: m[10], std: m[11], min: m[12], max: m[13] }
    this.lowerBoundL1 = m[14]
    this.lowerBound = m[15]
    this.gap = m[16]
    if (n.groupBalance) {
      this.groupBalance = n.groupBalance
      this.numGroups = n.groupBalance.numGroups
    }
  }

  /** The input indices of bin `b` (a view, no copy). */
  bin(b: number): Uint32Array {
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
}

type Kind = 'u32' | 'i32' | 'f64'

function typeName(v: unknown): string {
  if (v === null) return 'null'
  if (Array.isArray(v)) return 'array'
  if (ArrayBuffer.isView(v)) return v.constructor.name
  if (typeof v === 'string') return `string ${JSON.stringify(v.length > 40 ? v.slice(0, 40) + '…' : v)}`
  return typeof v
}

/** Chooses the zero-copy entry point for typed arrays, converts plain arrays after a type check. */
function prepareLengths(lengths: unknown): [Kind, Uint32Array | Int32Array | Float64Array] {
  if (lengths instanceof Uint32Array) return ['u32', lengths]
  if (lengths instanceof Int32Array) return ['i32', lengths]
  if (lengths instanceof Float64Array) return ['f64', lengths]
  if (Array.isArray(lengths)) {
    const n = lengths.length
    const out = new Float64Array(n)
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
  if (lengths instanceof Uint8Array || lengths instanceof Uint16Array || lengths instanceof Int8Array || lengths instanceof Int16Array || lengths instanceof Float32Array) {
    return ['f64', Float64Array.from(lengths as ArrayLike<number>)]
  }
  throw new SeqpackError(
    'ERR_SEQPACK_INVALID_INPUT',
    `lengths must be an array of numbers or a Uint32Array/Int32Array/Float64Array, got ${typeName(lengths)}`,
  )
}

const OPTION_KEYS = ['capacity', 'strategy', 'k', 'seed', 'threads', 'groupSize', 'capacities', 'weights', 'layouts', 'signal']

function numberArray(name: string, v: unknown): number[] {
  if (!Array.isArray(v) && !(v instanceof Float64Array)) {
    throw new SeqpackError('ERR_SEQPACK_INVALID_OPTION', `option \`${name}\` must be an array of numbers, got ${typeName(v)}`)
  }
  const arr = Array.from(v as ArrayLike<unknown>)
  arr.forEach((x, i) => {
    if (typeof x !== 'number') {
      throw new SeqpackError('ERR_SEQPACK_INVALID_OPTION', `option \`${name}\`[${i}] is a ${typeName(x)}, not a number`, { index: i, value: String(x) })
    }
  })
  return arr as number[]
}

/** Type-checks the options object; value rules are the core's. */
function prepareOptions(options: unknown): NativeArgs {
  if (options === null || typeof options !== 'object' || Array.isArray(options)) {
    throw new SeqpackError('ERR_SEQPACK_INVALID_CAPACITY', `options must be an object with a capacity, e.g. { capacity: 4096 }; got ${typeName(options)}`)
  }
  const o = options as Record<string, unknown>
  for (const key of Object.keys(o)) {
    if (!OPTION_KEYS.includes(key) && o[key] !== undefined) {
      throw new SeqpackError('ERR_SEQPACK_INVALID_OPTION', `unknown option \`${key}\`; valid options are ${OPTION_KEYS.join(', ')}`, { value: key })
    }
  }
  const out: { capacity?: number; strategy?: string } & NativeStrategyOptions = {}
  if (o.capacity !== undefined) {
    if (typeof o.capacity !== 'number') {
      throw new SeqpackError('ERR_SEQPACK_INVALID_CAPACITY', `capacity must be a number, got ${typeName(o.capacity)}`, { value: String(o.capacity) })
    }
    out.capacity = o.capacity
  }
  if (o.strategy !== undefined) {
    if (typeof o.strategy !== 'string') {
      throw new SeqpackError('ERR_SEQPACK_UNKNOWN_STRATEGY', `strategy must be a string such as 'obfd', got ${typeName(o.strategy)}`, { value: String(o.strategy) })
    }
    out.strategy = o.strategy
  }
  for (const key of ['k', 'seed', 'threads', 'groupSize'] as const) {
    const v = o[key]
    if (v === undefined) continue
    if (typeof v !== 'number') {
      throw new SeqpackError('ERR_SEQPACK_INVALID_OPTION', `option \`${key}\` must be a number, got ${typeName(v)}`, { value: String(v) })
    }
    out[key] = v
  }
  if (o.capacities !== undefined) out.capacities = numberArray('capacities', o.capacities)
  if (o.weights !== undefined) out.weights = numberArray('weights', o.weights)
  if (o.layouts !== undefined) {
    if (!Array.isArray(o.layouts)) {
      throw new SeqpackError('ERR_SEQPACK_INVALID_OPTION', `option \`layouts\` must be an array of capacity arrays, got ${typeName(o.layouts)}`)
    }
    out.layouts = o.layouts.map((l, i) => numberArray(`layouts[${i}]`, l))
  }
  const { capacity, strategy, ...extra } = out
  return [capacity, strategy, Object.keys(extra).length > 0 ? extra : undefined]
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
  const opts = prepareOptions(options)
  const [kind, arr] = prepareLengths(lengths)
  let n: NativePacking
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
 * Like {@link pack}, but runs on the libuv thread pool and never blocks the
 * event loop. The input is copied once (so later mutation cannot race the
 * worker). `signal` cancels the work, also while it is running.
 */
export async function packAsync(lengths: Lengths, options: AsyncPackOptions): Promise<PackResult> {
  const signal = options?.signal
  if (signal !== undefined && !(signal instanceof AbortSignal)) {
    throw new SeqpackError('ERR_SEQPACK_INVALID_OPTION', `option \`signal\` must be an AbortSignal, got ${typeName(signal)}`)
  }
  const opts = prepareOptions(options)
  const [kind, arr] = prepareLengths(lengths)
  if (signal?.aborted) throw abortError(signal)
  const token = new native.CancelToken()
  const onAbort = () => token.cancel()
  signal?.addEventListener('abort', onAbort, { once: true })
  try {
    let n: NativePacking
    if (kind === 'u32') n = await native.packAsyncU32(arr as Uint32Array, ...opts, token)
    else if (kind === 'i32') n = await native.packAsyncI32(arr as Int32Array, ...opts, token)
    else n = await native.packAsyncF64(arr as Float64Array, ...opts, token)
    return new PackResult(n)
  } catch (err) {
    const e = fromNative(err)
    if (e instanceof SeqpackError && e.code === 'ERR_SEQPACK_ABORTED' && signal) throw abortError(signal)
    throw e
  } finally {
    signal?.removeEventListener('abort', onAbort)
  }
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
  if (options === null || typeof options !== 'object' || typeof options.nodes !== 'number') {
    throw new SeqpackError('ERR_SEQPACK_INVALID_OPTION', `options must be an object with a numeric \`nodes\`, e.g. { nodes: 4 }; got ${typeName(options === null || typeof options !== 'object' ? options : options.nodes)}`)
  }
  const [kind, arr] = prepareLengths(lengths)
  try {
    return kind === 'u32'
      ? native.balanceU32(arr as Uint32Array, options.nodes)
      : native.balanceF64(kind === 'f64' ? (arr as Float64Array) : Float64Array.from(arr), options.nodes)
  } catch (err) {
    throw fromNative(err)
  }
}

/** Every strategy with its full name, kind, complexity, guarantee and options. */
export function strategies(): StrategyInfo[] {
  return native.strategies()
}

/** @internal Test hook: makes the native side panic (sync or inside async work). */
export function __panicForTesting(mode: 'sync' | 'async'): unknown {
  try {
    const r = native.panicForTesting(mode)
    return r instanceof Promise ? r.catch((e: unknown) => Promise.reject(fromNative(e))) : r
  } catch (err) {
    throw fromNative(err)
  }
}
