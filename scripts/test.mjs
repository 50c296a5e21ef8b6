#!/usr/bin/env node
// Runs every test stage and prints one closing line: `N passed, N failed`.
//
//   npm test                        # all stages
//   npm test -- --only rust,vitest  # some stages
//   npm test -- --quick             # stages may shorten long pipelines
//   npm test -- --tidy              # delete each stage's scratch after it (always under CI)
//
// Stages are the modules in scripts/test-stages/, run in file-name order. Each
// exports `name` and `stage({ root, quick })` returning { passed, failed } (and
// optionally `skipped`, with a reason it prints). A stage that throws counts as
// one failure. The exit code is non-zero if anything failed.
//
// First, the addon and dist/ are rebuilt when older than their sources (the
// vitest suite imports the built package, so it must never see stale ones).
//
// Disk: each stage's line gives the free space before it ran. A stage may also
// export `scratch({ root })`, the directories it leaves that no later stage
// reads (its own cargo target dirs, say); under CI=true (or --tidy) they are
// deleted once the stage ends. A whole run builds eight or so target dirs
// (release, dev, PGO, BOLT, cross, fuzz) of 0.3-2 GB each, and CI machines have
// run out of disk before; a developer's run keeps them as build caches.
import { $, argv, fs, path } from 'zx'
import { staleness } from './lib/fresh.mjs'
import { inCI } from './lib/run.mjs'

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

const GiB = 2 ** 30
/** Free bytes on the file system holding `p`. */
function freeBytes(p) {
  const s = fs.statfsSync(p)
  return s.bavail * s.bsize
}
/** Bytes under `p` (files only, symlinks not followed); 0 when absent. */
function sizeOf(p) {
  const st = fs.lstatSync(p, { throwIfNoEntry: false })
  if (!st) return 0
  if (!st.isDirectory()) return st.size
  let n = 0
  for (const e of fs.readdirSync(p)) n += sizeOf(path.join(p, e))
  return n
}
const tidy = inCI || Boolean(argv.tidy)

let passed = 0
let failed = 0
const lines = []
for (const file of files) {
  const mod = await import(path.join(dir, file))
  if (only && !only.includes(mod.name)) continue
  const free = freeBytes(root)
  console.log(`\n=== stage: ${mod.name} (${(free / GiB).toFixed(1)} GiB free) ===`)
  const t0 = Date.now()
  let c
  try {
    c = await mod.stage({ root, quick: Boolean(argv.quick) })
  } catch (err) {
    console.error(`stage ${mod.name} crashed:`, err)
    c = { passed: 0, failed: 1 }
  }
  const secs = ((Date.now() - t0) / 1000).toFixed(0)
  let freed = ''
  if (tidy && mod.scratch) {
    let bytes = 0
    for (const p of await mod.scratch({ root })) {
      bytes += sizeOf(p)
      await fs.remove(p)
    }
    freed = `, ${(bytes / GiB).toFixed(1)} GiB of scratch removed`
  }
  lines.push(`  ${mod.name}: ${c.passed} passed, ${c.failed} failed${c.skipped ? ` (skipped: ${c.skipped})` : ''} [${secs}s, ${(free / GiB).toFixed(1)} GiB free before${freed}]`)
  passed += c.passed
  failed += c.failed
}
console.log('\nstages:\n' + lines.join('\n'))
console.log(`${passed} passed, ${failed} failed`)
process.exitCode = failed > 0 ? 1 : 0
