// `npm run bench -- pipeline`: the whole dataset job, seqpack's CLI against
// Hugging Face datasets + TRL, on the same 100k-document JSONL (corpus.mjs),
// plus Parquet writing alone against parquet-wasm on the same packed rows.
//
//   node bench/bench.mjs pipeline [--rounds 3] [--n 100000] [--capacity 4096]
//
// End to end: wall time of each whole process (process start, imports,
// read, pack, write), rounds interleaved (ours, TRL, ours, TRL, ...), median
// reported; TRL's own timings printed too. Peak RSS of our job from
// /usr/bin/time -v. The TRL venv (bench/.data/trl-venv) is created on first
// use from the pinned bench/pipeline/trl-requirements.txt (no torch).
import fs from 'node:fs'
import path from 'node:path'
import { spawnSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { argv as args } from 'zx'
import { readTokens, packRows, writeRows } from 'seqpack'
import { tableFromArrays, tableToIPC, makeData, makeVector, Table, FixedSizeList, List, Field, Int32, Int8 } from 'apache-arrow'
import * as pw from 'parquet-wasm'
import { makeJsonl, CACHE_DIR } from './corpus.mjs'

const here = path.dirname(fileURLToPath(import.meta.url))
const root = path.resolve(here, '..', '..')
const cli = path.join(root, 'dist', 'cli.mjs')
const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1]
const s = (ms) => (ms / 1000).toFixed(2) + ' s'

function trlPython() {
  const venv = path.join(CACHE_DIR, 'trl-venv')
  const py = path.join(venv, 'bin', 'python')
  const ok = () => spawnSync(py, ['-c', 'import trl, datasets'], { stdio: 'ignore' }).status === 0
  if (fs.existsSync(py) && ok()) return py
  console.log(`creating ${venv} (pip install --no-deps -r bench/pipeline/trl-requirements.txt)`)
  let r = spawnSync('python3', ['-m', 'venv', venv], { stdio: 'inherit' })
  if (r.status !== 0) throw new Error('python3 -m venv failed')
  r = spawnSync(py, ['-m', 'pip', 'install', '--quiet', '--disable-pip-version-check', '--no-deps', '-r', path.join(here, 'trl-requirements.txt')], { stdio: 'inherit' })
  if (r.status !== 0 || !ok()) throw new Error('installing TRL into the venv failed')
  return py
}

function timed(cmd, argv, env = process.env) {
  const t0 = process.hrtime.bigint()
  const r = spawnSync(cmd, argv, { encoding: 'utf8', maxBuffer: 1 << 26, env })
  const ms = Number(process.hrtime.bigint() - t0) / 1e6
  if (r.status !== 0) throw new Error(`${cmd} ${argv.join(' ')} failed (${r.status}):\n${r.stderr}`)
  return { ms, stdout: r.stdout, stderr: r.stderr }
}

function lastJson(text) {
  return JSON.parse(text.trim().split('\n').filter((l) => l.startsWith('{')).pop())
}

/** The packed rows as an apache-arrow Table with the same schema seqpack writes. */
function arrowTable(rows) {
  const cap = rows.capacity
  const n = rows.numRows
  const fixed = (type, values) =>
    makeVector(makeData({ type: new FixedSizeList(cap, new Field('item', type, false)), length: n, nullCount: 0, child: makeData({ type, length: n * cap, data: values }) }))
  const a = rows.rowSegments[0]
  const offsets = Int32Array.from(rows.rowSegments, (o) => o - a)
  const list = (values) =>
    makeVector(makeData({ type: new List(new Field('item', new Int32(), false)), length: n, nullCount: 0, valueOffsets: offsets, child: makeData({ type: new Int32(), length: values.length, data: Int32Array.from(values) }) }))
  return new Table({
    input_ids: fixed(new Int32(), rows.inputIds),
    labels: fixed(new Int32(), rows.labels),
    position_ids: fixed(new Int32(), rows.positionIds),
    attention_mask: fixed(new Int8(), new Int8Array(rows.attentionMask.buffer, rows.attentionMask.byteOffset, rows.attentionMask.length)),
    seq_lens: list(rows.segmentLength),
    doc_ids: list(rows.segmentDoc),
    doc_starts: list(rows.segmentStart),
  })
}

export async function pipelineBench() {
  const n = Number(args.n ?? 100_000)
  const capacity = Number(args.capacity ?? 4096)
  const rounds = Number(args.rounds ?? 3)
  if (!fs.existsSync(cli)) throw new Error('dist/cli.mjs missing: run npm run build')
  fs.mkdirSync(CACHE_DIR, { recursive: true })
  const input = path.join(CACHE_DIR, n === 100_000 ? 'pipeline-100k.jsonl' : `pipeline-${n}.jsonl`)
  const corpus = await makeJsonl(input, { n })
  const py = trlPython()
  const outOurs = path.join(CACHE_DIR, 'pipeline-seqpack.parquet')
  const outTrl = path.join(CACHE_DIR, 'pipeline-trl.parquet')
  console.log(`pipeline: ${corpus.docs.toLocaleString('en-US')} documents, ${corpus.tokens.toLocaleString('en-US')} tokens (${(fs.statSync(input).size / 1e6).toFixed(0)} MB JSONL), capacity ${capacity}, ${rounds} interleaved rounds`)
  const oursCmd = ['-v', process.execPath, cli, 'pack', input, '-o', outOurs, '--capacity', String(capacity), '--overflow', 'split', '--json', '--quiet']
  console.log(`  ours: seqpack pack ${path.relative(root, input)} -o ${path.relative(root, outOurs)} --capacity ${capacity} --overflow split`)
  console.log(`  TRL:  ${path.relative(root, py)} bench/pipeline/trl_pipeline.py ${path.relative(root, input)} ${path.relative(root, outTrl)} ${capacity}`)
  const ours = []
  const trl = []
  let oursSummary
  let trlSummary
  let rss = 0
  for (let r = 0; r < rounds; r++) {
    const a = timed('/usr/bin/time', oursCmd)
    oursSummary = lastJson(a.stdout)
    rss = Math.max(rss, Number(/Maximum resident set size \(kbytes\): (\d+)/.exec(a.stderr)?.[1] ?? 0))
    ours.push(a.ms)
    // A fresh datasets cache per run: otherwise Dataset.from_json reuses the
    // Arrow conversion of the previous round (a first run's cost is the job's).
    const cache = fs.mkdtempSync(path.join(CACHE_DIR, 'hf-cache-'))
    const b = timed(py, [path.join(here, 'trl_pipeline.py'), input, outTrl, String(capacity)], { ...process.env, HF_DATASETS_CACHE: cache })
    fs.rmSync(cache, { recursive: true, force: true })
    trlSummary = lastJson(b.stdout)
    trl.push(b.ms)
    console.log(`  round ${r + 1}: seqpack ${s(a.ms)} (read ${s(oursSummary.timings.readMs)}, pack ${s(oursSummary.timings.packMs)}, write ${s(oursSummary.timings.writeMs)}), TRL ${s(b.ms)} (import ${trlSummary.import_s.toFixed(2)} s, read ${trlSummary.read_s.toFixed(2)} s, pack ${trlSummary.pack_s.toFixed(2)} s, write ${trlSummary.write_s.toFixed(2)} s)`)
  }
  const ratio = median(trl) / median(ours)
  console.log(`end to end (median): seqpack ${s(median(ours))}, TRL ${s(median(trl))}: ${ratio.toFixed(1)}x, target >= 3x ${ratio >= 3 ? 'MET' : 'MISSED'}`)
  console.log(`rows: seqpack ${oursSummary.rows.toLocaleString('en-US')}, TRL ${trlSummary.rows.toLocaleString('en-US')}: ${oursSummary.rows <= trlSummary.rows ? 'ours <= TRL (MET)' : 'ours > TRL (MISSED)'}`)
  console.log(`peak RSS of the seqpack job: ${(rss / 1024).toFixed(0)} MB (/usr/bin/time -v)`)

  // Parquet write alone, same rows, same codec (zstd level 1), same row groups.
  // Each side starts from its natural in-memory input and ends with the file
  // on disk: seqpack from the packRows result; parquet-wasm from a wasm Table
  // already built from Arrow IPC (the apache-arrow table, its IPC bytes and
  // Table.fromIPCStream are untimed: the most favourable start for it).
  // Results are dropped outside the timers.
  const docs = readTokens(input)
  const rows = packRows(docs, { capacity, strategy: 'obfd', overflow: 'split' })
  const a = path.join(CACHE_DIR, 'write-seqpack.parquet')
  const b = path.join(CACHE_DIR, 'write-wasm.parquet')
  const props = () => new pw.WriterPropertiesBuilder().setCompression(pw.Compression.ZSTD).setMaxRowGroupSize(1024).build()
  const ipc = tableToIPC(arrowTable(rows), 'stream')
  const wOurs = []
  const wWasm = []
  for (let r = 0; r < rounds; r++) {
    let t0 = performance.now()
    writeRows(a, rows, { compression: 'zstd', compressionLevel: 1, rowGroupRows: 1024 })
    wOurs.push(performance.now() - t0)
    const table = pw.Table.fromIPCStream(ipc)
    const p = props()
    t0 = performance.now()
    let bytes = pw.writeParquet(table, p) // consumes the wasm table
    fs.writeFileSync(b, bytes)
    wWasm.push(performance.now() - t0)
    bytes = null
    console.log(`  write round ${r + 1}: seqpack writeRows ${s(wOurs[r])}, parquet-wasm (writeParquet of a wasm Table + file) ${s(wWasm[r])}`)
  }
  const wr = median(wWasm) / median(wOurs)
  console.log(`Parquet write alone (median, ${rows.numRows} rows, ${(fs.statSync(a).size / 1e6).toFixed(1)} vs ${(fs.statSync(b).size / 1e6).toFixed(1)} MB): seqpack ${s(median(wOurs))}, parquet-wasm ${s(median(wWasm))}: ${wr.toFixed(1)}x, target >= 5x ${wr >= 5 ? 'MET' : 'MISSED'}`)
  const out = { corpus, capacity, rounds, ours, trl, ratio, rowsOurs: oursSummary.rows, rowsTrl: trlSummary.rows, trlTimings: trlSummary, peakRssKb: rss, writeOurs: wOurs, writeWasm: wWasm, writeRatio: wr }
  fs.mkdirSync(path.join(root, 'bench', '.results'), { recursive: true })
  fs.writeFileSync(path.join(root, 'bench', '.results', 'pipeline.json'), JSON.stringify(out, null, 2))
}
