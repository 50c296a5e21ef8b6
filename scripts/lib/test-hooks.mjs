// The addon with the `test-hooks` cargo feature (`panicForTesting`), for the
// tests only: a debug build in the normal target dir (cargo keeps both
// feature sets cached side by side), copied next to it as a .node file.
import { $, fs, path } from 'zx'
import { root } from './fresh.mjs'

const LIB = { linux: 'libseqpack_node.so', darwin: 'libseqpack_node.dylib', win32: 'seqpack_node.dll' }

/** Builds (incrementally) and returns the path of the test-hooks addon. */
export async function buildTestHooksAddon() {
  const lib = LIB[process.platform]
  if (!lib) throw new Error(`no test-hooks build set up for ${process.platform}`)
  await $({ cwd: root, quiet: true })`cargo build --lib -p seqpack-node --features test-hooks --color never`
  const out = path.join(root, 'target', 'test-hooks', 'seqpack.node')
  await fs.mkdirp(path.dirname(out))
  await fs.copy(path.join(root, 'target', 'debug', lib), out, { overwrite: true })
  return out
}
