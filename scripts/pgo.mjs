#!/usr/bin/env node
// Profile-guided optimization of the addon.
//
//   node scripts/pgo.mjs                     # train on bench/workloads/train.mjs
//   node scripts/pgo.mjs --quick             # smaller training run (CI)
//   node scripts/pgo.mjs --workload tests    # train on the vitest suite instead
//   node scripts/pgo.mjs --keep-profiles     # add to the previous profiles instead of clearing them
//   node scripts/pgo.mjs --out x.node        # output file (default seqpack.<platform>.pgo.node)
//   node scripts/pgo.mjs --profile profiling # cargo profile (default release)
//
// Instrumented and optimized builds live in target/pgo-gen and target/pgo-use,
// profiles in .pgo/; the result gets a new name, so the normal build
// (seqpack.<platform>.node, target/release) is never touched. Use the result
// with SEQPACK_NATIVE_PATH=<file>, or copy it over the normal name to ship it.
import { argv, path } from 'zx'
import { gatherProfile, buildWithProfile } from './lib/pgo.mjs'
import { checkFloor, hostTarget, human, place, root } from './lib/native-build.mjs'
import { fs } from 'zx'

const { napi } = await hostTarget()
const profile = argv.profile ?? 'release'
const out = path.resolve(root, argv.out ?? `seqpack.${napi}.pgo.node`)
if (path.basename(out) === `seqpack.${napi}.node`) throw new Error(`--out must not overwrite the normal build (${path.basename(out)})`)

const t0 = Date.now()
const { profdata, stats } = await gatherProfile({
  workload: argv.workload ?? 'train',
  quick: Boolean(argv.quick),
  keep: Boolean(argv['keep-profiles']),
  profile,
})

console.log('\n== PGO: optimized build ==')
const { lib, warnings } = await buildWithProfile({ profdata, profile })
await place(lib, out)
const floor = await checkFloor(out)

console.log(`
PGO done in ${((Date.now() - t0) / 1000).toFixed(0)}s
  training:     ${stats.workload}, ${stats.profraw} .profraw file(s), ${human(stats.profrawBytes)} -> ${human(stats.profdataBytes)} merged (${stats.functions} functions)
  llvm-profdata ${stats.tool}
  warnings:     ${warnings.missing} function(s) without profile data, ${warnings.mismatch} profile mismatch(es)
  output:       ${path.relative(root, out)} (${human((await fs.stat(out)).size)}, needs glibc ${floor})
  use it:       SEQPACK_NATIVE_PATH=${out} node your-app.mjs`)
