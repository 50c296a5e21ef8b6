// `seqpack stats`: every strategy on one set of lengths, side by side, and
// three SVG charts. Pure presentation over the library's pack().
import fs from 'node:fs'
import path from 'node:path'
import { pack, strategies, SeqpackError } from 'seqpack'
// Bundled into dist/cli.mjs by tsup (the same chart writer the benchmarks use).
import { lineChart, scatterChart } from '../bench/svg.mjs'

export interface StrategyRow {
  strategy: string
  online: boolean
  rows: number
  efficiency: number
  lowerBound: number
  /** Rows above the lower bound. */
  gap: number
  ms: number
  fills: Float64Array
}

export interface StatsResult {
  docs: number
  pieces: number
  split: number
  tokens: number
  capacity: number
  results: StrategyRow[]
  skipped: { strategy: string; reason: string }[]
}

/**
 * Cuts lengths over the capacity into capacity-sized pieces (as
 * `--overflow split` does), so every strategy sees the items a pack job packs.
 */
export function splitLengths(lengths: Uint32Array, capacity: number): { items: Uint32Array; split: number } {
  let n = 0
  let split = 0
  for (const l of lengths) {
    n += Math.max(1, Math.ceil(l / capacity))
    if (l > capacity) split++
  }
  const items = new Uint32Array(n)
  let k = 0
  for (let l of lengths) {
    while (l > capacity) {
      items[k++] = capacity
      l -= capacity
    }
    items[k++] = l
  }
  return { items, split }
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b)
  return s[s.length >> 1]
}

/** Packs `lengths` with every strategy (median of `repeats` timed runs after a warm-up). */
export function compareStrategies(lengths: Uint32Array, capacity: number, repeats = 3): StatsResult {
  const { items, split } = splitLengths(lengths, capacity)
  const results: StrategyRow[] = []
  const skipped: StatsResult['skipped'] = []
  let tokens = 0
  for (const l of items) tokens += l
  for (const info of strategies()) {
    const options: Record<string, unknown> = { capacity, strategy: info.name }
    // Grouped strategies: groups of 8 rows (8 data-parallel ranks).
    if (info.options.includes('groupSize')) options.groupSize = 8
    if (info.options.includes('capacities') || info.options.includes('layouts')) {
      skipped.push({ strategy: info.name, reason: 'packs for devices of different capacities (needs capacities/layouts)' })
      continue
    }
    try {
      let r = pack(items, options as never)
      const times: number[] = []
      for (let i = 0; i < repeats; i++) {
        const t0 = performance.now()
        r = pack(items, options as never)
        times.push(performance.now() - t0)
      }
      const fills = new Float64Array(r.numBins)
      for (let b = 0; b < r.numBins; b++) fills[b] = r.binLoads[b] / capacity
      results.push({ strategy: info.name, online: info.online, rows: r.numBins, efficiency: r.efficiency, lowerBound: r.lowerBound, gap: r.numBins - r.lowerBound, ms: median(times), fills })
    } catch (e) {
      if (e instanceof SeqpackError && e.code === 'ERR_SEQPACK_INVALID_OPTION') skipped.push({ strategy: info.name, reason: e.message })
      else throw e
    }
  }
  return { docs: lengths.length, pieces: items.length, split, tokens, capacity, results, skipped }
}

const pct = (x: number) => (100 * x).toFixed(2) + '%'
const fmt = (n: number) => n.toLocaleString('en-US')

/** The side-by-side table as text. */
export function statsTable(s: StatsResult): string {
  const head = ['strategy', 'rows', 'efficiency', 'gap to lower bound', 'time']
  const body = [...s.results]
    .sort((a, b) => a.rows - b.rows || a.ms - b.ms)
    .map((r) => [r.strategy + (r.online ? ' (online)' : ''), fmt(r.rows), pct(r.efficiency), r.gap === 0 ? '0 (optimal)' : `+${fmt(r.gap)} rows`, r.ms < 1 ? `${(r.ms * 1000).toFixed(0)} µs` : `${r.ms.toFixed(1)} ms`])
  const w = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)))
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(w[i]) : c.padStart(w[i]))).join('  ')
  const lb = s.results[0]?.lowerBound ?? 0
  const out = [
    `${fmt(s.docs)} documents, ${fmt(s.tokens)} tokens, capacity ${fmt(s.capacity)}` + (s.split ? `; ${fmt(s.split)} documents over capacity split into ${fmt(s.pieces)} pieces` : ''),
    `lower bound: ${fmt(lb)} rows`,
    '',
    line(head),
    line(w.map((n) => '-'.repeat(n))),
    ...body.map(line),
  ]
  for (const k of s.skipped) out.push(`(${k.strategy} skipped: ${k.reason})`)
  return out.join('\n')
}

/** Writes histogram.svg, row-fill.svg and efficiency-vs-time.svg into `dir`; returns their paths. */
export function writeCharts(dir: string, lengths: Uint32Array, s: StatsResult, title: string): string[] {
  fs.mkdirSync(dir, { recursive: true })
  const cap = s.capacity
  let max = 0
  for (const l of lengths) if (l > max) max = l
  const top = Math.max(max, cap)
  const bins = 60
  const width = Math.max(1, Math.ceil(top / bins))
  const counts = new Array<number>(bins + 1).fill(0)
  for (const l of lengths) counts[Math.floor(l / width)]++
  const hist = counts.map((c, i) => [i * width + width / 2, c] as [number, number])
  const peak = Math.max(...counts)
  const files: [string, string][] = [
    [
      'histogram.svg',
      lineChart({
        title: `${title}: document lengths`,
        xLabel: `tokens per document (bins of ${width})`,
        yLabel: 'documents',
        series: [
          { name: 'documents', points: hist },
          { name: `capacity ${cap}`, points: [[cap, 0], [cap, peak]] },
        ],
      }),
    ],
    [
      'row-fill.svg',
      lineChart({
        title: `${title}: row fill per strategy (rows sorted by fill)`,
        xLabel: 'row rank (fraction of rows)',
        yLabel: 'fill (tokens / capacity)',
        series: [...s.results]
          .sort((a, b) => a.rows - b.rows)
          .slice(0, 10)
          .map((r) => {
            const f = Float64Array.from(r.fills).sort().reverse()
            const pts: [number, number][] = []
            const step = Math.max(1, Math.floor(f.length / 50))
            for (let i = 0; i < f.length; i += step) pts.push([i / f.length, f[i]])
            pts.push([1, f[f.length - 1]])
            return { name: `${r.strategy} (${r.rows})`, points: pts }
          }),
      }),
    ],
    [
      'efficiency-vs-time.svg',
      scatterChart({
        title: `${title}: efficiency vs packing time`,
        xLabel: 'time (ms, log)',
        yLabel: 'efficiency (%)',
        logX: true,
        yMax: 100,
        points: s.results.map((r) => ({ name: r.strategy, x: Math.max(r.ms, 1e-3), y: 100 * r.efficiency })),
      }),
    ],
  ]
  return files.map(([name, svg]) => {
    const p = path.join(dir, name)
    fs.writeFileSync(p, svg)
    return p
  })
}
