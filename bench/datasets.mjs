// Length distributions for the demo and the benchmarks.
//
// Real: the bundled token-length files under data/ (see data/datasets.json and
// scripts/make-datasets.mjs). Synthetic: the four distributions seqpacker and LightBinPack
// benchmark with, drawn from a seeded PRNG so every run and every contender
// sees exactly the same numbers.
import fs from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

export const DATA_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'data')

/** Metadata of the bundled real datasets (source, tokenizer, count, quantiles). */
export function datasetInfo() {
  return JSON.parse(fs.readFileSync(path.join(DATA_DIR, 'datasets.json'), 'utf8'))
}

/** Names of the bundled real datasets, e.g. ['chat', 'code', 'docs']. */
export function realNames() {
  return Object.keys(datasetInfo().datasets)
}

/** One bundled dataset as a Uint32Array of token lengths, in source order. */
export function loadDataset(name) {
  const meta = datasetInfo().datasets[name]
  if (!meta) throw new Error(`unknown dataset ${JSON.stringify(name)}; bundled: ${realNames().join(', ')}`)
  const buf = fs.readFileSync(path.join(DATA_DIR, meta.file))
  // Copy into a fresh (aligned, native-endian) array; the files are little-endian.
  const out = new Uint32Array(buf.length / 4)
  for (let i = 0; i < out.length; i++) out[i] = buf.readUInt32LE(i * 4)
  return out
}

/** mulberry32: a tiny 32-bit PRNG, good enough for test data; returns floats in [0, 1). */
export function rng(seed) {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

function normal(rand) {
  // Box-Muller; 1 - u keeps the log argument in (0, 1].
  return Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand())
}

const LOGNORMAL_SIGMA = Math.sqrt(Math.log(1 + (64 * 64) / (128 * 128)))
const LOGNORMAL_MU = Math.log(128) - (LOGNORMAL_SIGMA * LOGNORMAL_SIGMA) / 2

/**
 * The one table of synthetic length distributions: name -> draw(rand,
 * capacity), a real number that {@link synthetic} rounds and clamps to
 * [1, capacity]. The first four are those of seqpacker and LightBinPack, in
 * tokens whatever the capacity; the `-c` ones scale with the capacity (the
 * PGO/BOLT workloads use them to cover every capacity class).
 */
export const DISTRIBUTIONS = {
  uniform: (rand) => 16 + Math.floor(rand() * (512 - 16 + 1)), // Uniform[16, 512]
  lognormal: (rand) => Math.exp(LOGNORMAL_MU + LOGNORMAL_SIGMA * normal(rand)), // mean 128, sd 64
  exponential: (rand) => -128 * Math.log(1 - rand()), // mean 128
  bimodal: (rand) => (rand() < 0.7 ? 64 + 12.8 * normal(rand) : 512 + 102.4 * normal(rand)),
  'uniform-c': (rand, c) => 1 + Math.floor(rand() * c), // Uniform[1, C]
  'lognormal-c': (rand, c) => Math.exp(Math.log(c / 8) + normal(rand)), // median C/8, sigma 1
  'pareto-c': (rand, c) => Math.max(1, c / 64) / Math.pow(1 - rand(), 1 / 1.3), // alpha 1.3, from C/64
  'exponential-c': (rand, c) => (-Math.log(1 - rand()) * c) / 5, // mean C/5
  'bimodal-c': (rand, c) => (rand() < 0.7 ? c * (0.02 + 0.08 * rand()) : c * (0.4 + 0.6 * rand())), // chat turns + long documents
  'nearfull-c': (rand, c) => c * (0.5 + 0.5 * rand()), // Uniform[C/2, C]
}

/** The synthetic distributions the benchmarks compare on (those of seqpacker and LightBinPack). */
export const BENCH_SYNTHETIC = ['uniform', 'lognormal', 'exponential', 'bimodal']

/** `n` lengths of a synthetic distribution, rounded and clamped to [1, capacity]. */
export function synthetic(name, n, capacity, seed = 42) {
  const draw = DISTRIBUTIONS[name]
  if (!draw) throw new Error(`unknown synthetic distribution ${JSON.stringify(name)}; known: ${Object.keys(DISTRIBUTIONS).join(', ')}`)
  const rand = rng(seed)
  const out = new Uint32Array(n)
  for (let i = 0; i < n; i++) out[i] = Math.min(capacity, Math.max(1, Math.round(draw(rand, capacity))))
  return out
}

/** A real dataset's lengths that fit `capacity` (longer ones dropped, as seqpacker and LightBinPack do). */
export function fitting(name, capacity) {
  return loadDataset(name).filter((v) => v <= capacity)
}

/** `n` lengths drawn with replacement (seeded) from a real dataset's lengths that fit `capacity`. */
export function resample(name, n, capacity, seed = 42) {
  const src = fitting(name, capacity)
  const rand = rng(seed)
  const out = new Uint32Array(n)
  for (let i = 0; i < n; i++) out[i] = src[Math.floor(rand() * src.length)]
  return out
}

/** Every distribution the benchmarks run: the synthetic ones, then the real ones. */
export function allDistributions() {
  return [...BENCH_SYNTHETIC, ...realNames()]
}

/** `n` lengths of any distribution (synthetic or real), all in [1, capacity]. */
export function lengthsFor(dist, n, capacity, seed = 42) {
  return dist in DISTRIBUTIONS ? synthetic(dist, n, capacity, seed) : resample(dist, n, capacity, seed)
}
