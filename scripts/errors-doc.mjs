#!/usr/bin/env node
// Writes the bad-input matrix (scripts/lib/error-cases.mjs) into
// docs/errors.md between its markers. `__test__/matrix.test.ts` fails when
// the file is not what this script would write.
//
//   node scripts/errors-doc.mjs          # rewrite docs/errors.md
//   node scripts/errors-doc.mjs --check  # exit 1 if it is out of date
import { readFileSync, writeFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { cases, renderTable, START, END } from './lib/error-cases.mjs'

export const docPath = fileURLToPath(new URL('../docs/errors.md', import.meta.url))

/** `text` with the generated section replaced by the current table. */
export function withTable(text) {
  const a = text.indexOf(START)
  const b = text.indexOf(END)
  if (a === -1 || b === -1 || b < a) throw new Error(`docs/errors.md lacks the markers ${START} ... ${END}`)
  const list = cases()
  const body = `\n\n${list.length} cases.\n\n${renderTable(list)}\n\n`
  return text.slice(0, a + START.length) + body + text.slice(b)
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const text = readFileSync(docPath, 'utf8')
  const next = withTable(text)
  if (process.argv.includes('--check')) {
    if (next !== text) {
      console.error('docs/errors.md is out of date: run node scripts/errors-doc.mjs')
      process.exit(1)
    }
  } else {
    writeFileSync(docPath, next)
    console.log(`docs/errors.md: ${cases().length} cases`)
  }
}
