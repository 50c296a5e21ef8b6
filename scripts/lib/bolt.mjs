// The BOLT pipeline for the addon (a shared library), as functions used by
// bolt.mjs and compare-builds.mjs:
//   1. build with relocations kept (-Clink-args=-Wl,-q) and symbols (release
//      profile, strip turned off), optionally with the PGO profile;
//   2. llvm-bolt -instrument on the .node itself, one .fdata per process;
//   3. the training workload under node with SEQPACK_NATIVE_PATH on it;
//   4. merge-fdata, then llvm-bolt with the profile (block and function
//      layout, hot/cold splitting, identical code folding);
//   5. check `.note.bolt_info`.
// Outputs get new names (.bolt-instrumented / .bolt-optimized); the input is
// checked to be un-BOLTed, so nothing is instrumented or optimized twice.
import { $, fs, path } from 'zx'
import { findLlvmTools } from './llvm.mjs'
import { buildAddon, filesWithExt, hostTarget, human, place, root, runWorkload, workDir } from './native-build.mjs'
import { buildWithProfile } from './pgo.mjs'

export const fdataDir = path.join(workDir, 'bolt-profiles')

/** The llvm-bolt optimization flags (documented in docs/build-optimization.md). */
export const BOLT_OPT_FLAGS = [
  '-reorder-blocks=ext-tsp',
  '-reorder-functions=cdsort',
  '-split-functions',
  '-split-all-cold',
  '-split-eh',
  '-icf=all',
  '-dyno-stats',
]

/** Contents of `.note.bolt_info`, or null if the file was never processed by BOLT. */
export async function boltInfo(file) {
  const p = await $({ quiet: true, nothrow: true })`readelf -p .note.bolt_info ${file}`
  const text = p.stdout + p.stderr
  if (p.exitCode !== 0 || /was not dumped|could not find|no such section/i.test(text) || !/BOLT/i.test(text)) return null
  return text
    .split('\n')
    .map((l) => l.replace(/^\s*\[\s*\w+\]\s*/, '').trim())
    .filter((l) => /BOLT/.test(l))
    .join(' ')
}

/**
 * Builds the BOLT input: the `release` profile with stripping turned off
 * (CARGO_PROFILE_RELEASE_STRIP=none: BOLT needs the symbol table) and
 * -Wl,-q (relocations kept), and with `profdata` the same -Cprofile-use
 * flags as the PGO build. Why not the `profiling` profile: its debug info
 * changes the compiled functions enough that a profile gathered on the
 * release build misses hundreds of them (measured: 229 missing-function
 * warnings vs 0); strip only affects the link. Returns the library path.
 */
export async function buildBoltInput({ profdata = null } = {}) {
  const q = ['-Clink-args=-Wl,-q']
  const env = { CARGO_PROFILE_RELEASE_STRIP: 'none' }
  if (profdata) return (await buildWithProfile({ profdata, dir: 'bolt-pgo', extraFlags: q, env })).lib
  return (await buildAddon({ dir: 'bolt', rustflags: q, env })).lib
}

/**
 * Instruments `input`, trains, merges and optimizes. `base` names the outputs
 * (`<base>.bolt-instrumented.node` in .pgo/, `<base>.bolt-optimized.node` at `out`).
 */
export async function boltPipeline({ input, base, out, workload = 'train', quick = false, keep = false }) {
  const tools = await findLlvmTools(['llvm-bolt', 'merge-fdata'])
  const info = await boltInfo(input)
  if (info) throw new Error(`${input} was already processed by BOLT (${info}); BOLT needs the linker's output`)
  const instrumented = path.join(workDir, `${base}.bolt-instrumented.node`)
  out ??= path.join(root, `${base}.bolt-optimized.node`)
  for (const f of [instrumented, out]) await fs.remove(f)

  console.log('\n== BOLT 1/3: instrument ==')
  if (!keep) await fs.remove(fdataDir)
  await fs.mkdirp(fdataDir)
  await $({ verbose: true })`${tools['llvm-bolt']} ${input} -instrument --instrumentation-file=${path.join(fdataDir, 'prof')} --instrumentation-file-append-pid -o ${instrumented}`

  console.log(`\n== BOLT 2/3: training (${workload}${quick ? ', quick' : ''}) ==`)
  const trainSeconds = await runWorkload({ workload, quick, nodeFile: instrumented })
  const raw = await filesWithExt(fdataDir, '.fdata')
  if (raw.files.length === 0) throw new Error(`training wrote no .fdata files to ${fdataDir}: was the instrumented addon loaded?`)
  const merged = path.join(workDir, `${base}.merged.fdata`)
  const m = await $({ quiet: true })`${tools['merge-fdata']} ${raw.files}`
  await fs.writeFile(merged, m.stdout)
  const mergedBytes = (await fs.stat(merged)).size
  console.log(`profile: ${raw.files.length} .fdata file(s), ${human(raw.bytes)} before merge -> ${human(mergedBytes)} merged, training ${trainSeconds.toFixed(1)}s`)

  console.log('\n== BOLT 3/3: optimize ==')
  const opt = await $({ quiet: true, nothrow: true })`${tools['llvm-bolt']} ${input} -data ${merged} -o ${out} ${BOLT_OPT_FLAGS}`
  const log = opt.stdout + opt.stderr
  if (opt.exitCode !== 0) {
    process.stderr.write(log)
    throw new Error(`llvm-bolt optimize failed (exit ${opt.exitCode})`)
  }
  const note = await boltInfo(out)
  if (!note) throw new Error(`${out} has no .note.bolt_info: BOLT did not process it`)
  const stats = boltStats(log)
  for (const l of stats.highlights) console.log(`  ${l}`)
  return { out, instrumented, merged, note, stats, profile: { files: raw.files.length, bytes: raw.bytes, mergedBytes, trainSeconds } }
}

/** Picks the informative lines of llvm-bolt's output (profile coverage, dyno-stats deltas). */
export function boltStats(log) {
  const lines = log.split('\n').map((l) => l.trim())
  const highlights = lines.filter((l) =>
    /(profiled functions|functions with profile|stale|out of \d+ functions|executed forward branches|taken branches|total branches|executed instructions|icf folded|splitting)/i.test(l),
  )
  const profiled = log.match(/(\d+) out of (\d+) functions in the binary \(([\d.]+)%\) have non-empty execution profile/)
  return {
    highlights: highlights.slice(0, 20),
    profiledFunctions: profiled ? `${profiled[1]}/${profiled[2]} (${profiled[3]}%)` : 'unknown',
  }
}

export { hostTarget, place }
