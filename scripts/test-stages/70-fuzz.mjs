// Fuzzes the core with cargo-fuzz (nightly) for a bounded time per target:
// under CI=true SEQPACK_FUZZ_SECONDS (default 45) per target, three targets,
// so the stage fits in about five minutes with the build; nightly and
// cargo-fuzz are installed if missing. Elsewhere it is skipped with the
// command that runs it (the stable property campaign runs in the rust stage
// either way). One passed/failed per target; prints the executions.
import { path } from 'zx'
import { inCI } from '../lib/run.mjs'
import { fuzz, installTools, missingTools } from '../fuzz.mjs'

export const name = 'fuzz'

/** The fuzz build (sanitizer-instrumented, its own target dir); the corpus stays. */
export const scratch = ({ root }) => [path.join(root, 'target', 'fuzz', 'build')]

export async function stage({ quick }) {
  if (!inCI && !process.env.SEQPACK_FUZZ_SECONDS) {
    return { passed: 0, failed: 0, skipped: 'fuzzing runs under CI=true (or set SEQPACK_FUZZ_SECONDS); by hand: node scripts/fuzz.mjs --install --seconds 60' }
  }
  if ((await missingTools()).length) {
    if (!inCI) return { passed: 0, failed: 0, skipped: `missing ${(await missingTools()).join(', ')}: node scripts/fuzz.mjs --install` }
    await installTools()
  }
  const seconds = Number(process.env.SEQPACK_FUZZ_SECONDS ?? (quick ? 15 : 45))
  const results = await fuzz({ seconds })
  const execs = results.reduce((a, r) => a + r.execs, 0)
  console.log(`fuzz stage: ${execs} executions (${results.map((r) => `${r.target} ${r.execs}`).join(', ')})`)
  const passed = results.filter((r) => r.ok).length
  return { passed, failed: results.length - passed }
}
