// The release binaries of the other Linux targets, built and tested for real
// (scripts/cross.mjs): linux-arm64-gnu, linux-x64-musl and linux-arm64-musl
// each run the vitest suite under their own Node 22 and 24 (arm64 through
// qemu-user), linux-x64-gnu is rebuilt against the glibc 2.17 sysroot and
// tested under the Node 22 and 24 wheels, and darwin-arm64 must compile.
// Every gnu binary must pass the glibc 2.17 floor check.
//
// One passed/failed per target build and per (target, Node) suite run, so the
// closing line says exactly what ran; the per-test counts are printed.
//
// Under CI=true the toolchains are installed and cached in
// ~/.cache/seqpack-tools/cross (about 1 GB of downloads; std is built for
// musl and darwin). Measured on this 2-core machine while other builds ran:
// builds of 2-6 min per target, the suite in 12-25 s per x64 Node and 2-6 min
// per arm64 Node under qemu; about 35-45 min for the whole stage from a cold
// cache. The cargo target directory is cached, so a later run rebuilds only
// what changed. Elsewhere the stage is skipped, with what it would have done.
import { inCI } from '../lib/run.mjs'

export const name = 'cross'

/** The cached cross target dir (about 2 GB for five targets with build-std); the downloaded toolchains stay cached. */
export const scratch = async () => [(await import('../cross.mjs')).crossTargetDir]

export async function stage() {
  if (!inCI) {
    return {
      passed: 0,
      failed: 0,
      skipped: 'outside CI: not building linux-arm64-gnu, linux-x64-musl, linux-arm64-musl, darwin-arm64 nor the glibc 2.17 linux-x64-gnu, and not running vitest under their Node 22/24 (run `npm run cross`, or CI=true npm test)',
    }
  }
  if (process.platform !== 'linux' || process.arch !== 'x64') {
    return { passed: 0, failed: 0, skipped: `cross builds run on x86_64 Linux; this is ${process.platform}-${process.arch}` }
  }
  const { main } = await import('../cross.mjs')
  // Every target is built and checked, the x64 ones are tested under Node 22
  // and 24; the qemu-emulated arm64 ones under Node 24 only (each emulated
  // suite run takes minutes; both majors there would push .ci/run toward its
  // 90-minute limit). `npm run cross` runs both majors on every target.
  const { results } = await main({ targets: ['linux-x64-gnu', 'linux-arm64-gnu', 'linux-x64-musl', 'linux-arm64-musl', 'darwin-arm64'], test: true, qemuNodes: ['24'] })
  let passed = 0
  let failed = 0
  for (const r of results) {
    const built = Boolean(r.build) && !(r.error && !r.tests.length)
    if (built) passed++
    else failed++
    console.log(`${built ? 'ok  ' : 'FAIL'} build ${r.triple}${r.build ? ` (${r.build.seconds.toFixed(0)}s${r.glibc ? `, glibc ${r.glibc}` : ''})` : ''}${r.error ? `: ${r.error}` : ''}`)
    for (const t of r.tests) {
      if (t.ok) passed++
      else failed++
      console.log(`${t.ok ? 'ok  ' : 'FAIL'} vitest ${r.triple} node ${t.node}: ${t.passed} passed, ${t.failed} failed (${t.seconds.toFixed(0)}s)`)
    }
  }
  return { passed, failed }
}
