#!/usr/bin/env node
// `npm run demo`: packs the bundled datasets of real token lengths (GPT-2
// tokenizer; see data/datasets.json) with OBFD and prints what packing buys.
// Sequences longer than the capacity are dropped first, as seqpacker and LightBinPack do
// (a trainer would truncate or split them).
import { pack } from 'seqpack'
import { datasetInfo, loadDataset } from '../bench/datasets.mjs'
import { textTable } from '../bench/format.mjs'

const CAPACITIES = [2048, 4096]
const info = datasetInfo()
const fmt = (n) => n.toLocaleString('en-US')
const pct = (x) => (100 * x).toFixed(2) + '%'


function timed(lengths, capacity) {
  pack(lengths, { capacity, strategy: 'obfd' }) // warm-up
  const times = []
  let result
  for (let i = 0; i < 7; i++) {
    const t0 = process.hrtime.bigint()
    result = pack(lengths, { capacity, strategy: 'obfd' })
    times.push(Number(process.hrtime.bigint() - t0) / 1e6)
  }
  times.sort((a, b) => a - b)
  return { result, ms: times[3] }
}

console.log(`seqpack demo: OBFD on real token lengths (${info.tokenizer})\n`)
for (const [name, meta] of Object.entries(info.datasets)) {
  console.log(`  ${name.padEnd(5)} ${fmt(meta.count).padStart(6)} sequences, median ${meta.median} tokens, max ${fmt(meta.max)}: ${meta.source}`)
}
console.log()

const rows = []
let example
for (const capacity of CAPACITIES) {
  for (const name of Object.keys(info.datasets)) {
    const all = loadDataset(name)
    const lengths = all.filter((v) => v <= capacity)
    const { result: r, ms } = timed(lengths, capacity)
    rows.push([
      name,
      fmt(capacity),
      fmt(lengths.length),
      fmt(all.length - lengths.length),
      fmt(r.totalTokens),
      fmt(r.numBins),
      pct(r.efficiency),
      pct(r.paddingRatio),
      fmt(r.lowerBound),
      r.gap.toFixed(4),
      ms.toFixed(3) + ' ms',
    ])
    if (name === 'code' && capacity === 2048) example = { lengths, r, capacity }
  }
}
console.log(textTable(['dataset', 'capacity', 'sequences', 'dropped >C', 'tokens', 'bins', 'efficiency', 'padding', 'lower bound', 'gap', 'time (median of 7)'], rows))
console.log('\n"lower bound" is the Martello-Toth L2 bound on the optimal bin count; gap = bins / lower bound (1 = provably optimal).')

const { lengths, r, capacity } = example
console.log(`\nA few bins of code @ ${capacity} (sequence index:length):`)
for (const b of [0, 1, Math.floor(r.numBins / 2), r.numBins - 1]) {
  const items = Array.from(r.bin(b))
  const shown = items.slice(0, 8).map((i) => `${i}:${lengths[i]}`).join(' ')
  console.log(`  bin ${String(b).padStart(5)}  load ${String(r.binLoads[b]).padStart(4)}/${capacity}  ${items.length} seqs  ${shown}${items.length > 8 ? ' …' : ''}`)
}
