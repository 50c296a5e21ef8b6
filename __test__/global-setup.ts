/**
 * Runs once before the suites: refuses to test stale artifacts (vitest
 * imports the built package) and builds the test-hooks addon the panic tests load.
 */
import type { TestProject } from 'vitest/node'
// @ts-expect-error plain ESM helper without types
import { staleness } from '../scripts/lib/fresh.mjs'
// @ts-expect-error plain ESM helper without types
import { buildTestHooksAddon } from '../scripts/lib/test-hooks.mjs'

declare module 'vitest' {
  export interface ProvidedContext {
    testHooksAddon: string
  }
}

export default async function setup(project: TestProject) {
  const stale = staleness() as { native: string | null; ts: string | null }
  const why = [stale.native, stale.ts].filter(Boolean)
  if (why.length > 0) {
    throw new Error(`refusing to test stale build artifacts (${why.join('; ')}): run \`npm run build\` (or \`npm test\`, which rebuilds)`)
  }
  project.provide('testHooksAddon', await buildTestHooksAddon())
}
