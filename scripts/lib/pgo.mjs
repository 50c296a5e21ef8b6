// The PGO pipeline as functions (used by pgo.mjs, bolt.mjs --with-pgo and
// compare-builds.mjs):
//   1. instrumented build: -Cprofile-generate=<abs dir>, own target dir;
//   2. training run under node, one .profraw per process (%m_%p);
//   3. llvm-profdata merge (an llvm-profdata of rustc's LLVM major);
//   4. optimized build: -Cprofile-use=<file> -Cllvm-args=-pgo-warn-missing-function,
//      same profile and target otherwise, warnings counted.
import { $, fs, path } from 'zx'
import { findLlvmTool } from './llvm.mjs'
import { buildAddon, filesWithExt, hostTarget, human, place, runWorkload, workDir } from './native-build.mjs'

export const profileDir = path.join(workDir, 'pgo-profiles')
export const mergedProfile = path.join(workDir, 'pgo-merged.profdata')

/** rustc flags of the profile-optimized build (the same for PGO alone and PGO under BOLT). */
export function pgoUseFlags(profdata) {
  return [`-Cprofile-use=${profdata}`, '-Cllvm-args=-pgo-warn-missing-function']
}

/**
 * Instrumented build + training run + merge. Returns the merged .profdata
 * path and statistics. The profile directory is emptied first unless `keep`
 * (then new runs add to the old ones and the merge covers all).
 */
export async function gatherProfile({ workload = 'train', quick = false, keep = false, profile = 'release' } = {}) {
  const profdataTool = await findLlvmTool('llvm-profdata') // fail before spending a build
  const { napi } = await hostTarget()
  if (!keep) await fs.remove(profileDir)
  await fs.mkdirp(profileDir)

  console.log('\n== PGO 1/3: instrumented build ==')
  const gen = await buildAddon({ dir: 'pgo-gen', profile, rustflags: [`-Cprofile-generate=${profileDir}`] })
  const instrumented = await place(gen.lib, path.join(workDir, `seqpack.${napi}.pgo-instrumented.node`))

  console.log(`\n== PGO 2/3: training (${workload}${quick ? ', quick' : ''}) ==`)
  const trainSeconds = await runWorkload({
    workload,
    quick,
    nodeFile: instrumented,
    env: { LLVM_PROFILE_FILE: path.join(profileDir, '%m_%p.profraw') },
  })
  const raw = await filesWithExt(profileDir, '.profraw')
  if (raw.files.length === 0) throw new Error(`training wrote no .profraw files to ${profileDir}: was the instrumented addon loaded?`)

  console.log('\n== PGO 3/3: merge ==')
  await fs.remove(mergedProfile)
  await $({ verbose: true })`${profdataTool} merge -o ${mergedProfile} ${raw.files}`
  const mergedBytes = (await fs.stat(mergedProfile)).size
  const summary = (await $({ quiet: true, nothrow: true })`${profdataTool} show ${mergedProfile}`).stdout
  const functions = Number(summary.match(/Total functions:\s*(\d+)/)?.[1] ?? NaN)
  const stats = {
    workload,
    trainSeconds,
    profraw: raw.files.length,
    profrawBytes: raw.bytes,
    profdataBytes: mergedBytes,
    functions,
    tool: profdataTool,
  }
  console.log(
    `profile: ${stats.profraw} .profraw file(s), ${human(stats.profrawBytes)} before merge -> ` +
      `${human(stats.profdataBytes)} .profdata (${functions} functions with counters), training ${trainSeconds.toFixed(1)}s`,
  )
  return { profdata: mergedProfile, stats }
}

/** Missing-function and mismatch warnings LLVM printed during a -Cprofile-use build. */
export function pgoWarnings(stderr) {
  const lines = stderr.split('\n')
  const missing = lines.filter((l) => /no profile data available for function/i.test(l))
  const mismatch = lines.filter((l) => /(function control flow change detected|hash mismatch|profile data may be out of date)/i.test(l))
  return { missing: missing.length, mismatch: mismatch.length, missingLines: missing, mismatchLines: mismatch }
}

/** Profile-optimized build into `dir` (always rebuilt: see buildAddon's `fresh`). */
export async function buildWithProfile({ profdata, dir = 'pgo-use', profile = 'release', extraFlags = [], env = {} }) {
  if (!fs.existsSync(profdata)) throw new Error(`profile ${profdata} does not exist: run scripts/pgo.mjs first`)
  const r = await buildAddon({ dir, profile, rustflags: [...pgoUseFlags(profdata), ...extraFlags], fresh: true, env })
  const w = pgoWarnings(r.stderr)
  console.log(`profile-use build: ${w.missing} missing-function warning(s), ${w.mismatch} mismatch warning(s) in ${r.seconds.toFixed(0)}s`)
  for (const l of w.missingLines.slice(0, 10)) console.log(`  ${l.trim()}`)
  if (w.missing > 10) console.log(`  ... and ${w.missing - 10} more`)
  for (const l of w.mismatchLines.slice(0, 10)) console.log(`  ${l.trim()}`)
  return { lib: r.lib, warnings: w, stderr: r.stderr }
}
