// Building the addon with extra rustc flags in an isolated target directory,
// and running workloads against a given .node. Shared by pgo.mjs, bolt.mjs and
// compare-builds.mjs.
//
// Why not `napi build`: these builds need their own --target-dir (so the
// normal build cache is never polluted by instrumented or profile-optimized
// artifacts) and exact RUSTFLAGS; `cargo build --lib` of the cdylib is what
// napi build runs on Linux, and the .so is the .node.
//
// Linux gnu builds link with napi-rs' cross toolchain (gcc against a glibc
// 2.17 sysroot, cached by scripts/cross.mjs), like the release build, so a
// PGO/BOLT binary that replaces the plain one keeps the 2.17 floor;
// `checkFloor` verifies that on the final output.
import { $, fs, path } from 'zx'
import { ensureCrossToolchain } from '../cross.mjs'
import { assertGlibcFloor } from './glibc.mjs'

export const root = path.resolve(import.meta.dirname, '..', '..')
/** Scratch space for profiles and intermediate binaries (gitignored). */
export const workDir = path.join(root, '.pgo')

/** napi platform names of the hosts the PGO/BOLT pipeline supports. */
const NAPI_NAME = {
  'x86_64-unknown-linux-gnu': 'linux-x64-gnu',
  'aarch64-unknown-linux-gnu': 'linux-arm64-gnu',
}

/** Host triple from `rustc -vV`, and its napi name (e.g. linux-x64-gnu). */
export async function hostTarget() {
  const out = (await $({ quiet: true })`rustc -vV`).stdout
  const triple = out.match(/^host:\s*(\S+)/m)?.[1]
  const napi = NAPI_NAME[triple]
  if (!napi) throw new Error(`PGO/BOLT builds are set up for ${Object.keys(NAPI_NAME).join(', ')}; this host is ${triple}`)
  return { triple, napi }
}

/** `target/<name>` or an absolute dir. */
export function targetDir(name) {
  return path.isAbsolute(name) ? name : path.join(root, 'target', name)
}

/**
 * `cargo build --lib` of the addon for an explicit `--target` (so build
 * scripts and proc-macros, which run on the host, get none of `rustflags`)
 * into `targetDir`. `fresh` deletes the target-triple artifacts first: cargo
 * does not notice when the *contents* of a -Cprofile-use file change, and a
 * cached build would also print no PGO warnings. Host artifacts (proc-macros,
 * build scripts) are kept. `env` adds variables (e.g. CARGO_PROFILE_*
 * overrides). Returns { lib, stderr, seconds }.
 */
export async function buildAddon({ dir, profile = 'release', rustflags = [], fresh = false, env: extraEnv = {} }) {
  const { triple } = await hostTarget()
  const tdir = targetDir(dir)
  const profDir = profile === 'dev' ? 'debug' : profile
  if (fresh) await fs.remove(path.join(tdir, triple, profDir))
  // CARGO_ENCODED_RUSTFLAGS (0x1f-separated) survives spaces in paths; user flags are kept.
  const user = process.env.CARGO_ENCODED_RUSTFLAGS ?? (process.env.RUSTFLAGS ?? '').split(/\s+/).filter(Boolean).join('\x1f')
  const encoded = [...(user ? user.split('\x1f') : []), ...rustflags].join('\x1f')
  const env = { ...process.env, ...extraEnv, CARGO_ENCODED_RUSTFLAGS: encoded }
  delete env.RUSTFLAGS
  const linkerVar = `CARGO_TARGET_${triple.toUpperCase().replace(/-/g, '_')}_LINKER`
  if (!env[linkerVar]) env[linkerVar] = (await ensureCrossToolchain(triple.split('-')[0])).gcc
  console.log(`$ cargo build --lib -p seqpack-node --profile ${profile} --target ${triple} --target-dir ${path.relative(root, tdir)}  [rustflags: ${rustflags.join(' ') || '(none)'}]`)
  const t0 = Date.now()
  const p = await $({ cwd: root, env, nothrow: true, quiet: true })`cargo build --lib -p seqpack-node --profile ${profile} --target ${triple} --target-dir ${tdir} --color never`
  const stderr = p.stderr
  if (p.exitCode !== 0) {
    process.stderr.write(stderr)
    throw new Error(`cargo build failed (exit ${p.exitCode}) in ${tdir}`)
  }
  const lib = path.join(tdir, triple, profDir, 'libseqpack_node.so')
  if (!fs.existsSync(lib)) throw new Error(`cargo build succeeded but ${lib} is missing`)
  return { lib, stderr, seconds: (Date.now() - t0) / 1000 }
}

/** Throws if the linux-gnu binary `file` needs a glibc above the 2.17 release floor; returns what it needs. */
export async function checkFloor(file) {
  const { triple } = await hostTarget()
  const objdump = triple.startsWith('x86_64') ? 'objdump' : path.join((await ensureCrossToolchain('aarch64')).dir, 'bin', 'aarch64-unknown-linux-gnu-objdump')
  const v = await assertGlibcFloor(file, { objdump })
  console.log(`glibc floor: ${path.basename(file)} needs glibc ${v} (release floor 2.17)`)
  return v
}

/** Copies `from` to `to` (creating dirs) and returns `to`. */
export async function place(from, to) {
  await fs.mkdirp(path.dirname(to))
  await fs.copy(from, to, { overwrite: true })
  return to
}

/** Builds dist/ (the TS layer the workloads import) if it is missing. */
export async function ensureDist() {
  if (!fs.existsSync(path.join(root, 'dist', 'index.mjs'))) await $({ cwd: root })`npx tsup`
}

/**
 * Runs a training workload with `nodeFile` as the addon:
 * `train` = bench/workloads/train.mjs, `tests` = the vitest suite.
 * `env` adds variables (LLVM_PROFILE_FILE for PGO). Throws if it fails: a
 * profile from a crashed run would be partial.
 */
export async function runWorkload({ workload = 'train', nodeFile, quick = false, env = {} }) {
  await ensureDist()
  const fullEnv = { ...process.env, ...env, SEQPACK_NATIVE_PATH: path.resolve(nodeFile) }
  let cmd
  if (workload === 'train') cmd = ['node', path.join(root, 'bench', 'workloads', 'train.mjs'), ...(quick ? ['--quick'] : [])]
  else if (workload === 'tests') cmd = ['npx', 'vitest', 'run', '--passWithNoTests']
  else throw new Error(`unknown workload ${workload} (train or tests)`)
  console.log(`$ SEQPACK_NATIVE_PATH=${path.relative(root, fullEnv.SEQPACK_NATIVE_PATH)} ${cmd.join(' ')}`)
  const t0 = Date.now()
  await $({ cwd: root, env: fullEnv, verbose: false, quiet: false })`${cmd}`
  return (Date.now() - t0) / 1000
}

/** Files in `dir` ending with `ext` and their total size. */
export async function filesWithExt(dir, ext) {
  if (!fs.existsSync(dir)) return { files: [], bytes: 0 }
  const files = (await fs.readdir(dir)).filter((f) => f.endsWith(ext)).map((f) => path.join(dir, f))
  let bytes = 0
  for (const f of files) bytes += (await fs.stat(f)).size
  return { files, bytes }
}

export function human(bytes) {
  if (bytes < 1024) return `${bytes} B`
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`
  return `${(bytes / 1024 / 1024).toFixed(2)} MiB`
}
