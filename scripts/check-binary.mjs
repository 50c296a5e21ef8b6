#!/usr/bin/env node
// Checks that a file is the addon binary of a given Rust target before it is
// uploaded or published: the object format, 64-bit, shared-library kind and
// machine type read from the header (ELF / Mach-O / PE), and for linux-gnu
// the glibc floor (objdump -T: nothing newer than GLIBC_2.17); a musl binary
// must import no GLIBC_ symbol at all.
//
//   node scripts/check-binary.mjs --target aarch64-unknown-linux-gnu seqpack.linux-arm64-gnu.node
import os from 'node:os'
import { argv, fs, path, which } from 'zx'
import { GLIBC_FLOOR, assertGlibcFloor, glibcVersions } from './lib/glibc.mjs'

const ELF_MACHINE = { x86_64: 0x3e, aarch64: 0xb7 }
const MACHO_CPU = { x86_64: 0x01000007, aarch64: 0x0100000c }
const PE_MACHINE = { x86_64: 0x8664, aarch64: 0xaa64 }

/** What the header says: { format, arch, kind } (arch in Rust's spelling), or throws if it is no binary we know. */
export function readHeader(buf) {
  const archOf = (table, v) => Object.keys(table).find((k) => table[k] === v) ?? `unknown(0x${v.toString(16)})`
  if (buf.length >= 20 && buf.readUInt32BE(0) === 0x7f454c46) {
    if (buf[4] !== 2 || buf[5] !== 1) throw new Error('ELF but not 64-bit little-endian')
    const type = buf.readUInt16LE(16)
    return { format: 'elf', arch: archOf(ELF_MACHINE, buf.readUInt16LE(18)), kind: type === 3 ? 'shared' : `e_type ${type}` }
  }
  if (buf.length >= 16 && buf.readUInt32LE(0) === 0xfeedfacf) {
    const type = buf.readUInt32LE(12)
    return { format: 'macho', arch: archOf(MACHO_CPU, buf.readUInt32LE(4)), kind: type === 6 || type === 8 ? 'shared' : `filetype ${type}` }
  }
  if (buf.length >= 64 && buf.toString('latin1', 0, 2) === 'MZ') {
    const pe = buf.readUInt32LE(0x3c)
    if (buf.length < pe + 24 || buf.readUInt32BE(pe) !== 0x50450000) throw new Error('MZ header without a PE signature')
    const characteristics = buf.readUInt16LE(pe + 22)
    return { format: 'pe', arch: archOf(PE_MACHINE, buf.readUInt16LE(pe + 4)), kind: characteristics & 0x2000 ? 'shared' : 'not a DLL' }
  }
  throw new Error(`not an ELF, Mach-O or PE binary (starts with ${buf.subarray(0, 8).toString('hex')})`)
}

/** An objdump that reads `arch` ELF files: the host's for its own arch, else a cross or LLVM one. */
export async function objdumpFor(arch) {
  const hostArch = { x64: 'x86_64', arm64: 'aarch64' }[process.arch]
  if (arch === hostArch && (await which('objdump', { nothrow: true }))) return 'objdump'
  const prefix = `${arch}-unknown-linux-gnu`
  const roots = [path.join(os.homedir(), '.napi-rs', 'cross-toolchain'), path.join(process.env.XDG_CACHE_HOME ?? path.join(os.homedir(), '.cache'), 'seqpack-tools', 'cross', 'napi-cross')]
  for (const r of roots.filter((d) => fs.existsSync(d))) {
    for (const d of fs.readdirSync(r)) {
      for (const c of [path.join(r, d, 'bin', `${prefix}-objdump`), path.join(r, d, prefix, 'bin', `${prefix}-objdump`)]) if (fs.existsSync(c)) return c
    }
  }
  for (const n of [`${arch}-linux-gnu-objdump`, 'llvm-objdump', ...[22, 21, 20, 19, 18, 17].map((v) => `llvm-objdump-${v}`)]) {
    if (await which(n, { nothrow: true })) return n
  }
  throw new Error(`no objdump that reads ${arch} ELF files (install binutils-${arch.replace('_', '-')}-linux-gnu or llvm)`)
}

/** Throws unless `file` is the addon for `rustTarget`; returns a one-line description. */
export async function checkBinary(file, rustTarget) {
  const [arch, , osPart, abi] = rustTarget.split('-')
  const want = { linux: 'elf', darwin: 'macho', windows: 'pe' }[osPart]
  if (!want || !ELF_MACHINE[arch]) throw new Error(`unknown target ${rustTarget}`)
  const fd = fs.openSync(file, 'r')
  const buf = Buffer.alloc(4096)
  const n = fs.readSync(fd, buf, 0, buf.length, 0)
  fs.closeSync(fd)
  const h = readHeader(buf.subarray(0, n))
  if (h.format !== want || h.arch !== arch || h.kind !== 'shared') {
    throw new Error(`${file} is a ${h.format} ${h.arch} (${h.kind}), not a ${want} ${arch} shared library for ${rustTarget}`)
  }
  let libc = ''
  if (osPart === 'linux') {
    const objdump = await objdumpFor(arch)
    if (abi === 'gnu') libc = `, needs glibc ${await assertGlibcFloor(file, { objdump })} (floor ${GLIBC_FLOOR})`
    else {
      const { max } = await glibcVersions(file, objdump)
      if (max) throw new Error(`${file} imports GLIBC_${max} symbols: a glibc build, not musl`)
      libc = ', no glibc symbols (musl)'
    }
  }
  return `${path.basename(file)}: ${h.format} ${h.arch} shared library${libc}`
}

if (process.argv[1] && path.resolve(process.argv[1]) === import.meta.filename) {
  const target = argv.target
  if (!target || argv._.length === 0) {
    console.error('usage: node scripts/check-binary.mjs --target <rust target> <file>...')
    process.exit(2)
  }
  for (const f of argv._) console.log(await checkBinary(String(f), String(target)))
}
