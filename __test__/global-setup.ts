/**
 * Runs once before the suites. Refuses to test stale build artifacts (vitest
 * imports the built package), and provides the test-hooks addon the panic
 * tests load: `SEQPACK_TEST_HOOKS_PATH` if set, else a cargo build of it,
 * else none (the panic tests then report themselves skipped).
 *
 * In CI the staleness check is skipped: there the artifacts are downloaded
 * from the build jobs, so their file times say nothing about the sources, and
 * `npm test` (the CI entry point) rebuilds stale artifacts before vitest runs.
 */
import { execFileSync } from 'node:child_process'
import type { TestProject } from 'vitest/node'
// @ts-expect-error plain ESM helper without types
import { staleness } from '../scripts/lib/fresh.mjs'
// @ts-expect-error plain ESM helper without types
import { buildTestHooksAddon } from '../scripts/lib/test-hooks.mjs'
// @ts-expect-error plain ESM helper without types
import { inCI } from '../scripts/lib/run.mjs'

declare module 'vitest' {
  export interface ProvidedContext {
    /** Path of the test-hooks addon, or '' when none could be had. */
    testHooksAddon: string
  }
}

function hasCargo(): boolean {
  try {
    execFileSync('cargo', ['--version'], { stdio: 'ignore' })
    return true
  } catch {
    return false
  }
}

export default async function setup(project: TestProject) {
  if (!inCI) {
    const stale = staleness() as { native: string | null; ts: string | null }
    const why = [stale.native, stale.ts].filter(Boolean)
    if (why.length > 0) {
      throw new Error(`refusing to test stale build artifacts (${why.join('; ')}): run \`npm run build\` (or \`npm test\`, which rebuilds)`)
    }
  }
  // SEQPACK_TEST_HOOKS_PATH=none: no hooks addon on purpose (a cross target's
  // Node cannot load the host's build), so the panic tests report skipped.
  const given = process.env.SEQPACK_TEST_HOOKS_PATH
  const hooks = given === 'none' ? '' : given ? given : hasCargo() ? await buildTestHooksAddon() : ''
  project.provide('testHooksAddon', hooks)
}
