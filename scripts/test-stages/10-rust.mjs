// cargo tests: the core and the bindings in release (unit, property and
// integration tests), seqpack-io in the dev profile (its Arrow/Parquet
// dependencies are costly to build with fat LTO, and its tests are about
// correctness, not speed).
import { path } from 'zx'
import { run, cargoCounts } from '../lib/run.mjs'

export const name = 'rust'

/** The release test build; no later stage reads it (the addon builds into target/<triple>, the test-hooks addon into target/debug). */
export const scratch = ({ root }) => [path.join(root, 'target', 'release')]

export async function stage() {
  const c = { passed: 0, failed: 0 }
  for (const cmd of [
    ['cargo', 'test', '--workspace', '--exclude', 'seqpack-io', '--release', '--color', 'never'],
    ['cargo', 'test', '-p', 'seqpack-io', '--color', 'never'],
  ]) {
    const { ok, out } = await run(cmd)
    const k = cargoCounts(out)
    if (!ok && k.failed === 0) k.failed = 1
    c.passed += k.passed
    c.failed += k.failed
  }
  return c
}
