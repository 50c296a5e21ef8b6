#!/usr/bin/env node
// Publishes one release: every platform package, then the main package.
//
//   node scripts/publish.mjs --artifacts DIR [--dry-run] [--tag next]
//
// DIR holds the eight `seqpack.<triple>.node` files built by CI. Nothing is
// published unless every binary is present and npm/ matches package.json, and
// the main package goes last, so users can never install a `seqpack` whose
// platform packages do not exist yet. A version already on the registry is
// skipped, so re-running after a network failure finishes the release instead
// of failing on the first package. Publishing uses npm provenance (the release
// workflow grants `id-token: write`); `--dry-run` packs and checks everything
// without uploading (and without provenance, which needs CI's OIDC token).
//
// Every binary is checked first (scripts/check-binary.mjs): the header must be
// the target's format (ELF / Mach-O / PE) and architecture, and a glibc binary
// must need nothing newer than glibc 2.17. A prerelease version (1.2.0-rc.1)
// goes to the `next` dist-tag unless --tag says otherwise; `latest` is
// refused for it, so `npm install seqpack` never picks up a release candidate.
import { $, argv, fs, path } from 'zx'
import { checkBinary } from './check-binary.mjs'
import { sync } from './npm-dirs.mjs'
import { stageMain, stagePlatform } from './lib/stage.mjs'
import { distTagFor, platforms, rootManifest } from './lib/targets.mjs'

$.verbose = true
const root = path.resolve(import.meta.dirname, '..')
const dryRun = Boolean(argv['dry-run'])
if (!argv.artifacts) throw new Error('usage: publish.mjs --artifacts DIR [--dry-run] [--tag TAG]')
const artifacts = path.resolve(String(argv.artifacts))
const pkg = rootManifest(root)
const distTag = distTagFor(pkg.version, argv.tag)

const stale = await sync(root, { check: true })
if (stale.length) throw new Error(`npm/ is out of date (${stale.join(', ')}): run node scripts/npm-dirs.mjs and commit`)

const wanted = platforms(root).map((p) => ({ ...p, binary: path.join(artifacts, `${pkg.napi.binaryName}.${p.triple}.node`) }))
const missing = wanted.filter((p) => !fs.existsSync(p.binary))
if (missing.length) {
  throw new Error(`refusing to publish: missing binaries in ${artifacts}:\n  ${missing.map((p) => path.basename(p.binary)).join('\n  ')}`)
}

for (const p of wanted) console.log(await checkBinary(p.binary, p.rustTarget))

const staging = path.join(root, '.tmp', 'publish')
await fs.remove(staging)
const dirs = wanted.map((p) => {
  const dir = path.join(staging, p.triple)
  return { dir, manifest: stagePlatform(root, p.triple, p.binary, dir) }
})
const mainDir = path.join(staging, 'main')
dirs.push({ dir: mainDir, manifest: stageMain(root, mainDir) })

async function published(name, version) {
  if (dryRun) return false
  const r = await $({ nothrow: true, quiet: true })`npm view ${`${name}@${version}`} version`
  return r.exitCode === 0 && r.stdout.trim() === version
}

for (const { dir, manifest } of dirs) {
  if (await published(manifest.name, manifest.version)) {
    console.log(`${manifest.name}@${manifest.version} is already published: skipping`)
    continue
  }
  const flags = ['--access', 'public', '--tag', distTag]
  if (dryRun) flags.push('--dry-run')
  else flags.push('--provenance')
  await $`npm publish ${dir} ${flags}`
}
console.log(`${dryRun ? 'dry run: would have published' : 'published'} ${dirs.length} packages at ${pkg.version}`)

