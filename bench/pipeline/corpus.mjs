// The pipeline benchmark's input: a JSONL of real tokenised documents.
//
// 100,000 documents (default) whose lengths are drawn (seeded, with
// replacement) from the bundled `code` dataset (real CPython stdlib functions
// under GPT-2) and whose tokens are consecutive GPT-2 (r50k_base, npm
// gpt-tokenizer) tokens of the Python standard library sources on this
// machine, read in sorted path order and reused cyclically. So lengths follow a
// real heavy-tailed distribution (mean ~233, p99 ~1.8k, max ~10k tokens, some
// documents over a 4096 capacity) and token ids follow real text.
//
// The tokenised stream is cached under bench/.data/ (tokenising takes ~10-30 s);
// the JSONL is written as {"input_ids":[...]} per line.
import fs from 'node:fs'
import path from 'node:path'
import { execFileSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { resample } from '../datasets.mjs'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..')
export const CACHE_DIR = path.join(root, 'bench', '.data')

function stdlibDir() {
  return execFileSync('python3', ['-c', "import sysconfig; print(sysconfig.get_paths()['stdlib'])"], { encoding: 'utf8' }).trim()
}

function pyFiles(dir) {
  const out = []
  const walk = (d) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const p = path.join(d, e.name)
      if (e.isDirectory()) {
        if (e.name === 'site-packages' || e.name === '__pycache__') continue
        walk(p)
      } else if (e.isFile() && e.name.endsWith('.py')) out.push(p)
    }
  }
  walk(dir)
  return out
}

/** GPT-2 tokens of the stdlib sources, cached as little-endian uint32. */
export async function tokenStream({ minTokens = 3_000_000 } = {}) {
  fs.mkdirSync(CACHE_DIR, { recursive: true })
  const cache = path.join(CACHE_DIR, 'stdlib-r50k.u32')
  if (fs.existsSync(cache)) {
    const b = fs.readFileSync(cache)
    return new Uint32Array(b.buffer, b.byteOffset, b.length / 4).slice()
  }
  const { encode } = await import('gpt-tokenizer/encoding/r50k_base')
  const parts = []
  let total = 0
  for (const f of pyFiles(stdlibDir())) {
    const ids = encode(fs.readFileSync(f, 'utf8'))
    parts.push(Uint32Array.from(ids))
    total += ids.length
    if (total >= minTokens * 2) break
  }
  if (total < minTokens) throw new Error(`only ${total} tokens of Python sources found under ${stdlibDir()}`)
  const all = new Uint32Array(total)
  let o = 0
  for (const p of parts) { all.set(p, o); o += p.length }
  fs.writeFileSync(cache, Buffer.from(all.buffer, all.byteOffset, all.byteLength))
  return all
}

/**
 * Writes `n` documents as JSONL to `file` (skipped if it exists with the same
 * parameters). Returns { file, docs, tokens, maxLength }.
 */
export async function makeJsonl(file, { n = 100_000, seed = 42 } = {}) {
  const meta = `${file}.meta.json`
  if (fs.existsSync(file) && fs.existsSync(meta)) {
    const m = JSON.parse(fs.readFileSync(meta, 'utf8'))
    if (m.n === n && m.seed === seed) return { file, ...m }
  }
  const stream = await tokenStream()
  const lengths = resample('code', n, Number.MAX_SAFE_INTEGER, seed)
  const fd = fs.openSync(file, 'w')
  let pos = 0
  let tokens = 0
  let maxLength = 0
  let buf = ''
  for (let i = 0; i < n; i++) {
    const len = lengths[i]
    const ids = new Array(len)
    for (let j = 0; j < len; j++) {
      ids[j] = stream[pos]
      pos = pos + 1 === stream.length ? 0 : pos + 1
    }
    buf += `{"input_ids":[${ids.join(',')}]}\n`
    if (buf.length > 1 << 22) { fs.writeSync(fd, buf); buf = '' }
    tokens += len
    if (len > maxLength) maxLength = len
  }
  fs.writeSync(fd, buf)
  fs.closeSync(fd)
  const m = { n, seed, docs: n, tokens, maxLength }
  fs.writeFileSync(meta, JSON.stringify(m))
  return { file, ...m }
}
