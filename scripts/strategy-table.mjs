#!/usr/bin/env node
// The README's algorithm table: every strategy on the bundled real datasets,
// with measured efficiency (tokens / bin capacity), gap to the L2 lower bound
// and time. Lengths above the capacity are dropped first, as in the demo.
//
//   node scripts/strategy-table.mjs            # print the markdown table
//   node scripts/strategy-table.mjs --write    # also replace it in README.md
//   node scripts/strategy-table.mjs --capacity 4096
import { argv, fs, path } from 'zx'
import { pack, strategies } from 'seqpack'
import { fitting, realNames } from '../bench/datasets.mjs'
import { optionsFor, withWeights } from '../bench/workloads/lib.mjs'
import { median } from '../bench/format.mjs'

const root = path.resolve(import.meta.dirname, '..')
const capacity = Number(argv.capacity ?? 2048)
const rounds = Number(argv.rounds ?? 7)

/** When to reach for each strategy: the one line a user needs. */
const WHEN = {
  nf: 'streaming with O(1) memory; worst packing',
  ff: 'streaming, items must stay roughly in arrival order',
  bf: 'streaming, best online packing',
  wf: 'streaming, spreads load evenly across open rows',
  hk: 'streaming with bounded memory (at most k open rows)',
  ffd: 'offline baseline (textbook)',
  bfd: 'offline, same bins as OBFD via a comparison sort',
  ffs: 'a different, reproducible packing every epoch (`seed`)',
  mffd: 'offline with the best proven worst-case bound (71/60)',
  obfd: '**default**: best offline packing, fastest',
  obfdp: 'very large inputs on several cores (same bins as OBFD)',
  ogbfd: 'data-parallel training: one group = one step across ranks',
  ogbfdp: 'as ogbfd, parallel for very large inputs',
  ohgbfd: 'unequal GPUs: one capacity per device',
  oshgbfd: 'unequal GPUs with several allowed group layouts',
}

/** The workloads' options, with a genuinely heterogeneous device mix for ohgbfd. */
function tableOptions(info, lens) {
  const opts = withWeights({ ...optionsFor(info, capacity, 0, lens.length) }, lens)
  if (info.name === 'ohgbfd') opts.capacities = [capacity, capacity, capacity >> 1, capacity >> 1]
  return opts
}

const data = Object.fromEntries(realNames().map((d) => [d, fitting(d, capacity)]))
const header = `| strategy | | online | ${realNames().map((d) => `${d} eff. / gap`).join(' | ')} | time (${realNames().join(' + ')}) | use it for |`
const sep = `|${' --- |'.repeat(5 + realNames().length)}`
const rows = []
for (const info of strategies()) {
  const cells = []
  let total = 0
  for (const d of realNames()) {
    const lens = data[d]
    const opts = tableOptions(info, lens)
    if (!('capacities' in opts) && !('layouts' in opts)) opts.capacity = capacity
    const times = []
    let r
    for (let i = 0; i < rounds; i++) {
      const t0 = performance.now()
      r = pack(lens, opts)
      times.push(performance.now() - t0)
    }
    total += median(times)
    // Grouped strategies may leave empty bins in the last group; heterogeneous
    // bins have their own capacities: efficiency covers both.
    cells.push(`${(r.efficiency * 100).toFixed(2)}% / ${r.gap.toFixed(3)}`)
  }
  const extra = Object.entries(tableOptions(info, []))
    .filter(([k]) => k !== 'strategy' && k !== 'weights')
    .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
    .join(' ')
  rows.push(`| \`${info.name}\` | ${info.fullName}${extra ? ` (${extra})` : ''} | ${info.online ? 'yes' : 'no'} | ${cells.join(' | ')} | ${total.toFixed(2)} ms | ${WHEN[info.name] ?? ''} |`)
}
const counts = realNames().map((d) => `${d} ${data[d].length.toLocaleString('en-US')}`).join(', ')
const table = [
  `Capacity ${capacity}; sequences per dataset (lengths <= capacity): ${counts}. Efficiency = tokens / total bin capacity; gap = bins / Martello-Toth L2 lower bound (1.000 = provably optimal). Time = median of ${rounds} runs, summed over the datasets, on the machine that ran \`node scripts/strategy-table.mjs --write\`.`,
  '',
  header,
  sep,
  ...rows,
].join('\n')
console.log(table)

if (argv.write) {
  const readme = path.join(root, 'README.md')
  const text = fs.readFileSync(readme, 'utf8')
  const start = '<!-- strategy-table:start -->'
  const end = '<!-- strategy-table:end -->'
  const a = text.indexOf(start)
  const b = text.indexOf(end)
  if (a < 0 || b < a) throw new Error(`README.md lacks the ${start} ... ${end} markers`)
  fs.writeFileSync(readme, text.slice(0, a + start.length) + '\n' + table + '\n' + text.slice(b))
  console.log('\nREADME.md updated')
}
