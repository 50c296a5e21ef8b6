// Which build artifacts are older than the sources they are built from, so
// tests never run against a stale addon or dist/. Shared by scripts/test.mjs
// (which rebuilds) and the vitest global setup (which refuses).
import { fs, path, glob } from 'zx'

export const root = path.resolve(import.meta.dirname, '..', '..')

const NATIVE_SOURCES = ['src/**/*.rs', 'crates/core/src/**/*.rs', 'crates/core/Cargo.toml', 'Cargo.toml', 'Cargo.lock', 'build.rs']
const TS_SOURCES = ['index.ts', 'loader.ts', 'native.d.ts', 'tsup.config.ts']

function newest(patterns) {
  let best = { file: null, mtime: 0 }
  for (const file of glob.globbySync(patterns, { cwd: root })) {
    const mtime = fs.statSync(path.join(root, file)).mtimeMs
    if (mtime > best.mtime) best = { file, mtime }
  }
  return best
}

function oldest(files) {
  let mtime = Infinity
  for (const f of files) mtime = Math.min(mtime, fs.existsSync(f) ? fs.statSync(f).mtimeMs : 0)
  return mtime
}

/**
 * `{ native, ts }`: a sentence saying why each artifact is stale, or null.
 * The addon is the local `seqpack.<platform>.node` at the root, unless
 * `SEQPACK_NATIVE_PATH` chooses another one (then it is the caller's choice).
 */
export function staleness() {
  const out = { native: null, ts: null }
  if (!process.env.SEQPACK_NATIVE_PATH) {
    // Only what the loader loads (`seqpack.<platform>.node`): the PGO/BOLT
    // variants (`seqpack.<platform>.pgo.node`, `.bolt-optimized.node`) sit
    // beside it and are the pipelines' outputs, not the addon under test.
    const nodes = glob
      .globbySync('seqpack.*.node', { cwd: root })
      .filter((f) => /^seqpack\.[a-z0-9]+(-[a-z0-9]+){1,2}\.node$/.test(f))
      .map((f) => path.join(root, f))
    const src = newest(NATIVE_SOURCES)
    if (nodes.length === 0) out.native = 'no local addon (seqpack.<platform>.node) is built'
    else if (src.mtime > oldest(nodes)) out.native = `${src.file} is newer than ${path.relative(root, nodes[0])}`
  }
  const dist = ['dist/index.mjs', 'dist/index.cjs'].map((f) => path.join(root, f))
  const src = newest(TS_SOURCES)
  if (src.mtime > oldest(dist)) out.ts = `${src.file} is newer than dist/`
  return out
}
