// The glibc floor of a linux-gnu `.node`: the newest GLIBC_x.y symbol version
// it imports. Releases promise glibc 2.17 (RHEL/CentOS 7 era toolchains,
// Amazon Linux 2, Ubuntu 20.04 and everything newer): a binary linked against
// this machine's glibc silently needs 2.34 and fails to dlopen on all of them.
import { $ } from 'zx'

/** The glibc version every published linux-gnu binary must load on. */
export const GLIBC_FLOOR = '2.17'

function cmp(a, b) {
  const x = a.split('.').map(Number)
  const y = b.split('.').map(Number)
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    const d = (x[i] ?? 0) - (y[i] ?? 0)
    if (d) return d
  }
  return 0
}

/**
 * Every GLIBC_x.y version the dynamic symbol table of `file` references, with
 * the symbols that need it, from `objdump -T` (`objdump` must understand the
 * file's architecture: the cross toolchain's own objdump for aarch64).
 * Returns { max, needs: Map<version, symbol[]> }; max is null for a binary
 * that imports nothing versioned (musl, static).
 */
export async function glibcVersions(file, objdump = 'objdump') {
  const out = (await $({ quiet: true })`${objdump} -T ${file}`).stdout
  const needs = new Map()
  for (const line of out.split('\n')) {
    const m = line.match(/\bGLIBC_(\d+(?:\.\d+)+)\)?\s+(\S+)\s*$/)
    if (!m) continue
    if (!needs.has(m[1])) needs.set(m[1], [])
    needs.get(m[1]).push(m[2])
  }
  const max = [...needs.keys()].sort(cmp).pop() ?? null
  return { max, needs }
}

/**
 * Throws when `file` needs a glibc newer than `floor`, naming the symbols that
 * raise it (the usual culprits: a binary linked against the build machine's
 * glibc instead of the 2.17 sysroot). Returns the newest version it needs.
 */
export async function assertGlibcFloor(file, { objdump = 'objdump', floor = GLIBC_FLOOR } = {}) {
  const { max, needs } = await glibcVersions(file, objdump)
  const over = [...needs.entries()].filter(([v]) => cmp(v, floor) > 0)
  if (over.length) {
    const list = over
      .sort((a, b) => cmp(a[0], b[0]))
      .map(([v, syms]) => `GLIBC_${v}: ${[...new Set(syms)].slice(0, 6).join(', ')}`)
      .join('; ')
    throw new Error(`${file} needs glibc ${max}, above the ${floor} floor (${list}); build it against the napi cross sysroot`)
  }
  return max
}

export { cmp as compareVersions }
