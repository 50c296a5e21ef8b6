// `seqpack demo`: `stats` and a `pack` on the datasets bundled with the
// package (real GPT-2 token lengths; see data/datasets.json), no arguments.
import fs from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { packFile } from 'seqpack'
import { compareStrategies, statsTable, writeCharts } from './stats'

const DATA = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'data')
const CAPACITY = 4096

interface Meta {
  file: string
  source: string
  count: number
  tokens: number
}

function load(meta: Meta): Uint32Array {
  const buf = fs.readFileSync(path.join(DATA, meta.file))
  const out = new Uint32Array(buf.length / 4)
  for (let i = 0; i < out.length; i++) out[i] = buf.readUInt32LE(i * 4)
  return out
}

/**
 * Token documents with the real lengths of `lengths`: ids drawn from a seeded
 * xorshift32 over the GPT-2 vocabulary (50257), so every run writes the same
 * file. The bundled data are lengths only; the ids stand in for real text.
 */
function writeDocsJsonl(file: string, lengths: Uint32Array) {
  let x = 0x9e3779b9
  const fd = fs.openSync(file, 'w')
  try {
    let buf: string[] = []
    for (const len of lengths) {
      const ids = new Array<number>(len)
      for (let i = 0; i < len; i++) {
        x ^= x << 13
        x ^= x >>> 17
        x ^= x << 5
        ids[i] = (x >>> 0) % 50257
      }
      buf.push(`{"input_ids":[${ids.join(',')}]}`)
      if (buf.length === 1024) {
        fs.writeSync(fd, buf.join('\n') + '\n')
        buf = []
      }
    }
    if (buf.length) fs.writeSync(fd, buf.join('\n') + '\n')
  } finally {
    fs.closeSync(fd)
  }
}

export async function demo(dirArg?: string) {
  const dir = path.resolve(dirArg ?? 'seqpack-demo')
  const info = JSON.parse(fs.readFileSync(path.join(DATA, 'datasets.json'), 'utf8')) as { tokenizer: string; datasets: Record<string, Meta> }
  const out = (s: string) => process.stdout.write(s + '\n')
  out(`seqpack demo: every strategy on the bundled real datasets (${info.tokenizer} token lengths), capacity ${CAPACITY}\n`)
  for (const [name, meta] of Object.entries(info.datasets)) {
    const lengths = load(meta)
    out(`== ${name}: ${meta.source}`)
    const s = compareStrategies(lengths, CAPACITY)
    out(statsTable(s))
    const charts = writeCharts(path.join(dir, name), lengths, s, name)
    out(`charts: ${charts.map((c) => path.relative(process.cwd(), c)).join(', ')}\n`)
  }
  const meta = info.datasets.code
  const lengths = load(meta)
  const jsonl = path.join(dir, 'code-docs.jsonl')
  const parquet = path.join(dir, 'code-packed.parquet')
  out(`== pack: ${lengths.length} documents with the real lengths of \`code\` (${meta.source}); token ids are`)
  out(`   seeded pseudo-random GPT-2 ids (the bundled data are lengths only), written to ${path.relative(process.cwd(), jsonl)}`)
  writeDocsJsonl(jsonl, lengths)
  out(`   seqpack pack ${path.relative(process.cwd(), jsonl)} -o ${path.relative(process.cwd(), parquet)} --capacity ${CAPACITY} --overflow split`)
  const t0 = performance.now()
  const s = await packFile(jsonl, parquet, { capacity: CAPACITY, strategy: 'obfd', overflow: 'split' })
  const ms = performance.now() - t0
  out(`   ${s.docs.toLocaleString('en-US')} documents, ${s.tokens.toLocaleString('en-US')} tokens -> ${s.rows.toLocaleString('en-US')} rows (${(100 * s.efficiency).toFixed(2)}% filled, ${s.overflow.split} split) in ${ms.toFixed(0)} ms; ${(s.bytes / 1e6).toFixed(1)} MB Parquet`)
  out(`   load it in Python: datasets.Dataset.from_parquet(${JSON.stringify(path.relative(process.cwd(), parquet))})`)
}
