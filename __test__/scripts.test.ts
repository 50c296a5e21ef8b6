// The README's promises about bundled data and tools: the demo command works,
// the datasets are what data/datasets.json says, and the TypeScript OBFD the
// peer benchmark compares against packs exactly like seqpack.
import { describe, expect, it } from 'vitest'
import { execFileSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { createRequire } from 'node:module'
import { pack, nativeBinding } from 'seqpack'
import { obfd as tsObfd } from '../bench/ts-obfd'
import { randomLengths } from './helpers'
// @ts-expect-error plain ESM module without types
import { lengthsFor } from '../bench/datasets.mjs'

const root = join(__dirname, '..')
const meta = JSON.parse(readFileSync(join(root, 'data', 'datasets.json'), 'utf8'))

function dataset(name: string): Uint32Array {
  const buf = readFileSync(join(root, 'data', meta.datasets[name].file))
  const out = new Uint32Array(buf.length / 4)
  for (let i = 0; i < out.length; i++) out[i] = buf.readUInt32LE(i * 4)
  return out
}

describe('bundled real datasets', () => {
  it.each(Object.keys(meta.datasets))('%s matches its recorded statistics', (name) => {
    const d = meta.datasets[name]
    const lens = dataset(name)
    expect(lens.length).toBe(d.count)
    let sum = 0
    let min = Infinity
    let max = 0
    for (const v of lens) {
      sum += v
      min = Math.min(min, v)
      max = Math.max(max, v)
    }
    expect(sum).toBe(d.tokens)
    expect(min).toBe(d.min)
    expect(max).toBe(d.max)
    expect(min).toBeGreaterThan(0)
  })
})

describe('npm run demo', () => {
  it('packs every bundled dataset and prints bins and efficiency', () => {
    const out = execFileSync(process.execPath, [join(root, 'scripts', 'demo.mjs')], { encoding: 'utf8' })
    for (const name of Object.keys(meta.datasets)) {
      const rows = out.split('\n').filter((l) => l.startsWith(name + ' '))
      expect(rows.length).toBeGreaterThanOrEqual(2) // one per capacity
      for (const row of rows) {
        const eff = Number(row.match(/(\d+\.\d+)%/)![1])
        expect(eff).toBeGreaterThan(50)
        expect(eff).toBeLessThanOrEqual(100)
      }
    }
  })

  it('reports the same bin counts as pack() for the real data', () => {
    const out = execFileSync(process.execPath, [join(root, 'scripts', 'demo.mjs')], { encoding: 'utf8' })
    const lens = dataset('chat').filter((v) => v <= 2048)
    const r = pack(lens, { capacity: 2048 })
    const row = out.split('\n').find((l) => /^chat\s+2,048/.test(l))!
    expect(row.replace(/,/g, '')).toContain(` ${r.numBins} `)
  })
})

describe('TypeScript OBFD used by the peer benchmark', () => {
  it('packs exactly like seqpack obfd', () => {
    for (const [n, cap, seed] of [
      [0, 8, 1],
      [1, 8, 2],
      [1000, 64, 3],
      [20000, 2048, 4],
      [5000, 4096, 5],
    ]) {
      const lens = Uint32Array.from(randomLengths(n, 1, cap, seed))
      const want = pack(lens, { capacity: cap })
      const got = tsObfd(lens, cap)
      expect(got.numBins).toBe(want.numBins)
      expect(Array.from(got.items)).toEqual(Array.from(want.items))
      expect(Array.from(got.binOffsets)).toEqual(Array.from(want.binOffsets))
    }
  })
})

describe('bench/ab.mjs', () => {
  it('times a build against itself on the same input and prints side-by-side ratios', () => {
    const node = createRequire(import.meta.url).resolve(nativeBinding.id)
    const out = execFileSync(process.execPath, [join(root, 'bench', 'ab.mjs'), node, node, '--n', '2000', '--capacity', '512', '--rounds', '2'], { encoding: 'utf8' })
    const bins = pack(lengthsFor('uniform', 2000, 512), { capacity: 512 }).numBins
    const lines = out.trim().split('\n')
    expect(lines[0]).toBe(`uniform N=2000 C=512 rounds=2x1000 bins=${bins}`)
    expect(lines.slice(1).map((l) => l.replace(/[\d.]+ ns\/item/, 'T ns/item'))).toEqual([`  ${node}: T ns/item (x1.000)`, expect.stringMatching(/^ {2}.*: T ns\/item \(x\d\.\d{3}\)$/)])
  })
})
