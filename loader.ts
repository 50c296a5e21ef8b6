/**
 * Finds and loads the native addon.
 *
 * Candidates, in order:
 *   1. `SEQPACK_NATIVE_PATH`: an explicit `.node` file (for custom or optimized builds),
 *      relative paths resolved against the current working directory. Anything
 *      else (a `.js` file, a package name, a missing file) is refused with
 *      `ERR_SEQPACK_NATIVE_PATH` before anything is loaded: handing it to
 *      `require` would run arbitrary JavaScript or resolve it against dist/;
 *   2. the local build `seqpack.<triple>.node` at the package root (contributors);
 *   3. the platform package `seqpack-<triple>` (what users get from npm).
 *
 * glibc vs musl is decided from `process.report` (the runtime's own glibc
 * version) before any file is probed; only when the report is unavailable do we
 * look at `/usr/bin/ldd`. When nothing loads, the error lists every candidate
 * with the real reason it failed: a binary that exists but cannot be dlopen'ed
 * (wrong libc, too-old glibc, blocked file) is reported as such, not as an npm
 * optional-dependency problem.
 *
 * Everything here takes its environment as a parameter so tests can simulate
 * other platforms.
 */
import { existsSync, readFileSync } from 'node:fs'
import { isAbsolute, join, resolve } from 'node:path'

export type Libc = 'glibc' | 'musl' | null

export interface Platform {
  platform: string
  arch: string
  /** Only meaningful on Linux. */
  libc: Libc
}

/** Host facts the loader needs; injectable for tests. */
export interface LoaderEnv {
  platform: string
  arch: string
  env: Record<string, string | undefined>
  /** `process.report.getReport().header`, or undefined where reports are unavailable. */
  reportHeader?: () => { glibcVersionRuntime?: string } | undefined
  /** Reads a file as text; used only as a fallback for libc detection. */
  readText?: (path: string) => string | undefined
  /** Loads a module by path or package name (Node's `require`). */
  load: (id: string) => unknown
  /** Whether a path exists. */
  exists: (path: string) => boolean
  /** Directory holding the local build (`seqpack.<triple>.node`). */
  packageRoot: string
  /** Directory a relative `SEQPACK_NATIVE_PATH` is resolved against (the process's working directory). */
  cwd: string
}

export interface Candidate {
  kind: 'env' | 'local' | 'package'
  /** What was tried: a path or a package name. */
  id: string
}

export interface Attempt extends Candidate {
  error: string
}

/** Detects the C library on Linux: `process.report` first, `/usr/bin/ldd` only as a fallback. */
export function detectLibc(host: Pick<LoaderEnv, 'platform' | 'reportHeader' | 'readText'>): Libc {
  if (host.platform !== 'linux') return null
  let header: { glibcVersionRuntime?: string } | undefined
  try {
    header = host.reportHeader?.()
  } catch {
    header = undefined
  }
  if (header) return header.glibcVersionRuntime ? 'glibc' : 'musl'
  const ldd = host.readText?.('/usr/bin/ldd')
  if (ldd !== undefined) return ldd.includes('musl') ? 'musl' : 'glibc'
  return 'glibc'
}

/** The napi-rs platform triple for a host, or null when no binary is published for it. */
export function tripleFor(p: Platform): string | null {
  const { platform, arch, libc } = p
  if (platform === 'linux' && (arch === 'x64' || arch === 'arm64')) {
    return `linux-${arch}-${libc === 'musl' ? 'musl' : 'gnu'}`
  }
  if (platform === 'darwin' && (arch === 'x64' || arch === 'arm64')) return `darwin-${arch}`
  if (platform === 'win32' && (arch === 'x64' || arch === 'arm64')) return `win32-${arch}-msvc`
  return null
}

/** Every triple a package is published for. */
export const SUPPORTED_TRIPLES = [
  'linux-x64-gnu',
  'linux-x64-musl',
  'linux-arm64-gnu',
  'linux-arm64-musl',
  'darwin-x64',
  'darwin-arm64',
  'win32-x64-msvc',
  'win32-arm64-msvc',
] as const

/** The candidates to try, in order. */
export function candidates(host: LoaderEnv, triple: string | null): Candidate[] {
  const list: Candidate[] = []
  const override = host.env.SEQPACK_NATIVE_PATH
  if (override) list.push({ kind: 'env', id: isAbsolute(override) ? override : resolve(host.cwd, override) })
  if (triple) {
    list.push({ kind: 'local', id: join(host.packageRoot, `seqpack.${triple}.node`) })
    list.push({ kind: 'package', id: `seqpack-${triple}` })
  }
  return list
}

function describe(err: unknown): { code?: string; message: string } {
  const e = err as { code?: string; message?: string }
  return { code: e?.code, message: String(e?.message ?? err).split('\n')[0] }
}

const NO_LOCAL = 'not found (no local build)'

/** Error thrown when no candidate loads; `attempts` says what was tried and why each failed. */
export class NativeLoadError extends Error {
  constructor(
    message: string,
    readonly attempts: Attempt[],
    /** `ERR_SEQPACK_NATIVE_PATH`: SEQPACK_NATIVE_PATH is not an existing `.node` file; `ERR_SEQPACK_NATIVE_LOAD`: nothing loaded. */
    readonly code: 'ERR_SEQPACK_NATIVE_LOAD' | 'ERR_SEQPACK_NATIVE_PATH' = 'ERR_SEQPACK_NATIVE_LOAD',
  ) {
    super(message)
    this.name = 'NativeLoadError'
  }
}

/** A loaded addon and the candidate it came from (for diagnostics). */
export interface Loaded<T> {
  binding: T
  from: Candidate
}

/**
 * Tries each candidate and returns the first module that loads, with the
 * candidate it came from.
 * An explicit `SEQPACK_NATIVE_PATH` that fails is an error on its own: the user
 * asked for that file, so silently using another would hide their mistake.
 */
export function resolveNative<T>(host: LoaderEnv): Loaded<T> {
  const libc = detectLibc(host)
  const triple = tripleFor({ platform: host.platform, arch: host.arch, libc })
  const attempts: Attempt[] = []
  for (const c of candidates(host, triple)) {
    if (c.kind === 'env') checkOverride(host, c)
    if (c.kind === 'local' && !host.exists(c.id)) {
      attempts.push({ ...c, error: NO_LOCAL })
      continue
    }
    try {
      return { binding: host.load(c.id) as T, from: c }
    } catch (err) {
      const d = describe(err)
      let why = d.message
      // Only "Cannot find module '<the package>'" means it is absent. An
      // installed package whose .node file is missing also throws
      // MODULE_NOT_FOUND, naming the file: keep Node's words for that case.
      if (c.kind === 'package' && d.code === 'MODULE_NOT_FOUND' && d.message.includes(`'${c.id}'`)) {
        why = 'not installed'
      }
      attempts.push({ ...c, error: why })
      if (c.kind === 'env') {
        throw new NativeLoadError(
          `seqpack: SEQPACK_NATIVE_PATH=${c.id} could not be loaded: ${why}\n` +
            'Unset SEQPACK_NATIVE_PATH to use the bundled binary, or point it at a .node file built for this platform.',
          attempts,
        )
      }
    }
  }
  throw new NativeLoadError(explain(host, libc, triple, attempts), attempts)
}

/**
 * SEQPACK_NATIVE_PATH must name an existing `.node` file: only that makes
 * `require` dlopen a binary instead of resolving a package name, running a
 * `.js` file or searching relative to this module's directory.
 */
function checkOverride(host: LoaderEnv, c: Candidate): void {
  const raw = host.env.SEQPACK_NATIVE_PATH
  let why: string | null = null
  if (!c.id.endsWith('.node')) why = 'it must be a path to a .node file'
  else if (!host.exists(c.id)) why = `no such file (resolved against the working directory ${host.cwd})`
  if (why === null) return
  throw new NativeLoadError(
    `seqpack: SEQPACK_NATIVE_PATH=${raw} is not usable: ${why}.\n` +
      'Unset SEQPACK_NATIVE_PATH to use the bundled binary, or set it to the path of a .node file built for this platform.',
    [{ ...c, error: why }],
    'ERR_SEQPACK_NATIVE_PATH',
  )
}

/** Like `resolveNative`, returning only the module. */
export function loadNative<T>(host: LoaderEnv): T {
  return resolveNative<T>(host).binding
}

function explain(host: LoaderEnv, libc: Libc, triple: string | null, attempts: Attempt[]): string {
  const where = `${host.platform}-${host.arch}${libc ? ` (${libc})` : ''}`
  if (!triple) {
    return (
      `seqpack: no prebuilt binary for ${where}. Published platforms: ${SUPPORTED_TRIPLES.join(', ')}.\n` +
      'Build from source (Rust toolchain required): clone the repository, run `npm ci`, then set SEQPACK_NATIVE_PATH to the built .node file.'
    )
  }
  const lines = attempts.map((a, i) => `  ${i + 1}. ${a.kind === 'package' ? 'package' : a.kind === 'local' ? 'local build' : 'SEQPACK_NATIVE_PATH'} ${a.id}: ${a.error}`)
  // A binary that was found but refused is the cause to report first; npm's
  // optional-dependency advice is added only when the package is really absent.
  const refused = attempts.filter((a) => (a.kind === 'local' && a.error !== NO_LOCAL) || (a.kind === 'package' && a.error !== 'not installed'))
  const pkg = attempts.find((a) => a.kind === 'package')
  const advice: string[] = []
  if (refused.length) {
    advice.push(
      `A binary for ${triple} was found (${refused.map((a) => a.id).join(', ')}) but the operating system refused to load it (see the reasons above). ` +
        'Common causes: a glibc older than the binary needs, a musl/glibc mismatch, a file blocked by security software, ' +
        'or a corrupted download or build. Reinstalling will not help if the cause is the C library.',
    )
  }
  if (pkg && pkg.error === 'not installed') {
    advice.push(
      `The platform package seqpack-${triple} is not installed. It is an optional dependency of seqpack: ` +
        'reinstall without --omit=optional / --no-optional. If your lockfile was created on another platform, ' +
        'npm may have skipped it (npm/cli#4828): delete node_modules and the lockfile, then run npm install again, ' +
        `or add seqpack-${triple} as a direct dependency.`,
    )
  }
  return `seqpack: could not load the native addon for ${where}, Node ${process.versions.node}.\nTried:\n${lines.join('\n')}\n${advice.join('\n')}`
}

/** The real host. */
export function nodeHost(load: (id: string) => unknown, packageRoot: string): LoaderEnv {
  return {
    platform: process.platform,
    arch: process.arch,
    env: process.env,
    reportHeader: () => {
      const report = (process as unknown as { report?: { excludeNetwork?: boolean; getReport(): unknown } }).report
      if (!report || typeof report.getReport !== 'function') return undefined
      report.excludeNetwork = true
      return (report.getReport() as { header?: { glibcVersionRuntime?: string } }).header
    },
    readText: (p) => {
      try {
        return readFileSync(p, 'utf8')
      } catch {
        return undefined
      }
    },
    load,
    exists: existsSync,
    packageRoot,
    cwd: process.cwd(),
  }
}
