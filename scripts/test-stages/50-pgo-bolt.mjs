// The PGO and BOLT pipelines end to end, in quick mode: build, train, merge,
// optimize, then prove the optimized binaries are correct: they must pack the
// evaluation workload exactly like the normal build, and the whole vitest
// suite must pass against the PGO + BOLT binary.
//
// Under CI=true missing tools (llvm-<major>, bolt-<major> matching rustc's
// LLVM) are installed with apt-get; elsewhere the stage is skipped with the
// reason. Takes a few minutes on 2 cores (three fat-LTO builds).
import { $, fs, path } from 'zx'
import { inCI, run } from '../lib/run.mjs'
import { findLlvmTools, rustcLlvmMajor } from '../lib/llvm.mjs'
import { boltInfo } from '../lib/bolt.mjs'
import { stage as vitestStage } from './20-vitest.mjs'

export const name = 'pgo-bolt'

/** The instrumented and optimized builds' target dirs and the profiles; the two optimized .node files at the root stay. */
export const scratch = ({ root }) => [...['pgo-gen', 'pgo-use', 'bolt', 'bolt-pgo'].map((d) => path.join(root, 'target', d)), path.join(root, '.pgo')]

const TOOLS = ['llvm-profdata', 'llvm-bolt', 'merge-fdata']

async function toolsOrInstall() {
  try {
    return { tools: await findLlvmTools(TOOLS) }
  } catch (err) {
    if (!inCI) return { skip: `${err.message}. Outside CI this stage does not install them.` }
    const major = await rustcLlvmMajor()
    const sudo = process.getuid?.() === 0 ? [] : ['sudo', '-n']
    console.log(`installing llvm-${major} and bolt-${major} (${err.message})`)
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' }
    await $({ env, verbose: true })`${sudo} apt-get update`
    await $({ env, verbose: true })`${sudo} apt-get install -y --no-install-recommends llvm-${major} bolt-${major}`
    return { tools: await findLlvmTools(TOOLS) }
  }
}

/** Fingerprint of all packings of the evaluation workload with `file` as the addon. */
async function evalFingerprint(root, file) {
  const env = { ...process.env }
  if (file) env.SEQPACK_NATIVE_PATH = file
  else delete env.SEQPACK_NATIVE_PATH
  const p = await $({ cwd: root, env, quiet: true })`node bench/workloads/eval.mjs --reps 1 --warmup 0 --json`
  return JSON.parse(p.stdout.trim().split('\n').pop()).fingerprint
}

export async function stage({ root }) {
  const triple = (await $({ quiet: true })`rustc -vV`).stdout.match(/^host:\s*(\S+)/m)?.[1]
  if (triple !== 'x86_64-unknown-linux-gnu') return { passed: 0, failed: 0, skipped: `BOLT on shared libraries is set up for x86_64 Linux; host is ${triple}` }
  const t = await toolsOrInstall()
  if (t.skip) return { passed: 0, failed: 0, skipped: t.skip }

  let passed = 0
  let failed = 0
  const check = (ok, what) => {
    console.log(`${ok ? 'ok  ' : 'FAIL'} ${what}`)
    if (ok) passed++
    else failed++
    return ok
  }
  const pgoNode = path.join(root, 'seqpack.linux-x64-gnu.pgo.node')
  const boltNode = path.join(root, 'seqpack.linux-x64-gnu.pgo.bolt-optimized.node')

  const pgo = await run(['node', 'scripts/pgo.mjs', '--quick'])
  check(pgo.ok, 'scripts/pgo.mjs --quick')
  const pgoWarn = pgo.out.match(/warnings:\s+(\d+) function\(s\) without profile data, (\d+) profile mismatch/)
  check(Boolean(pgoWarn), `PGO reported its warnings (${pgoWarn ? `${pgoWarn[1]} missing, ${pgoWarn[2]} mismatched` : 'no summary line'})`)
  const bolt = await run(['node', 'scripts/bolt.mjs', '--with-pgo', '--quick'])
  check(bolt.ok, 'scripts/bolt.mjs --with-pgo --quick')
  if (!check(fs.existsSync(pgoNode) && fs.existsSync(boltNode), 'optimized binaries exist')) return { passed, failed }

  const note = await boltInfo(boltNode)
  check(Boolean(note), `.note.bolt_info present in ${path.basename(boltNode)}`)
  check(!(await boltInfo(pgoNode)), `${path.basename(pgoNode)} is not BOLTed (outputs are separate files)`)

  const ref = await evalFingerprint(root, null)
  for (const f of [pgoNode, boltNode]) {
    const fp = await evalFingerprint(root, f)
    check(fp === ref, `${path.basename(f)} packs the evaluation workload like the normal build (${fp} vs ${ref})`)
  }

  // The full vitest suite against the PGO + BOLT binary.
  const saved = process.env.SEQPACK_NATIVE_PATH
  process.env.SEQPACK_NATIVE_PATH = boltNode
  let v
  try {
    v = await vitestStage({ root })
  } finally {
    if (saved === undefined) delete process.env.SEQPACK_NATIVE_PATH
    else process.env.SEQPACK_NATIVE_PATH = saved
  }
  console.log(`vitest against ${path.basename(boltNode)}: ${v.passed} passed, ${v.failed} failed`)
  return { passed: passed + v.passed, failed: failed + v.failed }
}
