// vitest suite of the JS API (loads the package through its own exports).
// Set SEQPACK_NATIVE_PATH to run it against another build of the addon.
import { fs, path } from 'zx'
import { run } from '../lib/run.mjs'

export const name = 'vitest'

export async function stage({ root }) {
  const report = path.join(root, '.tmp', `vitest-${process.pid}.json`)
  await fs.mkdirp(path.dirname(report))
  const { ok } = await run(['npx', 'vitest', 'run', '--reporter=default', '--reporter=json', `--outputFile.json=${report}`])
  if (!fs.existsSync(report)) return { passed: 0, failed: 1 }
  const r = JSON.parse(fs.readFileSync(report, 'utf8'))
  await fs.remove(report)
  const c = { passed: r.numPassedTests, failed: r.numFailedTests }
  if (!ok && c.failed === 0) c.failed = 1 // e.g. a test file that failed to load
  return c
}
