/**
 * Dataset IO from JS: readTokens / TokenReader / readLengths, writeRows and
 * packFile, checked by reading the outputs back through an independent path
 * (the JSONL output parsed here; Parquet and Arrow read back as token lists).
 */
import fs from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { packFile, packRows, readLengths, readTokens, SeqpackError, TokenReader, writeRows } from 'seqpack'
import { tempDir } from './temp-dir'

const dir = tempDir('seqpack-io-')
const lens = [7, 1, 30, 12, 5, 64, 3, 18, 9, 40, 2, 26]
const docs = lens.map((n, d) => Array.from({ length: n }, (_, i) => (d * 7919 + i * 31) % 50257))
const src = path.join(dir, 'docs.jsonl')
fs.writeFileSync(src, docs.map((d, i) => (i % 2 ? JSON.stringify(d) : JSON.stringify({ input_ids: d, text: 'x' }))).join('\n') + '\n')

const flat = (ds: number[][]) => ({ tokens: Int32Array.from(ds.flat()), offsets: Uint32Array.from([0, ...ds.map((d) => d.length)].map((_, i, a) => a.slice(0, i + 1).reduce((x, y) => x + y, 0))) })

describe('reading', () => {
  it('readTokens returns every document in order (objects and bare arrays)', () => {
    const r = readTokens(src)
    expect(r.tokens).toBeInstanceOf(Int32Array)
    expect(r.offsets).toBeInstanceOf(Uint32Array)
    expect({ tokens: [...r.tokens], offsets: [...r.offsets] }).toEqual({ tokens: [...flat(docs).tokens], offsets: [...flat(docs).offsets] })
  })

  it('TokenReader streams the same documents in chunks', () => {
    const got: number[][] = []
    let next = 0
    for (const c of new TokenReader(src, { chunkDocs: 5 })) {
      expect(c.firstDoc).toBe(next)
      for (let d = 0; d + 1 < c.offsets.length; d++) got.push([...c.tokens.subarray(c.offsets[d], c.offsets[d + 1])])
      next += c.offsets.length - 1
      expect(c.offsets.length - 1).toBeLessThanOrEqual(5)
    }
    expect(got).toEqual(docs)
  })

  it('readLengths gives the documents lengths', () => {
    expect([...readLengths(src)]).toEqual(lens)
  })

  it('errors are SeqpackErrors with the document index', () => {
    const bad = path.join(dir, 'bad.jsonl')
    fs.writeFileSync(bad, '[1,2]\n[3]\n[4,-5.5]\n')
    try {
      readTokens(bad)
      expect.unreachable()
    } catch (e) {
      expect(e).toBeInstanceOf(SeqpackError)
      expect((e as SeqpackError).code).toBe('ERR_SEQPACK_INVALID_TOKEN')
      expect((e as SeqpackError).index).toBe(2)
    }
  })
})

describe('writing', () => {
  const rows = packRows(flat(docs), { capacity: 32, overflow: 'split' })
  for (const format of ['parquet', 'arrow'] as const) {
    it(`writeRows ${format}: input_ids read back equal the rows`, () => {
      const out = path.join(dir, `rows.${format}`)
      const s = writeRows(out, rows, { rowGroupRows: 2 })
      expect(s).toMatchObject({ format, rows: rows.numRows })
      expect(s.bytes).toBe(fs.statSync(out).size)
      for (const field of ['input_ids', 'labels', 'position_ids'] as const) {
        const back = readTokens(out, { field })
        const want = field === 'input_ids' ? rows.inputIds : field === 'labels' ? rows.labels : rows.positionIds
        expect([...back.tokens], field).toEqual([...want])
        expect([...back.offsets]).toEqual(Array.from({ length: rows.numRows + 1 }, (_, r) => r * 32))
      }
      expect([...readTokens(out, { field: 'seq_lens' }).tokens]).toEqual([...rows.segmentLength])
      expect([...readTokens(out, { field: 'doc_ids' }).tokens]).toEqual([...rows.segmentDoc])
    })
  }

  it('writeRows leaves no file when the rows are inconsistent', () => {
    const out = path.join(dir, 'broken.parquet')
    expect(() => writeRows(out, { ...rows, numRows: rows.numRows + 1 })).toThrow(expect.objectContaining({ code: 'ERR_SEQPACK_INVALID_ROWS' }))
    expect(fs.readdirSync(dir).filter((f) => f.startsWith('.broken') || f === 'broken.parquet')).toEqual([])
  })

  it('packFile = readTokens + packRows + writeRows, with and without a window', async () => {
    const seen: string[] = []
    const whole = await packFile(src, path.join(dir, 'whole.arrow'), { capacity: 32, overflow: 'split', onProgress: (p) => seen.push(p.phase), progressInterval: 1 })
    expect(whole).toMatchObject({ docs: lens.length, tokens: lens.reduce((a, b) => a + b, 0), rows: rows.numRows, windows: 1, format: 'arrow' })
    expect(whole.metrics?.numBins).toBe(rows.numRows)
    expect(seen.at(-1)).toBe('done')
    expect([...readTokens(path.join(dir, 'whole.arrow')).tokens]).toEqual([...rows.inputIds])
    const win = await packFile(src, path.join(dir, 'win.parquet'), { capacity: 32, overflow: 'split', window: 5 })
    expect(win).toMatchObject({ docs: lens.length, windows: 3 })
    // Each window packed alone: its rows hold only its documents, numbered globally.
    const ids = readTokens(path.join(dir, 'win.parquet'), { field: 'doc_ids' })
    for (let r = 0; r + 1 < ids.offsets.length; r++) {
      const w = new Set([...ids.tokens.subarray(ids.offsets[r], ids.offsets[r + 1])].map((d) => Math.floor(d / 5)))
      expect(w.size).toBe(1)
    }
    expect(new Set(ids.tokens)).toEqual(new Set(lens.map((_, i) => i)))
  })
})
