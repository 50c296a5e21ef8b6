#!/usr/bin/env node
// Runs every test stage and prints one closing line: `N passed, N failed`.
//
//   npm test                    # all stages
//   npm test -- --only vitest   # one stage (comma-separated list allowed)
//   npm test -- --quick         # stages may shorten long pipelines
//
// Each stage reports how many checks passed and failed; a stage that crashes
// before reporting counts as one failure. The exit code is non-zero if anything failed.
import { $, argv, cd, path, fs } from 'zx'

const root = path.resolve(import.meta.dirname, '..')
cd(root)
$.verbose = true

/** Runs a command, streaming its output, and returns the captured text. Never throws. */
async function run(cmd) {
  const p = await $({ nothrow: true })`${cmd}`
  return { ok: p.exitCode === 0, out: p.stdout + p.stderr }
}

/** Sums `test result: ok. N passed; M failed` lines of cargo test. */
function cargoCounts(out) {
  let passed = 0
  let failed = 0
  for (const m of out.matchAll(/test result: \w+\. (\d+) passed; (\d+) failed/g)) {
    passed += Number(m[1])
    failed += Number(m[2])
  }
  return { passed, failed }
}

/** Reads vitest's JSON report. */
function vitestCounts(file) {
  const r = JSON.parse(fs.readFileSync(file, 'utf8'))
  return { passed: r.numPassedTests, failed: r.numFailedTests + (r.numTotalTestSuites > 0 && r.success === false && r.numFailedTests === 0 ? 1 : 0) }
}

/** The stages, in order. Each returns { passed, failed }. */
export const stages = {
  async rust() {
    const { ok, out } = await run(['cargo', 'test', '--workspace', '--release', '--color', 'never'])
    const c = cargoCounts(out)
    if (!ok && c.failed === 0) c.failed = 1
    return c
  },
  async vitest() {
    const report = path.join(root, '.tmp', 'vitest.json')
    await fs.mkdirp(path.dirname(report))
    await fs.remove(report)
    const { ok } = await run(['npx', 'vitest', 'run', '--reporter=default', '--reporter=json', `--outputFile.json=${report}`])
    if (!fs.existsSync(report)) return { passed: 0, failed: 1 }
    const c = vitestCounts(report)
    if (!ok && c.failed === 0) c.failed = 1
    return c
  },
}

const only = argv.only ? String(argv.only).split(',') : null
let passed = 0
let failed = 0
const summary = []
for (const [name, stage] of Object.entries(stages)) {
  if (only && !only.includes(name)) continue
  console.log(`\n=== stage: ${name} ===`)
  let c
  try {
    c = await stage()
  } catch (err) {
    console.error(`stage ${name} crashed:`, err)
    c = { passed: 0, failed: 1 }
  }
  summary.push(`${name}: ${c.passed} passed, ${c.failed} failed`)
  passed += c.passed
  failed += c.failed
}
console.log('\n' + summary.join('\n'))
console.log(`${passed} passed, ${failed} failed`)
process.exitCode = failed > 0 ? 1 : 0
