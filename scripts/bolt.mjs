#!/usr/bin/env node
// BOLT (post-link layout optimization) of the addon.
//
//   node scripts/bolt.mjs                   # on a plain release build (unstripped, -Wl,-q)
//   node scripts/bolt.mjs --with-pgo        # on top of PGO (reuses .pgo/pgo-merged.profdata,
//                                           #   or gathers it first if missing)
//   node scripts/bolt.mjs --quick           # small training run (CI)
//   node scripts/bolt.mjs --workload tests  # train on the vitest suite
//   node scripts/bolt.mjs --fresh-pgo       # with --with-pgo: re-gather the PGO profile
//   node scripts/bolt.mjs --out x.node      # optimized output path
//
// Outputs: seqpack.<platform>[.pgo].bolt-optimized.node at the package root,
// the instrumented binary and profiles in .pgo/. Builds use target/bolt or
// target/bolt-pgo; the normal build is never touched.
import { argv, fs, path } from 'zx'
import { boltPipeline, buildBoltInput, hostTarget } from './lib/bolt.mjs'
import { gatherProfile, mergedProfile } from './lib/pgo.mjs'
import { checkFloor, human, root } from './lib/native-build.mjs'
import { findLlvmTools } from './lib/llvm.mjs'

const { napi } = await hostTarget()
const withPgo = Boolean(argv['with-pgo'])
const quick = Boolean(argv.quick)
const workload = argv.workload ?? 'train'
await findLlvmTools(['llvm-bolt', 'merge-fdata', ...(withPgo ? ['llvm-profdata'] : [])]) // fail before any build

const t0 = Date.now()
let profdata = null
if (withPgo) {
  if (argv['fresh-pgo'] || !fs.existsSync(mergedProfile)) {
    console.log('== no PGO profile yet: gathering one ==')
    profdata = (await gatherProfile({ workload, quick })).profdata
  } else {
    profdata = mergedProfile
    console.log(`== using PGO profile ${path.relative(root, profdata)} (pass --fresh-pgo to re-gather) ==`)
  }
}

console.log(`\n== BOLT input build (${withPgo ? 'PGO + ' : ''}-Wl,-q, release profile unstripped) ==`)
const input = await buildBoltInput({ profdata })
const base = `seqpack.${napi}${withPgo ? '.pgo' : ''}`
const r = await boltPipeline({
  input,
  base,
  out: argv.out ? path.resolve(root, argv.out) : undefined,
  workload,
  quick,
  keep: Boolean(argv['keep-profiles']),
})
// BOLT rewrites code, not imports, but the output is what ships: check it, not the input.
const floor = await checkFloor(r.out)

console.log(`
BOLT done in ${((Date.now() - t0) / 1000).toFixed(0)}s
  input:        ${path.relative(root, input)}${withPgo ? ' (PGO)' : ''}
  profile:      ${r.profile.files} .fdata file(s), ${human(r.profile.bytes)} -> ${human(r.profile.mergedBytes)} merged
  profiled:     ${r.stats.profiledFunctions} functions
  .note.bolt_info: ${r.note}
  instrumented: ${path.relative(root, r.instrumented)}
  output:       ${path.relative(root, r.out)} (${human((await fs.stat(r.out)).size)}, needs glibc ${floor})
  use it:       SEQPACK_NATIVE_PATH=${r.out} node your-app.mjs`)
