#!/usr/bin/env node
// Runs every test stage and prints one closing line: `N passed, N failed`.
//
//   npm test                        # all stages
//   npm test -- --only rust,vitest  # some stages
//   npm test -- --quick             # stages may shorten long pipelines
//
// Stages are the modules in scripts/test-stages/, run in file-name order. Each
// exports `name` and `stage({ root, quick })` returning { passed, failed } (and
// optionally `skipped`, with a reason it prints). A stage that throws counts as
// one failure. The exit code is non-zero if anything failed.
//
// First, the addon and dist/ are rebuilt when older than their sources (the
// vitest suite imports the built package, so it must never see stale ones).
import { $, argv, fs, path } from 'zx'
import { staleness } from './lib/fresh.mjs'

const root = path.resolve(import.meta.dirname, '..')
process.chdir(root)
const dir = path.join(root, 'scripts', 'test-stages')
const files = (await fs.readdir(dir)).filter((f) => f.endsWith('.mjs')).sort()
const only = argv.only ? String(argv.only).split(',') : null

for (const [part, flag] of [['native', '--native-only'], ['ts', '--ts-only']]) {
  // Rechecked after the addon build, which regenerates native.d.ts.
  const why = staleness()[part]
  if (why) {
    console.log(`rebuilding (${why})`)
    await $({ verbose: true })`node ${path.join(root, 'scripts', 'build.mjs')} ${flag}`
  }
}

let passed = 0
let failed = 0
const lines = []
for (const file of files) {
  const mod = await import(path.join(dir, file))
  if (only && !only.includes(mod.name)) continue
  console.log(`\n=== stage: ${mod.name} ===`)
  const t0 = Date.now()
  let c
  try {
    c = await mod.stage({ root, quick: Boolean(argv.quick) })
  } catch (err) {
    console.error(`stage ${mod.name} crashed:`, err)
    c = { passed: 0, failed: 1 }
  }
  const secs = ((Date.now() - t0) / 1000).toFixed(0)
  lines.push(`  ${mod.name}: ${c.passed} passed, ${c.failed} failed${c.skipped ? ` (skipped: ${c.skipped})` : ''} [${secs}s]`)
  passed += c.passed
  failed += c.failed
}
console.log('\nstages:\n' + lines.join('\n'))
console.log(`${passed} passed, ${failed} failed`)
process.exitCode = failed > 0 ? 1 : 0
