// Unit tests of the PGO/BOLT tooling helpers: LLVM tool discovery by major
// version, and per-object instruction attribution from callgrind output.
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { delimiter, join } from 'node:path'
// @ts-expect-error untyped zx helper module
import { findLlvmTool, toolLlvmMajor } from '../scripts/lib/llvm.mjs'
// @ts-expect-error untyped zx helper module
import { parseCallgrind } from '../scripts/lib/callgrind.mjs'
// @ts-expect-error untyped zx helper module
import { distTagFor } from '../scripts/lib/targets.mjs'
// @ts-expect-error untyped zx helper module
import { readHeader } from '../scripts/check-binary.mjs'

// The fakes are POSIX shell scripts, and the PGO/BOLT pipeline that uses these
// helpers runs only on Linux hosts (scripts/lib/native-build.mjs refuses
// others): on Windows this block is skipped rather than faked with .cmd files.
describe.skipIf(process.platform === 'win32')('findLlvmTool', () => {
  let dir: string
  let savedPath: string | undefined
  const fake = (name: string, version: string | null) => {
    const f = join(dir, name)
    const body = version === null ? 'echo "Unknown command!" >&2; exit 1' : `echo "Debian LLVM version ${version}"; echo "  Optimized build."`
    writeFileSync(f, `#!/bin/sh\n${body}\n`)
    chmodSync(f, 0o755)
    return f
  }
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'seqpack-llvm-'))
    savedPath = process.env.PATH
    process.env.PATH = [dir, '/bin', '/usr/bin'].join(delimiter)
  })
  afterEach(() => {
    process.env.PATH = savedPath
    rmSync(dir, { recursive: true, force: true })
  })

  it('prefers the versioned tool whose major matches', async () => {
    fake('llvm-profdata', '14.0.6')
    const want = fake('llvm-profdata-97', '97.1.8')
    expect(await findLlvmTool('llvm-profdata', 97)).toBe(want)
  })

  it('accepts the unversioned name when its major matches', async () => {
    const want = fake('merge-fdata', '97.0.0')
    expect(await findLlvmTool('merge-fdata', 97)).toBe(want)
  })

  it('rejects a wrong major and says what was found and what to install', async () => {
    fake('llvm-profdata', '14.0.6')
    fake('llvm-profdata-97', '96.0.0') // mislabelled: the version printed is what counts
    const err = await findLlvmTool('llvm-profdata', 97).catch((e: Error) => e)
    expect(err).toBeInstanceOf(Error)
    expect(err.message).toMatch(/llvm-profdata-97 is LLVM 96/)
    expect(err.message).toMatch(/llvm-profdata is LLVM 14/)
    expect(err.message).toMatch(/rustc uses LLVM 97/)
    expect(err.message).toMatch(/apt-get install llvm-97/)
  })

  it('names the bolt package for bolt tools when nothing is found', async () => {
    const err = await findLlvmTool('llvm-bolt', 97).catch((e: Error) => e)
    expect(err.message).toMatch(/no llvm-bolt found/)
    expect(err.message).toMatch(/apt-get install bolt-97/)
  })

  it('reads the version of tools that only answer a subcommand --version', async () => {
    const f = join(dir, 'old-profdata')
    writeFileSync(f, '#!/bin/sh\nif [ "$1" = merge ]; then echo "LLVM version 14.0.6"; exit 0; fi\necho "Unknown command!" >&2; exit 1\n')
    chmodSync(f, 0o755)
    expect(await toolLlvmMajor(f)).toBe(14)
    expect(await toolLlvmMajor(fake('broken', null))).toBeNull()
  })
})

describe('parseCallgrind', () => {
  // Hand-written callgrind output: compressed names, an object switch, a call
  // whose inclusive cost must not count as self cost, relative positions.
  const sample = [
    'version: 1',
    'creator: callgrind-3.19.0',
    'positions: line',
    'events: Ir',
    'ob=(1) /usr/bin/node',
    'fl=(1) ???',
    'fn=(1) main',
    '0 100',
    'cob=(2) /x/seqpack.linux-x64-gnu.node',
    'cfn=(2) pack',
    'calls=1 0',
    '0 5000',
    '+1 20',
    'ob=(2)',
    'fn=(2)',
    '0 3000',
    '* 1500',
    'ob=(3) /lib/libc.so.6',
    'fn=(3) memcpy',
    '0 7',
    'ob=(2)',
    'fn=(4) 0x1234',
    '-1 500',
    '',
    'totals: 5127',
  ].join('\n')

  it('sums self cost per object and skips inclusive call costs', () => {
    const r = parseCallgrind(sample)
    expect(r.byObject.get('/usr/bin/node')).toBe(120)
    expect(r.byObject.get('/x/seqpack.linux-x64-gnu.node')).toBe(5000)
    expect(r.byObject.get('/lib/libc.so.6')).toBe(7)
    expect(r.totals).toEqual({ Ir: 5127 })
    const sum = [...r.byObject.values()].reduce((a: number, b: number) => a + b, 0)
    expect(sum).toBe(r.totals.Ir)
  })
})

describe('publish: dist-tag', () => {
  it('a release goes to latest, a prerelease to next', () => {
    expect(distTagFor('1.2.0', undefined)).toBe('latest')
    expect(distTagFor('1.2.0-rc.1', undefined)).toBe('next')
    expect(distTagFor('1.2.0-beta', 'beta')).toBe('beta')
  })
  it('refuses latest for a prerelease', () => {
    expect(() => distTagFor('1.2.0-rc.1', 'latest')).toThrow(/prerelease 1.2.0-rc.1/)
  })
})

describe('check-binary: header', () => {
  // Minimal headers built here from the format specs (ELF e_machine, Mach-O cputype, PE Machine).
  const elf = (machine: number, type = 3) => {
    const b = Buffer.alloc(64)
    b.writeUInt32BE(0x7f454c46, 0)
    b[4] = 2
    b[5] = 1
    b.writeUInt16LE(type, 16)
    b.writeUInt16LE(machine, 18)
    return b
  }
  const macho = (cpu: number, filetype = 6) => {
    const b = Buffer.alloc(32)
    b.writeUInt32LE(0xfeedfacf, 0)
    b.writeUInt32LE(cpu, 4)
    b.writeUInt32LE(filetype, 12)
    return b
  }
  const pe = (machine: number, characteristics = 0x2022) => {
    const b = Buffer.alloc(256)
    b.write('MZ', 0, 'latin1')
    b.writeUInt32LE(0x80, 0x3c)
    b.writeUInt32BE(0x50450000, 0x80)
    b.writeUInt16LE(machine, 0x84)
    b.writeUInt16LE(characteristics, 0x80 + 22)
    return b
  }
  it('reads format, architecture and kind', () => {
    expect(readHeader(elf(0xb7))).toEqual({ format: 'elf', arch: 'aarch64', kind: 'shared' })
    expect(readHeader(elf(0x3e, 2))).toEqual({ format: 'elf', arch: 'x86_64', kind: 'e_type 2' })
    expect(readHeader(macho(0x0100000c))).toEqual({ format: 'macho', arch: 'aarch64', kind: 'shared' })
    expect(readHeader(pe(0x8664))).toEqual({ format: 'pe', arch: 'x86_64', kind: 'shared' })
    expect(readHeader(pe(0xaa64, 0x0022))).toEqual({ format: 'pe', arch: 'aarch64', kind: 'not a DLL' })
  })
  it('rejects what is not a binary', () => {
    expect(() => readHeader(Buffer.from('#!/bin/sh\necho hi\n'))).toThrow(/not an ELF, Mach-O or PE/)
    expect(() => readHeader(Buffer.from('MZ' + '\0'.repeat(80)))).toThrow(/PE signature/)
  })
})
