/**
 * The `seqpack` command run as users run it: a child process of dist/cli.mjs.
 * Bad input must give exactly one line on stderr naming the typed code, a
 * non-zero exit, and no output file (nor a temporary one) left behind; a good
 * run must round-trip every document.
 */
import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { tempDir } from './temp-dir'

const root = path.resolve(import.meta.dirname, '..')
const cli = path.join(root, 'dist', 'cli.mjs')
const dir = tempDir('seqpack-cli-')

function seqpack(args: string[], input?: string) {
  const r = spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', input, cwd: dir, env: { ...process.env, FORCE_COLOR: '0' } })
  return { code: r.status, stdout: r.stdout, stderr: r.stderr }
}

function file(name: string, text: string | Buffer) {
  const p = path.join(dir, name)
  fs.writeFileSync(p, text)
  return p
}

/** Deterministic documents: doc d has length lens[d], token i is d * 1000 + i. */
function docs(lens: number[]): number[][] {
  return lens.map((n, d) => Array.from({ length: n }, (_, i) => d * 1000 + i))
}
const jsonl = (ds: number[][]) => ds.map((d) => JSON.stringify({ input_ids: d })).join('\n') + '\n'

describe('seqpack CLI conventions', () => {
  it('--version prints the package version; --help prints usage; both exit 0', () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'))
    expect(seqpack(['--version'])).toMatchObject({ code: 0, stdout: pkg.version + '\n' })
    const h = seqpack(['--help'])
    expect(h.code).toBe(0)
    expect(h.stdout).toMatch(/Usage:\n\s+seqpack pack <input> -o <output> --capacity N/)
  })

  it('bad usage exits 2 with one error line and a hint', () => {
    for (const args of [['pack', 'x.jsonl', '--nope'], ['frobnicate'], ['pack', 'x.jsonl', '-o', 'y.parquet'], ['pack', 'x.jsonl', '-o', 'y.parquet', '--capacity', 'lots']]) {
      const r = seqpack(args)
      expect(r.code, args.join(' ')).toBe(2)
      expect(r.stderr, args.join(' ')).toMatch(/^seqpack: ERR_USAGE: .+\nRun `seqpack --help` for usage.\n$/)
    }
  })

  it('pack JSONL -> JSONL round-trips every document exactly once, in order, within capacity', () => {
    const lens = [5, 17, 3, 40, 9, 1, 33, 12, 8, 25, 64, 2]
    const src = docs(lens)
    const input = file('good.jsonl', jsonl(src))
    const out = path.join(dir, 'good-out.jsonl')
    const r = seqpack(['pack', input, '-o', out, '--capacity', '32', '--overflow', 'split', '--json'])
    expect(r.stderr).toBe('')
    expect(r.code).toBe(0)
    const summary = JSON.parse(r.stdout)
    const rows = fs.readFileSync(out, 'utf8').trim().split('\n').map((l) => JSON.parse(l))
    expect(summary).toMatchObject({ docs: lens.length, tokens: lens.reduce((a, b) => a + b, 0), rows: rows.length, format: 'jsonl' })
    // Reassemble each document from its segments (doc_ids, doc_starts, seq_lens).
    const back: number[][] = src.map(() => [])
    const pieces: [number, number, number[]][] = []
    for (const row of rows) {
      expect(row.input_ids).toHaveLength(32)
      let at = 0
      row.seq_lens.forEach((len: number, s: number) => {
        pieces.push([row.doc_ids[s], row.doc_starts[s], row.input_ids.slice(at, at + len)])
        expect(row.position_ids.slice(at, at + len)).toEqual(Array.from({ length: len }, (_, i) => i))
        at += len
      })
      expect(at).toBeLessThanOrEqual(32)
      expect(row.attention_mask).toEqual(Array.from({ length: 32 }, (_, i) => (i < at ? 1 : 0)))
    }
    pieces.sort((a, b) => a[0] - b[0] || a[1] - b[1])
    for (const [d, start, toks] of pieces) {
      expect(start).toBe(back[d].length)
      back[d].push(...toks)
    }
    expect(back).toEqual(src)
  })

  it('- reads JSONL from stdin', () => {
    const out = path.join(dir, 'stdin-out.parquet')
    const r = seqpack(['pack', '-', '-o', out, '--capacity', '16', '--json'], jsonl(docs([3, 4, 5, 6])))
    expect(r.code, r.stderr).toBe(0)
    expect(JSON.parse(r.stdout)).toMatchObject({ docs: 4, tokens: 18, rows: 2, format: 'parquet' })
    expect(fs.statSync(out).size).toBeGreaterThan(0)
  })
})

describe('seqpack stats', () => {
  it('compares every single-capacity strategy, agrees with pack, and writes the three charts', () => {
    const lens = Array.from({ length: 300 }, (_, i) => 1 + ((i * 7919) % 97) + (i % 50 === 0 ? 150 : 0))
    const input = file('stats.jsonl', jsonl(docs(lens)))
    const charts = path.join(dir, 'charts')
    const r = seqpack(['stats', input, '--capacity', '128', '--charts', charts, '--json'])
    expect(r.code, r.stderr).toBe(0)
    const s = JSON.parse(r.stdout)
    const names = s.results.map((x: { strategy: string }) => x.strategy)
    expect(names).toContain('obfd')
    expect(names).toContain('nf')
    // Documents over 128 are split into 128-token pieces first, as pack --overflow split does.
    expect(s.split).toBe(lens.filter((l) => l > 128).length)
    expect(s.pieces).toBe(lens.reduce((a, l) => a + Math.ceil(l / 128), 0))
    for (const x of s.results) {
      expect(x.rows).toBeGreaterThanOrEqual(x.lowerBound)
      expect(x.gap).toBe(x.rows - x.lowerBound)
    }
    const packed = seqpack(['pack', input, '-o', path.join(dir, 'stats.parquet'), '--capacity', '128', '--overflow', 'split', '--json'])
    expect(JSON.parse(packed.stdout).rows).toBe(s.results.find((x: { strategy: string }) => x.strategy === 'obfd').rows)
    for (const f of ['histogram.svg', 'row-fill.svg', 'efficiency-vs-time.svg']) {
      expect(fs.readFileSync(path.join(charts, f), 'utf8')).toMatch(/^<svg[^]*<\/svg>\n$/)
    }
    expect(fs.readFileSync(path.join(charts, 'histogram.svg'), 'utf8')).toContain('capacity 128')
  })
})

describe('seqpack CLI bad input: one stderr line with the code, exit 1, no file left', () => {
  const corrupt = Buffer.concat([Buffer.from('PAR1'), Buffer.alloc(300, 7), Buffer.from('PAR1')])
  const cases: [string, () => string[], string][] = [
    ['a missing input file', () => ['pack', path.join(dir, 'nope.jsonl')], 'ERR_SEQPACK_FILE_NOT_FOUND'],
    ['a wrong field', () => ['pack', file('f.jsonl', jsonl(docs([3, 4]))), '--field', 'tokens'], 'ERR_SEQPACK_MISSING_FIELD'],
    ['a non-integer token', () => ['pack', file('t.jsonl', '{"input_ids":[1,2]}\n{"input_ids":[3,"x"]}\n')], 'ERR_SEQPACK_INVALID_TOKEN'],
    ['a corrupt Parquet file', () => ['pack', file('c.parquet', corrupt)], 'ERR_SEQPACK_CORRUPT_FILE'],
    ['an empty dataset', () => ['pack', file('e.jsonl', '')], 'ERR_SEQPACK_EMPTY_DATASET'],
    ['a document over capacity under --overflow error', () => ['pack', file('o.jsonl', jsonl(docs([3, 40, 4]))), '--overflow', 'error'], 'ERR_SEQPACK_LENGTH_EXCEEDS_CAPACITY'],
    ['the same in a later window', () => ['pack', file('w.jsonl', jsonl(docs([3, 4, 5, 6, 40]))), '--overflow', 'error', '--window', '2'], 'ERR_SEQPACK_LENGTH_EXCEEDS_CAPACITY'],
    ['a bad token in a later window', () => ['pack', file('wt.jsonl', jsonl(docs([3, 4, 5])) + '{"input_ids":[1.5]}\n'), '--window', '2'], 'ERR_SEQPACK_INVALID_TOKEN'],
  ]
  for (const format of ['parquet', 'arrow', 'jsonl']) {
    for (const [what, args, code] of cases) {
      it(`${what} (-> ${format})`, () => {
        const out = path.join(dir, `bad-${code}-${format}.${format}`)
        const r = seqpack([...args(), '-o', out, '--capacity', '32'])
        expect(r.code).toBe(1)
        expect(r.stdout).toBe('')
        expect(r.stderr).toMatch(new RegExp(`^seqpack: ${code}: [^\\n]+\\n$`))
        expect(fs.existsSync(out)).toBe(false)
        expect(fs.readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([])
      })
    }
  }

  it('names the bad document by its index in the whole input', () => {
    const r = seqpack(['pack', file('idx.jsonl', jsonl(docs([3, 4, 5, 6, 40]))), '-o', path.join(dir, 'idx.parquet'), '--capacity', '32', '--window', '2'])
    expect(r.stderr).toMatch(/document 4\b/)
  })
})
