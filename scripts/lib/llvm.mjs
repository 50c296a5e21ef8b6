// Finds LLVM tools (llvm-profdata, llvm-bolt, merge-fdata) whose LLVM major
// version equals the one rustc was built with.
//
// Why: rustc writes profiles in its own LLVM's format. An older llvm-profdata
// (Debian's default /usr/bin/llvm-profdata is LLVM 14 while rustc 1.95 uses
// LLVM 22) fails with "unsupported instrumentation profile format version",
// and a newer one may write a .profdata the compiler cannot read. So we never
// trust whatever is first on PATH: every candidate's `--version` is checked.
import { $, fs, path } from 'zx'

/** LLVM major version of the active rustc (`rustc -vV`, line "LLVM version: 22.1.2"). */
export async function rustcLlvmMajor() {
  const out = (await $({ quiet: true })`rustc -vV`).stdout
  const m = out.match(/^LLVM version:\s*(\d+)/m)
  if (!m) throw new Error(`cannot find "LLVM version" in \`rustc -vV\` output:\n${out}`)
  return Number(m[1])
}

/**
 * Major version printed by `<tool> --version` ("LLVM version 22.1.8"), or null
 * if it cannot be told. Old llvm-profdata (14) only answers `merge --version`.
 */
export async function toolLlvmMajor(file) {
  for (const args of [['--version'], ['merge', '--version']]) {
    const p = await $({ quiet: true, nothrow: true })`${file} ${args}`
    const m = (p.stdout + p.stderr).match(/LLVM version\s+(\d+)/)
    if (p.exitCode === 0 && m) return Number(m[1])
  }
  return null
}

function onPath(name) {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    if (!dir) continue
    const f = path.join(dir, name)
    try {
      fs.accessSync(f, fs.constants.X_OK)
      return f
    } catch {}
  }
  return null
}

/** Debian/Ubuntu package that provides a tool (for the error message). */
const PACKAGE = { 'llvm-profdata': 'llvm', 'llvm-bolt': 'bolt', 'merge-fdata': 'bolt' }

/**
 * Returns the absolute path of `tool` built from LLVM `major` (default: rustc's).
 * Candidates, in order: `<tool>-<major>` on PATH, `<tool>` on PATH,
 * `/usr/lib/llvm-<major>/bin/<tool>`. Throws an Error naming every candidate
 * found with its version, and the package to install, if none matches.
 */
export async function findLlvmTool(tool, major) {
  major ??= await rustcLlvmMajor()
  const candidates = [onPath(`${tool}-${major}`), onPath(tool), `/usr/lib/llvm-${major}/bin/${tool}`]
  const seen = []
  for (const c of [...new Set(candidates.filter(Boolean))]) {
    if (!fs.existsSync(c)) continue
    const v = await toolLlvmMajor(c)
    if (v === major) return c
    seen.push(`${c} is ${v === null ? 'not runnable or prints no LLVM version' : `LLVM ${v}`}`)
  }
  const pkg = `${PACKAGE[tool] ?? 'llvm'}-${major}`
  const found = seen.length ? seen.join('; ') : `no ${tool} found on PATH or in /usr/lib/llvm-${major}/bin`
  throw new Error(`${found}; rustc uses LLVM ${major} and needs ${tool} from LLVM ${major}: apt-get install ${pkg} (or put ${tool}-${major} on PATH)`)
}

/** Finds several tools at once; returns { [tool]: path }. */
export async function findLlvmTools(tools) {
  const major = await rustcLlvmMajor()
  const out = {}
  for (const t of tools) out[t] = await findLlvmTool(t, major)
  return out
}
