import { pack } from 'seqpack'
import { lengthsFor } from './datasets.mjs'
const n = 1_000_000
for (const dist of ['uniform', 'uniform-c']) for (const c of [4096, 2 ** 22]) {
  const l = lengthsFor(dist, n, c)
  pack(l, { strategy: 'obfd', capacity: c })
  const ts = []
  for (let r = 0; r < 5; r++) { const t = process.hrtime.bigint(); pack(l, { strategy: 'obfd', capacity: c }); ts.push(Number(process.hrtime.bigint() - t)) }
  ts.sort((a, b) => a - b)
  console.log(dist, c, (ts[2] / n).toFixed(1), 'ns/item')
}
