#!/usr/bin/env node
// Fuzzes seqpack-core with cargo-fuzz (libFuzzer, nightly Rust): every target
// in crates/core/fuzz/fuzz_targets for a fixed time, printing the executions.
//
//   node scripts/fuzz.mjs                     # every target, 60 s each
//   node scripts/fuzz.mjs --seconds 600 --targets pack,false_facts
//   node scripts/fuzz.mjs --install           # first install nightly + cargo-fuzz if missing
//
// Builds, corpora and crashes live under target/fuzz/ (ignored by git and
// outside the source tree, which other tools copy): corpora grow in
// target/fuzz/corpus/<target> between runs; a crash leaves its input in
// target/fuzz/artifacts/<target>/ and the reproduction command is printed. Each input has a 30 s time limit
// (a hang is a failure) and the process 2 GB of memory (unbounded growth is
// a failure). On stable Rust only, run the property campaign instead:
//   SEQPACK_CAMPAIGN_CASES=1000000 cargo test -p seqpack-core --release --test campaign
import { $, argv, fs, path } from 'zx'

const root = path.resolve(import.meta.dirname, '..')
const fuzzDir = path.join(root, 'crates', 'core', 'fuzz')
const work = path.join(root, 'target', 'fuzz')

export const allTargets = () =>
  fs.readdirSync(path.join(fuzzDir, 'fuzz_targets')).filter((f) => f.endsWith('.rs')).map((f) => f.slice(0, -3)).sort()

/** Which tools are missing: [] when nightly and cargo-fuzz are both there. */
export async function missingTools() {
  const missing = []
  const tc = await $({ nothrow: true, quiet: true })`rustup toolchain list`
  if (tc.exitCode !== 0 || !/^nightly/m.test(tc.stdout)) missing.push('nightly toolchain')
  const cf = await $({ nothrow: true, quiet: true })`cargo fuzz --version`
  if (cf.exitCode !== 0) missing.push('cargo-fuzz')
  return missing
}

/** Installs what is missing (nightly via rustup, cargo-fuzz from crates.io). */
export async function installTools() {
  const missing = await missingTools()
  if (missing.includes('nightly toolchain')) await $({ verbose: true })`rustup toolchain install nightly --profile minimal`
  if (missing.includes('cargo-fuzz')) await $({ verbose: true })`cargo install cargo-fuzz --locked`
  const still = await missingTools()
  if (still.length) throw new Error(`could not install: ${still.join(', ')}`)
}

/** Executions reported by libFuzzer ("Done N runs" or the last "#N" status line). */
function executions(out) {
  const done = out.match(/Done (\d+) runs/)
  if (done) return Number(done[1])
  const status = [...out.matchAll(/^#(\d+)\s/gm)]
  return status.length ? Number(status.at(-1)[1]) : 0
}

/** Builds, then runs each target for `seconds`. Returns [{ target, ok, execs, seconds }]. */
export async function fuzz({ seconds = 60, targets = allTargets() } = {}) {
  const cwd = fuzzDir
  const targetDir = path.join(work, 'build')
  const build = await $({ cwd, nothrow: true, verbose: true })`cargo +nightly fuzz build -O --target-dir ${targetDir}`
  if (build.exitCode !== 0) return targets.map((target) => ({ target, ok: false, execs: 0, seconds: 0, why: 'build failed' }))
  const results = []
  for (const target of targets) {
    const corpus = path.join(work, 'corpus', target)
    const artifacts = path.join(work, 'artifacts', target) + path.sep
    await fs.mkdirp(corpus)
    await fs.mkdirp(artifacts)
    const t0 = Date.now()
    const p = await $({ cwd, nothrow: true, quiet: true })`cargo +nightly fuzz run -O --target-dir ${targetDir} ${target} ${corpus} -- -max_total_time=${seconds} -timeout=30 -rss_limit_mb=2048 -artifact_prefix=${artifacts} -print_final_stats=1`
    const out = p.stdout + p.stderr
    const r = { target, ok: p.exitCode === 0, execs: executions(out), seconds: (Date.now() - t0) / 1000 }
    if (!r.ok) {
      r.why = (out.match(/^(==\d+==ERROR|thread '.*' panicked|SUMMARY).*$/m) ?? ['see the log above'])[0]
      const artifact = out.match(/Test unit written to (\S+)/)?.[1]
      if (artifact) r.why += `\n  reproduce: (cd crates/core/fuzz && cargo +nightly fuzz run -O --target-dir ${targetDir} ${target} ${artifact})`
      console.log(out.split('\n').slice(-60).join('\n'))
    }
    console.log(`${r.ok ? 'ok  ' : 'FAIL'} fuzz ${target}: ${r.execs.toLocaleString('en-US')} executions in ${r.seconds.toFixed(0)} s${r.why ? `\n  ${r.why}` : ''}`)
    results.push(r)
  }
  const total = results.reduce((a, r) => a + r.execs, 0)
  console.log(`fuzz: ${total.toLocaleString('en-US')} executions over ${results.length} targets`)
  return results
}

if (import.meta.url === `file://${process.argv[1]}`) {
  if (argv.install) await installTools()
  const missing = await missingTools()
  if (missing.length) {
    console.error(`missing: ${missing.join(', ')} (run with --install, or use the stable campaign: cargo test -p seqpack-core --release --test campaign)`)
    process.exit(2)
  }
  const targets = argv.targets ? String(argv.targets).split(',') : allTargets()
  const results = await fuzz({ seconds: Number(argv.seconds ?? 60), targets })
  process.exitCode = results.every((r) => r.ok) ? 0 : 1
}
