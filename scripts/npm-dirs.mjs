#!/usr/bin/env node
// Generates the per-platform npm packages `npm/<triple>/` (package.json and
// README.md) from the root package.json, with @napi-rs/cli's
// `napi create-npm-dirs` (its programmatic API, into a scratch directory)
// plus what it does not do:
//   - `--check` for CI (the CLI can only write);
//   - a description and README saying what the package is and that users
//     install seqpack instead (the CLI copies the main package's description),
//     `repository.directory` and `publishConfig.access`;
//   - reporting directories of targets dropped from napi.targets.
//
//   node scripts/npm-dirs.mjs           # write npm/*/
//   node scripts/npm-dirs.mjs --check   # exit 1 if anything is out of date (CI)
//
// The output is a pure function of the root package.json, so running it twice
// changes nothing. The `.node` binaries are not written here: CI drops them in
// at release time (scripts/publish.mjs).
//
// The root package.json in git deliberately has NO optionalDependencies: until
// a version's platform packages are published, `npm ci` of the repository would
// fail on them ("Missing: seqpack-linux-x64-gnu from lock file"), and every
// version bump would break it again. `optionalDependencies()` below is added to
// the manifest that is packed and published (scripts/lib/stage.mjs): that is
// how `npm install seqpack` gets the one binary for the user's platform.
import { NapiCli } from '@napi-rs/cli'
import { argv, fs, path } from 'zx'
import { platforms, rootManifest } from './lib/targets.mjs'

const root = path.resolve(import.meta.dirname, '..')

const OS_NAME = { linux: 'Linux', darwin: 'macOS', win32: 'Windows' }

/** Human name of a platform: "Linux x64 (musl)". */
function platformName(p) {
  return `${OS_NAME[p.os]} ${p.cpu}${p.libc ? ` (${p.libc})` : ''}`
}

/** `{ "seqpack-<triple>": version }` for every platform, at the root's version. */
export function optionalDependencies(rootDir) {
  const rootPkg = rootManifest(rootDir)
  return Object.fromEntries(platforms(rootDir).map((p) => [`${rootPkg.napi.packageName}-${p.triple}`, rootPkg.version]))
}

/**
 * The package.json of one platform package: the CLI's manifest `cli` with our
 * description, `repository.directory` and `publishConfig`, keys in the CLI's order.
 */
export function platformManifest(rootPkg, p, cli) {
  const m = { ...cli }
  m.description = `Prebuilt ${rootPkg.name} native addon for ${platformName(p)}. Install ${rootPkg.name}, not this package.`
  delete m.keywords
  if (m.repository) m.repository = { ...rootPkg.repository, directory: `npm/${p.triple}` }
  m.publishConfig = { access: 'public' }
  // The CLI must agree with our own naming (scripts/lib/targets.mjs), which the loader and publish rely on.
  const want = { name: `${rootPkg.napi.packageName}-${p.triple}`, main: `${rootPkg.napi.binaryName}.${p.triple}.node`, os: [p.os], cpu: [p.cpu], libc: p.libc ? [p.libc] : undefined }
  for (const [k, v] of Object.entries(want)) {
    if (JSON.stringify(m[k]) !== JSON.stringify(v)) throw new Error(`napi create-npm-dirs wrote ${k}=${JSON.stringify(m[k])} for ${p.rustTarget}, expected ${JSON.stringify(v)}`)
  }
  return m
}

function readme(rootPkg, p, manifest) {
  return `# ${manifest.name}

The prebuilt native addon of [${rootPkg.name}](https://www.npmjs.com/package/${rootPkg.name})
(\`${manifest.main}\`, built from Rust target \`${p.rustTarget}\`).

Do not install this package directly: \`npm install ${rootPkg.name}\` pulls it in
as an optional dependency on ${platformName(p)} and skips it elsewhere.
`
}

/** Every file this script owns, as { path: contents }: napi create-npm-dirs into a scratch dir, then ours on top. */
export async function generate(rootDir) {
  const rootPkg = rootManifest(rootDir)
  const scratch = path.join(rootDir, '.tmp', `npm-dirs-${process.pid}`)
  await fs.remove(scratch)
  // The CLI logs one line per directory it creates (in a scratch dir: noise here).
  const saved = { log: console.log, info: console.info }
  try {
    console.log = console.info = () => {}
    await new NapiCli().createNpmDirs({ cwd: rootDir, npmDir: path.relative(rootDir, scratch) })
  } finally {
    Object.assign(console, saved)
  }
  const files = {}
  try {
    for (const p of platforms(rootDir)) {
      const cli = JSON.parse(fs.readFileSync(path.join(scratch, p.triple, 'package.json'), 'utf8'))
      const m = platformManifest(rootPkg, p, cli)
      const dir = path.join(rootDir, 'npm', p.triple)
      files[path.join(dir, 'package.json')] = JSON.stringify(m, null, 2) + '\n'
      files[path.join(dir, 'README.md')] = readme(rootPkg, p, m)
    }
  } finally {
    await fs.remove(scratch)
  }
  return files
}

/** Writes (or with `check`, only lists) the files that differ; returns the stale paths. */
export async function sync(rootDir, { check = false } = {}) {
  const stale = []
  for (const [file, text] of Object.entries(await generate(rootDir))) {
    const old = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : null
    if (old === text) continue
    stale.push(path.relative(rootDir, file))
    if (!check) {
      fs.mkdirpSync(path.dirname(file))
      fs.writeFileSync(file, text)
    }
  }
  // Directories of targets that were removed from napi.targets.
  const known = new Set(platforms(rootDir).map((p) => p.triple))
  const npmDir = path.join(rootDir, 'npm')
  for (const d of fs.existsSync(npmDir) ? fs.readdirSync(npmDir) : []) {
    if (!known.has(d)) stale.push(`npm/${d} (not in napi.targets: delete it)`)
  }
  return stale
}

async function main() {
  const stale = await sync(root, { check: Boolean(argv.check) })
  if (argv.check) {
    if (stale.length) {
      console.error(`npm/ is out of date; run node scripts/npm-dirs.mjs:\n  ${stale.join('\n  ')}`)
      process.exit(1)
    }
    console.log('npm/ is up to date')
  } else {
    console.log(stale.length ? `updated:\n  ${stale.join('\n  ')}` : 'nothing to update')
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === import.meta.filename) await main()
