#!/usr/bin/env node
// `npm run bench`: every strategy seqpack ships (read from strategies(), so new
// ones appear by themselves) on the synthetic distributions of seqpacker and LightBinPack and the
// bundled real datasets, timed with tinybench from JS (Uint32Array in, flat
// result out). Prints ns/item and efficiency; writes bench/.results/bench.json.
//
//   node bench/bench.mjs            N = 10k, 100k, 1M; C = 512 .. 8192
//   node bench/bench.mjs --quick    N = 10k, 100k; C = 2048; short time budget
//   node bench/bench.mjs --full     adds N = 10M
//   filters: --strategy obfd,obfdp  --dist uniform,code  --n 10000  --capacity 4096  --time <ms>
//   node bench/bench.mjs pipeline   seqpack CLI vs datasets+TRL end to end; Parquet write vs parquet-wasm (bench/pipeline/)
//   node bench/bench.mjs rows       packRows vs memcpy and vs a TS materialisation; StreamPacker (bench/rows.mjs)
import fs from 'node:fs'
import path from 'node:path'
import os from 'node:os'
import { fileURLToPath } from 'node:url'
import { Bench } from 'tinybench'
import { argv as args } from 'zx'
import { pack, strategies } from 'seqpack'
import { allDistributions, lengthsFor } from './datasets.mjs'

const here = path.dirname(fileURLToPath(import.meta.url))

/** A comma-separated flag value as a list (zx's argv gives a lone number as a number). */
const list = (v, f = String) => (v === undefined || typeof v === 'boolean' ? undefined : String(v).split(',').map((s) => f(s.trim())))

/**
 * Values for the options some strategies require (other options keep their
 * defaults), derived from the capacity: groups of 8 bins (8 data-parallel ranks), and a
 * heterogeneous group of two full-size and two half-size devices.
 */
export function optionsFor(info, capacity) {
  const o = { capacity, strategy: info.name }
  const half = Math.max(1, capacity >> 1)
  for (const opt of info.options) {
    if (opt === 'groupSize') o.groupSize = 8
    else if (opt === 'capacities') o.capacities = [capacity, capacity, half, half]
    else if (opt === 'layouts') o.layouts = [[capacity, capacity], [capacity, half, half]]
  }
  return o
}

async function main() {
  if (args._?.[0] === 'pipeline') {
    const { pipelineBench } = await import('./pipeline/pipeline.mjs')
    await pipelineBench()
    return
  }
  if (args._?.[0] === 'rows') {
    const { rowsBench } = await import('./rows.mjs')
    await rowsBench()
    return
  }
  const quick = Boolean(args.quick)
  const ns = list(args.n, Number) ?? (quick ? [10_000, 100_000] : [10_000, 100_000, 1_000_000, ...(args.full ? [10_000_000] : [])])
  const caps = list(args.capacity, Number) ?? (quick ? [2048] : [512, 1024, 2048, 4096, 8192])
  const dists = list(args.dist) ?? allDistributions()
  const wanted = list(args.strategy)
  const infos = strategies().filter((s) => !wanted || wanted.includes(s.name))
  const budget = Number(args.time ?? (quick ? 60 : 250))
  if (wanted) for (const w of wanted) if (!infos.some((s) => s.name === w)) throw new Error(`unknown strategy ${w}; have ${strategies().map((s) => s.name).join(', ')}`)

  console.log(`seqpack bench: ${infos.length} strategies x ${dists.length} distributions x N ${ns.join('/')} x C ${caps.join('/')}; ${os.cpus()[0]?.model ?? 'cpu'}, node ${process.version}`)
  const rows = []
  const header = ['strategy', 'dist', 'N', 'C', 'ns/item', 'ms (p50)', 'samples', 'bins', 'efficiency', 'gap']
  console.log(header.map((h, i) => (i < 2 ? h.padEnd(12) : h.padStart(10))).join(' '))
  for (const n of ns) {
    for (const capacity of caps) {
      for (const dist of dists) {
        const lengths = lengthsFor(dist, n, capacity)
        for (const info of infos) {
          const opts = optionsFor(info, capacity)
          let r
          try {
            r = pack(lengths, opts)
          } catch (err) {
            console.log(`${info.name.padEnd(12)} ${dist.padEnd(12)} ${String(n).padStart(10)} ${String(capacity).padStart(10)}  FAILED: ${err.code ?? ''} ${err.message}`)
            rows.push({ strategy: info.name, dist, n, capacity, error: String(err.message) })
            continue
          }
          const bench = new Bench({ time: n >= 1e7 ? budget * 4 : budget, warmupTime: Math.min(budget, 50), iterations: 3, warmupIterations: 1, throws: true })
          bench.add(info.name, () => {
            pack(lengths, opts)
          })
          await bench.run()
          const lat = bench.tasks[0].result.latency
          const row = { strategy: info.name, dist, n, capacity, msP50: lat.p50, nsPerItem: (lat.p50 * 1e6) / n, samples: lat.samples?.length ?? bench.tasks[0].runs, bins: r.numBins, efficiency: r.efficiency, gap: r.gap }
          rows.push(row)
          console.log(
            [info.name.padEnd(12), dist.padEnd(12), String(n).padStart(10), String(capacity).padStart(10), row.nsPerItem.toFixed(1).padStart(10), row.msP50.toFixed(3).padStart(10), String(row.samples).padStart(10), String(row.bins).padStart(10), (100 * row.efficiency).toFixed(2).padStart(9) + '%', row.gap.toFixed(4).padStart(10)].join(' '),
          )
        }
      }
    }
  }
  const out = path.join(here, '.results', 'bench.json')
  fs.mkdirSync(path.dirname(out), { recursive: true })
  fs.writeFileSync(out, JSON.stringify({ date: new Date().toISOString(), node: process.version, cpu: os.cpus()[0]?.model, args: process.argv.slice(2), rows }, null, 1))
  console.log(`\nwrote ${path.relative(process.cwd(), out)}`)
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) await main()
