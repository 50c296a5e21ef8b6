// Loader selection simulated for every published platform and for the ways
// loading fails. Nothing here touches the real filesystem or dlopen: the host
// (platform, arch, process.report, files, require) is injected.
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { tempDir } from './temp-dir'
import {
  NativeLoadError,
  SUPPORTED_TRIPLES,
  candidates,
  detectLibc,
  loadNative,
  resolveNative,
  tripleFor,
  type LoaderEnv,
} from '../loader'

const ROOT = '/opt/app/node_modules/seqpack'
const CWD = '/home/me/project'
const GLIBC_HEADER = { glibcVersionRuntime: '2.36' }
const MUSL_HEADER = {} // Node built against musl reports no glibc version.

interface Sim extends LoaderEnv {
  /** Every id passed to `load`, in order. */
  loads: string[]
}

/** A simulated host. `modules` maps a loadable id to its exports, or to an Error that `load` throws. */
function host(opts: {
  platform: string
  arch: string
  header?: { glibcVersionRuntime?: string } | 'unavailable' | 'throws'
  ldd?: string
  env?: Record<string, string>
  files?: string[]
  modules?: Record<string, unknown>
}): Sim {
  const files = new Set(opts.files ?? [])
  const modules = opts.modules ?? {}
  const loads: string[] = []
  return {
    platform: opts.platform,
    arch: opts.arch,
    env: opts.env ?? {},
    reportHeader: () => {
      if (opts.header === 'throws') throw new Error('report disabled')
      if (opts.header === 'unavailable') return undefined
      return opts.header ?? GLIBC_HEADER
    },
    readText: (p) => (p === '/usr/bin/ldd' ? opts.ldd : undefined),
    exists: (p) => files.has(p),
    load: (id) => {
      loads.push(id)
      if (!(id in modules)) throw notFound(id)
      const m = modules[id]
      if (m instanceof Error) throw m
      return m
    },
    packageRoot: ROOT,
    cwd: CWD,
    loads,
  }
}

function notFound(id: string): Error {
  return Object.assign(new Error(`Cannot find module '${id}'\nRequire stack:\n- ${ROOT}/dist/index.cjs`), {
    code: 'MODULE_NOT_FOUND',
  })
}

function dlopenError(path: string, why: string): Error {
  return Object.assign(new Error(`${why}\n    at Module._extensions..node`), { code: 'ERR_DLOPEN_FAILED', path })
}

/** Runs the loader and returns the NativeLoadError it must throw. */
function loadError(h: LoaderEnv): NativeLoadError {
  try {
    loadNative(h)
  } catch (err) {
    expect(err).toBeInstanceOf(NativeLoadError)
    return err as NativeLoadError
  }
  throw new Error('expected the loader to fail')
}

const binding = { marker: 'addon' }

describe('platform -> package selection', () => {
  const cases: Array<[string, string, typeof GLIBC_HEADER | typeof MUSL_HEADER | undefined, string]> = [
    ['darwin', 'x64', undefined, 'darwin-x64'],
    ['darwin', 'arm64', undefined, 'darwin-arm64'],
    ['win32', 'x64', undefined, 'win32-x64-msvc'],
    ['win32', 'arm64', undefined, 'win32-arm64-msvc'],
    ['linux', 'x64', GLIBC_HEADER, 'linux-x64-gnu'],
    ['linux', 'arm64', GLIBC_HEADER, 'linux-arm64-gnu'],
    ['linux', 'x64', MUSL_HEADER, 'linux-x64-musl'],
    ['linux', 'arm64', MUSL_HEADER, 'linux-arm64-musl'],
  ]
  it.each(cases)('%s %s %o loads seqpack-%s', (platform, arch, header, triple) => {
    const pkg = `seqpack-${triple}`
    const h = host({ platform, arch, header, modules: { [pkg]: binding } })
    const r = resolveNative(h)
    expect(r.binding).toBe(binding)
    expect(r.from).toEqual({ kind: 'package', id: pkg })
    expect(h.loads).toEqual([pkg]) // no local build on disk, so the package is the only thing loaded
    expect(SUPPORTED_TRIPLES).toContain(triple)
  })

  it('covers every published triple exactly once', () => {
    expect(new Set(cases.map((c) => c[3]))).toEqual(new Set(SUPPORTED_TRIPLES))
  })

  it('never picks a linux binary for another OS or a musl one on glibc', () => {
    expect(tripleFor({ platform: 'linux', arch: 'x64', libc: 'glibc' })).toBe('linux-x64-gnu')
    expect(tripleFor({ platform: 'darwin', arch: 'x64', libc: null })).toBe('darwin-x64')
    expect(tripleFor({ platform: 'linux', arch: 'ia32', libc: 'glibc' })).toBeNull()
    expect(tripleFor({ platform: 'win32', arch: 'ia32', libc: null })).toBeNull()
  })
})

describe('libc detection', () => {
  it('uses process.report: glibcVersionRuntime present -> glibc, absent -> musl', () => {
    // ldd says the opposite each time: the report must win, the file must not matter.
    expect(detectLibc(host({ platform: 'linux', arch: 'x64', header: GLIBC_HEADER, ldd: 'musl libc' }))).toBe('glibc')
    expect(detectLibc(host({ platform: 'linux', arch: 'x64', header: MUSL_HEADER, ldd: 'GNU C Library' }))).toBe('musl')
  })

  it('does not read /usr/bin/ldd when the report is available', () => {
    const h = host({ platform: 'linux', arch: 'x64', header: GLIBC_HEADER })
    const read: string[] = []
    h.readText = (p) => {
      read.push(p)
      return undefined
    }
    detectLibc(h)
    expect(read).toEqual([])
  })

  it.each(['unavailable', 'throws'] as const)('falls back to /usr/bin/ldd when the report is %s', (header) => {
    const muslLdd = '#!/bin/sh\nexec /lib/ld-musl-x86_64.so.1 --list "$@"\n'
    const glibcLdd = '#!/bin/bash\n# ldd for the GNU C Library\nTEXTDOMAIN=libc\n'
    expect(detectLibc(host({ platform: 'linux', arch: 'x64', header, ldd: muslLdd }))).toBe('musl')
    expect(detectLibc(host({ platform: 'linux', arch: 'x64', header, ldd: glibcLdd }))).toBe('glibc')
    // Neither source: assume glibc, the common case.
    expect(detectLibc(host({ platform: 'linux', arch: 'x64', header }))).toBe('glibc')
  })

  it('the fallback picks the musl package end to end', () => {
    const h = host({
      platform: 'linux',
      arch: 'arm64',
      header: 'unavailable',
      ldd: 'musl libc (aarch64)',
      modules: { 'seqpack-linux-arm64-musl': binding },
    })
    expect(loadNative(h)).toBe(binding)
  })

  it('is null off Linux', () => {
    expect(detectLibc(host({ platform: 'darwin', arch: 'arm64', header: MUSL_HEADER }))).toBeNull()
    expect(detectLibc(host({ platform: 'win32', arch: 'x64', header: MUSL_HEADER }))).toBeNull()
  })
})

describe('candidate order', () => {
  const local = join(ROOT, 'seqpack.linux-x64-gnu.node')

  it('is SEQPACK_NATIVE_PATH, then the local build, then the platform package', () => {
    const h = host({ platform: 'linux', arch: 'x64', env: { SEQPACK_NATIVE_PATH: '/tmp/custom.node' } })
    expect(candidates(h, 'linux-x64-gnu')).toEqual([
      { kind: 'env', id: '/tmp/custom.node' },
      { kind: 'local', id: local },
      { kind: 'package', id: 'seqpack-linux-x64-gnu' },
    ])
  })

  it('takes the env override first, even when the other two would load', () => {
    const h = host({
      platform: 'linux',
      arch: 'x64',
      env: { SEQPACK_NATIVE_PATH: '/tmp/custom.node' },
      files: [local, '/tmp/custom.node'],
      modules: { '/tmp/custom.node': binding, [local]: {}, 'seqpack-linux-x64-gnu': {} },
    })
    expect(resolveNative(h).from.kind).toBe('env')
    expect(h.loads).toEqual(['/tmp/custom.node'])
  })

  it('prefers an existing local build over the package', () => {
    const h = host({ platform: 'linux', arch: 'x64', files: [local], modules: { [local]: binding, 'seqpack-linux-x64-gnu': {} } })
    expect(resolveNative(h)).toEqual({ binding, from: { kind: 'local', id: local } })
    expect(h.loads).toEqual([local])
  })

  it('falls through a local build that fails to load to the package', () => {
    const h = host({
      platform: 'linux',
      arch: 'x64',
      files: [local],
      modules: { [local]: dlopenError(local, 'invalid ELF header'), 'seqpack-linux-x64-gnu': binding },
    })
    expect(resolveNative(h).from.kind).toBe('package')
    expect(h.loads).toEqual([local, 'seqpack-linux-x64-gnu'])
  })
})

describe('failures', () => {
  it('SEQPACK_NATIVE_PATH that fails to load is reported on its own, without trying anything else', () => {
    const h = host({
      platform: 'linux',
      arch: 'x64',
      env: { SEQPACK_NATIVE_PATH: '/tmp/broken.node' },
      files: ['/tmp/broken.node'],
      modules: { '/tmp/broken.node': dlopenError('/tmp/broken.node', 'invalid ELF header'), 'seqpack-linux-x64-gnu': binding },
    })
    const e = loadError(h)
    expect(h.loads).toEqual(['/tmp/broken.node'])
    expect(e.attempts).toEqual([{ kind: 'env', id: '/tmp/broken.node', error: 'invalid ELF header' }])
    expect(e.message).toContain('SEQPACK_NATIVE_PATH=/tmp/broken.node')
    expect(e.message).toContain('Unset SEQPACK_NATIVE_PATH')
    expect(e.message).not.toMatch(/npm/)
    expect(e.code).toBe('ERR_SEQPACK_NATIVE_LOAD')
  })

  it('a missing platform package is "not installed", with the npm advice', () => {
    const e = loadError(host({ platform: 'darwin', arch: 'arm64' }))
    expect(e.attempts).toEqual([
      { kind: 'local', id: join(ROOT, 'seqpack.darwin-arm64.node'), error: 'not found (no local build)' },
      { kind: 'package', id: 'seqpack-darwin-arm64', error: 'not installed' },
    ])
    expect(e.message).toContain('darwin-arm64')
    expect(e.message).toMatch(/Tried:\n {2}1\. local build .*seqpack\.darwin-arm64\.node: not found/)
    expect(e.message).toMatch(/ {2}2\. package seqpack-darwin-arm64: not installed/)
    expect(e.message).toContain('--omit=optional')
    expect(e.message).toContain('npm/cli#4828')
  })

  it('a binary that exists but fails to dlopen is reported as such, never blamed on npm', () => {
    const why = 'Error relocating seqpack.linux-x64-gnu.node: __memcpy_chk: symbol not found'
    const h = host({
      platform: 'linux',
      arch: 'x64',
      header: MUSL_HEADER,
      modules: { 'seqpack-linux-x64-musl': dlopenError('x', why) },
    })
    const e = loadError(h)
    expect(e.attempts.at(-1)).toEqual({ kind: 'package', id: 'seqpack-linux-x64-musl', error: why })
    expect(e.message).toContain(why)
    expect(e.message).toContain('(musl)')
    expect(e.message).toContain('refused to load')
    expect(e.message).not.toMatch(/npm|optional|not installed|4828/)
  })

  it('an installed package whose .node file is missing keeps Node\'s message (not "not installed")', () => {
    const file = `${ROOT}/../seqpack-win32-x64-msvc/seqpack.win32-x64-msvc.node`
    const h = host({ platform: 'win32', arch: 'x64', modules: { 'seqpack-win32-x64-msvc': notFound(file) } })
    const e = loadError(h)
    expect(e.attempts.at(-1)?.error).toContain(file)
    expect(e.attempts.at(-1)?.error).not.toBe('not installed')
  })

  it('an unsupported platform lists the published ones and tries no binary', () => {
    const h = host({ platform: 'freebsd', arch: 'x64' })
    const e = loadError(h)
    expect(h.loads).toEqual([])
    expect(e.attempts).toEqual([])
    expect(e.message).toContain('no prebuilt binary for freebsd-x64')
    for (const t of SUPPORTED_TRIPLES) expect(e.message).toContain(t)
    expect(e.message).toContain('SEQPACK_NATIVE_PATH')
  })

  it('an unsupported platform still honours SEQPACK_NATIVE_PATH', () => {
    const h = host({ platform: 'freebsd', arch: 'x64', env: { SEQPACK_NATIVE_PATH: '/src/seqpack.node' }, files: ['/src/seqpack.node'], modules: { '/src/seqpack.node': binding } })
    expect(resolveNative(h)).toEqual({ binding, from: { kind: 'env', id: '/src/seqpack.node' } })
  })
})

describe('SEQPACK_NATIVE_PATH accepts only a .node file, resolved against the working directory', () => {
  /** The typed error for a refused override; nothing may have been loaded. */
  function refused(value: string, files: string[] = [], modules: Record<string, unknown> = {}) {
    const h = host({ platform: 'linux', arch: 'x64', env: { SEQPACK_NATIVE_PATH: value }, files, modules: { 'seqpack-linux-x64-gnu': binding, ...modules } })
    const e = loadError(h)
    expect(e.code).toBe('ERR_SEQPACK_NATIVE_PATH')
    expect(h.loads).toEqual([]) // refused before require: no .js ran, no package resolved
    expect(e.message).toContain(`SEQPACK_NATIVE_PATH=${value}`)
    return e
  }

  it('a relative path is resolved against the cwd, not against dist/ or the package root', () => {
    const abs = join(CWD, 'build', 'seqpack.node')
    const h = host({ platform: 'linux', arch: 'x64', env: { SEQPACK_NATIVE_PATH: 'build/seqpack.node' }, files: [abs], modules: { [abs]: binding } })
    expect(resolveNative(h)).toEqual({ binding, from: { kind: 'env', id: abs } })
    expect(h.loads).toEqual([abs])
    const dot = host({ platform: 'linux', arch: 'x64', env: { SEQPACK_NATIVE_PATH: './seqpack.node' }, files: [join(CWD, 'seqpack.node')], modules: { [join(CWD, 'seqpack.node')]: binding } })
    expect(resolveNative(dot).from.id).toBe(join(CWD, 'seqpack.node'))
  })

  it('a .js file is refused, not executed', () => {
    const ran: string[] = []
    const evil = { get marker() { ran.push('evil'); return 'evil' } }
    const e = refused('/tmp/evil.js', ['/tmp/evil.js'], { '/tmp/evil.js': evil })
    expect(e.message).toContain('must be a path to a .node file')
    expect(ran).toEqual([])
  })

  it('a bare package name is refused, not resolved by require', () => {
    const e = refused('seqpack-linux-x64-gnu')
    expect(e.attempts).toEqual([{ kind: 'env', id: join(CWD, 'seqpack-linux-x64-gnu'), error: 'it must be a path to a .node file' }])
  })

  it('a missing .node file is refused with the path it was resolved to', () => {
    const e = refused('out/missing.node')
    expect(e.attempts[0].id).toBe(join(CWD, 'out', 'missing.node'))
    expect(e.message).toContain(`no such file (resolved against the working directory ${CWD})`)
  })

  it('the real loader refuses a .js file through the environment (end to end)', async () => {
    const { writeFileSync } = await import('node:fs')
    const { nodeHost } = await import('../loader')
    const dir = tempDir('seqpack-loader-', 'test')
    const marker = join(dir, 'ran')
    const js = join(dir, 'payload.js')
    writeFileSync(js, `require('node:fs').writeFileSync(${JSON.stringify(marker)}, 'x')`)
    const { existsSync } = await import('node:fs')
    const { createRequire } = await import('node:module')
    const real = nodeHost(createRequire(import.meta.url), dir)
    const h = { ...real, env: { SEQPACK_NATIVE_PATH: js }, platform: 'linux', arch: 'x64', reportHeader: () => GLIBC_HEADER }
    expect(() => loadNative(h)).toThrow(expect.objectContaining({ code: 'ERR_SEQPACK_NATIVE_PATH' }))
    expect(existsSync(marker)).toBe(false)
  })
})

describe('error reporting against the napi-rs generated loader', () => {
  // Why loader.ts is hand-written: on a binary that exists but cannot be
  // dlopen'ed, the loader napi-rs generates blames npm's optional-dependency bug;
  // ours names the file and the operating system's reason.
  it('a corrupt local binary: napi blames npm, ours reports the dlopen failure', async () => {
    const { writeFileSync } = await import('node:fs')
    const { createRequire } = await import('node:module')
    const { writeJsBinding } = await import('@napi-rs/cli')
    const { nodeHost } = await import('../loader')
    const dir = tempDir('seqpack-napi-loader-', 'test')
    await writeJsBinding({ platform: true, outputDir: dir, binaryName: 'seqpack', packageName: 'seqpack', idents: ['pack'], version: '0.0.0' })
    const real = nodeHost(createRequire(import.meta.url), dir)
    const host = { ...real, env: {} }
    const triple = tripleFor({ platform: host.platform, arch: host.arch, libc: detectLibc(host) })
    if (!triple) return // no published binary for this host: nothing to compare
    const file = join(dir, `seqpack.${triple}.node`)
    writeFileSync(file, 'this is not a shared library\n')

    let generated: Error | undefined
    try {
      createRequire(import.meta.url)(join(dir, 'index.js'))
    } catch (err) {
      generated = err as Error
    }
    expect(generated?.message).toMatch(/npm has a bug related to optional dependencies/)
    expect(generated?.message).not.toContain(file)

    const ours = loadError(host)
    expect(ours.attempts[0]).toMatchObject({ kind: 'local', id: file })
    expect(ours.message).toContain(file)
    expect(ours.message).toContain('refused to load')
    // The refusal comes first; npm's advice only follows because the package is really absent here.
    expect(ours.message.indexOf('refused to load')).toBeLessThan(ours.message.indexOf('npm/cli#4828'))
  })
})
