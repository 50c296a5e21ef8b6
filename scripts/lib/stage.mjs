// Builds the exact directories that are packed and published, in a staging
// area, so neither `npm pack` nor `npm publish` ever runs in (or dirties) the
// source tree:
//   - the main package: the `files` whitelist of the root package.json, with
//     `optionalDependencies` on every platform package at the same version
//     (see scripts/npm-dirs.mjs for why git does not carry them) and without
//     `scripts` (`prepare` builds from source; packing must not run it, and a
//     consumer must never see it) or `devDependencies`;
//   - a platform package: npm/<triple>/ plus its `.node` binary.
import { fs, path } from 'zx'
import { optionalDependencies } from '../npm-dirs.mjs'
import { platforms, rootManifest, writeJson } from './targets.mjs'

/** Files of the main package that must exist (the rest of `files`, e.g. LICENSE, is copied when present). */
const REQUIRED_PREFIX = 'dist/'

/** Stages the main package into `dest` (created); returns the manifest written. */
export function stageMain(root, dest) {
  const pkg = rootManifest(root)
  fs.mkdirpSync(dest)
  for (const f of pkg.files) {
    const src = path.join(root, f)
    if (!fs.existsSync(src)) {
      if (f.startsWith(REQUIRED_PREFIX)) throw new Error(`${f} is missing: run npm run build first`)
      continue
    }
    fs.copySync(src, path.join(dest, f))
  }
  const manifest = { ...pkg, optionalDependencies: optionalDependencies(root) }
  delete manifest.scripts
  delete manifest.devDependencies
  writeJson(path.join(dest, 'package.json'), manifest)
  return manifest
}

/** Stages the platform package `triple` with the binary at `binary` into `dest`; returns its manifest. */
export function stagePlatform(root, triple, binary, dest) {
  if (!platforms(root).some((p) => p.triple === triple)) throw new Error(`unknown platform ${triple}`)
  const src = path.join(root, 'npm', triple)
  const manifest = JSON.parse(fs.readFileSync(path.join(src, 'package.json'), 'utf8'))
  if (manifest.version !== rootManifest(root).version) {
    throw new Error(`npm/${triple} has version ${manifest.version}, root has ${rootManifest(root).version}: run node scripts/npm-dirs.mjs`)
  }
  if (!fs.existsSync(binary)) throw new Error(`binary for ${triple} not found at ${binary}`)
  fs.mkdirpSync(dest)
  fs.copySync(path.join(src, 'package.json'), path.join(dest, 'package.json'))
  fs.copySync(path.join(src, 'README.md'), path.join(dest, 'README.md'))
  fs.copySync(binary, path.join(dest, manifest.main))
  return manifest
}
