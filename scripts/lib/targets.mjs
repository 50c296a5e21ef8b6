// The platforms seqpack ships binaries for, derived from `napi.targets` in the
// root package.json (the single source of truth; nothing else lists them).
import { fs, path } from 'zx'

/** Rust target triple -> the fields of its npm platform package. */
const ARCH = { x86_64: 'x64', aarch64: 'arm64' }

/**
 * Maps a Rust target triple to napi-rs' platform naming.
 * `x86_64-unknown-linux-musl` -> { triple: 'linux-x64-musl', os: 'linux', cpu: 'x64', libc: 'musl' }.
 * Throws on a target we do not know how to name, so a typo in package.json
 * fails loudly instead of producing a package nobody can install.
 */
export function platformOf(rustTarget) {
  const [archPart, , osPart, abi] = rustTarget.split('-')
  const cpu = ARCH[archPart]
  if (!cpu) throw new Error(`unsupported architecture in target ${rustTarget}`)
  if (osPart === 'linux' && (abi === 'gnu' || abi === 'musl')) {
    return { rustTarget, triple: `linux-${cpu}-${abi}`, os: 'linux', cpu, libc: abi === 'gnu' ? 'glibc' : 'musl' }
  }
  if (osPart === 'darwin') return { rustTarget, triple: `darwin-${cpu}`, os: 'darwin', cpu, libc: null }
  if (osPart === 'windows' && abi === 'msvc') return { rustTarget, triple: `win32-${cpu}-msvc`, os: 'win32', cpu, libc: null }
  throw new Error(`unsupported target ${rustTarget}`)
}

/** Reads the root package.json. */
export function rootManifest(root) {
  return JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'))
}

/** Every platform in `napi.targets`, in that order. */
export function platforms(root) {
  return rootManifest(root).napi.targets.map(platformOf)
}

/** Writes JSON the way npm does (2-space indent, trailing newline). */
export function writeJson(file, value) {
  fs.writeFileSync(file, JSON.stringify(value, null, 2) + '\n')
}

/** The dist-tag for `version`: `latest` for a release, `next` for a prerelease; an explicit `latest` on a prerelease is refused. */
export function distTagFor(version, requested) {
  const pre = version.includes('-')
  if (requested === undefined) return pre ? 'next' : 'latest'
  if (pre && String(requested) === 'latest') throw new Error(`refusing to publish prerelease ${version} under the latest dist-tag`)
  return String(requested)
}
