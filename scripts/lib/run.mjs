// Small helpers shared by the zx scripts.
import { $ } from 'zx'

/** Runs a command (argv array), streaming output; returns { ok, code, out }. Never throws. */
export async function run(cmd, opts = {}) {
  const p = await $({ nothrow: true, verbose: true, ...opts })`${cmd}`
  return { ok: p.exitCode === 0, code: p.exitCode, out: p.stdout + p.stderr }
}

/** Sums `test result: ok. N passed; M failed` lines of cargo test. */
export function cargoCounts(out) {
  let passed = 0
  let failed = 0
  for (const m of out.matchAll(/test result: \w+\. (\d+) passed; (\d+) failed/g)) {
    passed += Number(m[1])
    failed += Number(m[2])
  }
  return { passed, failed }
}

/** True when running under CI (`CI=true`), where missing tools are installed rather than skipped. */
export const inCI = process.env.CI === 'true' || process.env.CI === '1'
