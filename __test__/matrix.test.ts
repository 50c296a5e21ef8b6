/**
 * The bad-input matrix: every case of scripts/lib/error-cases.mjs through the
 * public API, asserting the documented outcome (code, index, value), and
 * that the process is alive afterwards. The same table is docs/errors.md;
 * the last test fails when the file is out of date.
 */
import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import * as api from 'seqpack'
import { SeqpackError } from 'seqpack'
// @ts-expect-error plain ESM helper without types
import { cases, CALLER_ERROR } from '../scripts/lib/error-cases.mjs'
// @ts-expect-error plain ESM helper without types
import { withTable, docPath } from '../scripts/errors-doc.mjs'

interface Case {
  fn: string
  arg: string
  what: string
  call: (a: typeof api) => unknown
  code: string
  index?: number | null
  value?: string | null
}

/** What a call did: `ok`, or the thrown value's code/index/value. */
async function outcome(c: Case): Promise<{ code: string; index?: unknown; value?: unknown; note?: string }> {
  let r: unknown
  let sync = true
  try {
    r = c.call(api)
    if (r instanceof Promise) {
      sync = false
      r = await r
    }
  } catch (e) {
    if (c.fn === 'packAsync' && sync) return { code: 'threw synchronously', note: String(e) }
    if (e === CALLER_ERROR) return { code: 'caller' }
    if (e instanceof RangeError && (e as { code?: string }).code === 'ERR_OUT_OF_RANGE') return { code: 'ERR_OUT_OF_RANGE' }
    if (e instanceof SeqpackError) return { code: e.code, index: e.index ?? null, value: e.value ?? null, note: e.message }
    return { code: `not a SeqpackError: ${String(e)}` }
  }
  return { code: 'ok' }
}

describe('bad-input matrix', () => {
  const list = cases() as Case[]

  it(`${list.length} cases give their documented code, index and value`, async () => {
    const wrong: string[] = []
    for (const c of list) {
      const got = await outcome(c)
      const bad =
        got.code !== c.code ||
        (c.index !== undefined && got.code === c.code && c.code.startsWith('ERR_SEQPACK') && got.index !== c.index) ||
        (c.value !== undefined && got.code === c.code && c.code.startsWith('ERR_SEQPACK') && got.value !== c.value)
      if (bad) {
        wrong.push(`${c.fn} ${c.arg} ${c.what}: expected ${c.code} index ${c.index} value ${JSON.stringify(c.value)}; got ${got.code} index ${got.index} value ${JSON.stringify(got.value)} (${got.note ?? ''})`)
      }
    }
    expect(wrong).toEqual([])
    // Alive: the addon still packs after every bad call.
    expect(api.pack([3, 5], { capacity: 8 }).numBins).toBe(1)
    expect((await api.packAsync([3, 5], { capacity: 8 })).numBins).toBe(1)
  })

  it('every export and every strategy is covered', () => {
    const fns = new Set(list.map((c) => c.fn))
    expect([...fns].sort()).toEqual(['PackResult.bin', 'balance', 'pack', 'packAsync'])
    for (const s of api.strategies()) {
      expect(list.some((c) => c.what.includes(`(${s.name})`)), s.name).toBe(true)
      for (const o of s.options) expect(list.some((c) => c.arg === o && c.what.includes(s.name)) || list.some((c) => c.arg === o), `${s.name}.${o}`).toBe(true)
    }
  })

  it('docs/errors.md is the table of these cases (node scripts/errors-doc.mjs)', () => {
    const text = readFileSync(docPath, 'utf8')
    expect(text === withTable(text), 'docs/errors.md is out of date: run node scripts/errors-doc.mjs').toBe(true)
  })
})
