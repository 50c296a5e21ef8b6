// The package as users get it: pack the main package and this host's platform
// package exactly as they would be published (scripts/lib/stage.mjs), install
// both tarballs into a fresh project outside the source tree with no network,
// and use them from ESM, CJS and TypeScript. Then break the install the two
// ways users hit (platform package missing, binary that cannot be dlopen'ed)
// and check what the error says. Every check is one passed/failed.
//
// Needs the build (`npm run build`: dist/ and seqpack.<triple>.node); runs on
// the hosts with a published binary whose local build is present.
import os from 'node:os'
import { $, fs, path } from 'zx'
import { inCI, run } from '../lib/run.mjs'
import { stageMain, stagePlatform } from '../lib/stage.mjs'
import { platforms, rootManifest } from '../lib/targets.mjs'

export const name = 'package'

/** Input whose packing is known exactly: the foundation issue's example, 4 bins at capacity 1024. */
const CONSUMER_CHECK = `
const lengths = [1000, 800, 600, 500, 400, 300, 200, 100]
const r = pack(lengths, { capacity: 1024 })
const seen = [...r.items].sort((a, b) => a - b)
const ok = r.numBins === 4 && seen.join() === '0,1,2,3,4,5,6,7' && [...r.binLoads].every((l) => l <= 1024) &&
  r.totalTokens === lengths.reduce((a, b) => a + b, 0)
console.log(JSON.stringify({ ok, numBins: r.numBins, from: nativeBinding, resolved: resolvePlatform() }))
`

const ESM = `import { pack, nativeBinding } from 'seqpack'
import { createRequire } from 'node:module'
const resolvePlatform = () => { try { return createRequire(import.meta.url).resolve(nativeBinding.id) } catch { return null } }
${CONSUMER_CHECK}`

const CJS = `const { pack, nativeBinding } = require('seqpack')
const resolvePlatform = () => { try { return require.resolve(nativeBinding.id) } catch { return null } }
${CONSUMER_CHECK}`

// Typechecked, not run. The @ts-expect-error lines make the check fail if the
// package's types were missing or \`any\` (an unused @ts-expect-error is an error).
const TS = (mod) => `import { pack, packAsync, strategies, SeqpackError, type PackResult, type PackOptions } from 'seqpack'

const options: PackOptions = { capacity: 4096, strategy: 'obfd' }
const r: PackResult = pack(new Uint32Array([100, 200]), options)
const bins: number[][] = r.bins()
const n: number = r.numBins + r.efficiency + r.utilisation.mean + bins.length
const names: string[] = strategies().map((s) => s.name)
export async function later(signal: AbortSignal): Promise<number> {
  try {
    return (await packAsync([1, 2, 3], { capacity: 8, signal })).numBins
  } catch (e) {
    if (e instanceof SeqpackError) return e.code.length
    throw e
  }
}
export function scoped(): number {
  using d = pack([1, 2], options)
  return d.numBins
}
// @ts-expect-error lengths must be numbers
pack(['a'], { capacity: 8 })
// @ts-expect-error capacity is required
pack([1])
// @ts-expect-error no such strategy
pack([1], { capacity: 8, strategy: 'nope' })
export const used = [n, names, '${mod}']
`

export async function stage({ root }) {
  const pkg = rootManifest(root)
  const host = platforms(root).find((p) => p.os === process.platform && p.cpu === process.arch && p.libc !== 'musl')
  if (!host || process.platform !== 'linux') {
    // The stage is written for the CI host (linux glibc); the workflows test the other platforms' binaries.
    return { passed: 0, failed: 0, skipped: `no tarball test for ${process.platform}-${process.arch}` }
  }
  const binary = path.join(root, `${pkg.napi.binaryName}.${host.triple}.node`)
  const distFiles = pkg.files.filter((f) => f.startsWith('dist/'))
  const built = () => fs.existsSync(binary) && distFiles.every((f) => fs.existsSync(path.join(root, f)))
  if (!built()) {
    if (!inCI) return { passed: 0, failed: 0, skipped: 'not built: run `npm run build` first' }
    await run(['node', 'scripts/build.mjs'], { cwd: root })
  }

  const c = { passed: 0, failed: 0 }
  const check = (label, ok, detail = '') => {
    console.log(`${ok ? 'ok  ' : 'FAIL'} ${label}${!ok && detail ? `:\n${detail}` : ''}`)
    c[ok ? 'passed' : 'failed']++
  }
  const gitStatus = async () => (await $({ cwd: root, quiet: true, nothrow: true })`git status --porcelain`).stdout
  const statusBefore = await gitStatus()

  const tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'seqpack-package-'))
  if (!path.relative(root, tmp).startsWith('..')) throw new Error(`temp dir ${tmp} is inside the source tree`)
  try {
    // 1. Pack exactly what would be published.
    const stageDir = path.join(tmp, 'stage')
    const tarballs = path.join(tmp, 'tarballs')
    await fs.mkdirp(tarballs)
    stageMain(root, path.join(stageDir, 'main'))
    const platformName = stagePlatform(root, host.triple, binary, path.join(stageDir, host.triple)).name
    const packed = {}
    for (const dir of ['main', host.triple]) {
      const r = await $({ quiet: true, nothrow: true })`npm pack ${path.join(stageDir, dir)} --pack-destination ${tarballs} --json`
      if (r.exitCode !== 0) throw new Error(`npm pack ${dir} failed:\n${r.stderr}`)
      const info = JSON.parse(r.stdout)[0]
      packed[dir] = { file: path.join(tarballs, info.filename), files: info.files.map((f) => f.path).sort() }
    }
    const mainFiles = packed.main.files
    check(
      'main tarball holds dist/ ESM+CJS+types and no binary or sources',
      distFiles.every((f) => mainFiles.includes(f)) && !mainFiles.some((f) => /\.node$|\.rs$|^src\/|^scripts\/|^index\.ts$/.test(f)),
      mainFiles.join(' '),
    )
    check(
      'platform tarball holds its binary',
      packed[host.triple].files.includes(`${pkg.napi.binaryName}.${host.triple}.node`),
      packed[host.triple].files.join(' '),
    )

    // 2. Install both tarballs offline: an unreachable registry and an empty
    // cache, so nothing can come from anywhere else. The seven other platform
    // packages are optional dependencies that cannot be fetched: the install
    // must still succeed.
    const app = path.join(tmp, 'app')
    await fs.mkdirp(app)
    await fs.writeJson(path.join(app, 'package.json'), { name: 'consumer', version: '1.0.0', private: true })
    const env = { ...process.env }
    for (const k of ['SEQPACK_NATIVE_PATH', 'NODE_PATH', 'NODE_OPTIONS']) delete env[k]
    for (const k of Object.keys(env)) if (k.toLowerCase().startsWith('npm_config_')) delete env[k]
    const npmFlags = ['--offline', '--registry', 'http://127.0.0.1:9/', '--cache', path.join(tmp, 'npm-cache'), '--no-audit', '--no-fund']
    const inst = await $({ cwd: app, env, nothrow: true })`npm install ${npmFlags} ${packed.main.file} ${packed[host.triple].file}`
    const nm = path.join(app, 'node_modules')
    const others = platforms(root).filter((p) => p.triple !== host.triple).map((p) => `${pkg.napi.packageName}-${p.triple}`)
    check(
      'offline install of both tarballs succeeds, other platform packages skipped',
      inst.exitCode === 0 && fs.existsSync(path.join(nm, 'seqpack', 'package.json')) && fs.existsSync(path.join(nm, platformName, 'package.json')) &&
        others.every((o) => !fs.existsSync(path.join(nm, o))),
      inst.exitCode === 0 ? '' : inst.stderr.slice(-2000),
    )
    const installed = await fs.readJson(path.join(nm, 'seqpack', 'package.json')).catch(() => ({}))
    check(
      'installed manifest: optionalDependencies on all platforms, no install scripts',
      Object.keys(installed.optionalDependencies ?? {}).length === platforms(root).length &&
        Object.values(installed.optionalDependencies).every((v) => v === pkg.version) &&
        !installed.scripts,
    )
    const strayNode = (await fs.readdir(path.join(nm, 'seqpack')).catch(() => [])).filter((f) => f.endsWith('.node'))
    check('no local .node inside the installed seqpack', strayNode.length === 0, strayNode.join(' '))

    // 3. Use it.
    await fs.writeFile(path.join(app, 'esm.mjs'), ESM)
    await fs.writeFile(path.join(app, 'cjs.cjs'), CJS)
    const platformDir = path.join(nm, platformName)
    const use = async (file) => {
      const r = await $({ cwd: app, env, nothrow: true, quiet: true })`node ${file}`
      try {
        return { ...JSON.parse(r.stdout.trim().split('\n').at(-1)), stderr: r.stderr }
      } catch {
        return { ok: false, stderr: r.stderr }
      }
    }
    for (const [label, file] of [['ESM import', 'esm.mjs'], ['CJS require', 'cjs.cjs']]) {
      const r = await use(file)
      check(`${label} packs correctly`, r.ok === true, r.ok ? '' : r.stderr.slice(-1500))
      check(
        `${label} loaded the installed platform package`,
        r.from?.kind === 'package' && r.from?.id === platformName && typeof r.resolved === 'string' && r.resolved.startsWith(platformDir + path.sep),
        JSON.stringify({ from: r.from, resolved: r.resolved }),
      )
    }

    // 4. Typecheck consumers of both module formats with our own TypeScript.
    await fs.writeFile(path.join(app, 'consumer.mts'), TS('esm'))
    await fs.writeFile(path.join(app, 'consumer.cts'), TS('cjs'))
    await fs.writeJson(path.join(app, 'tsconfig.json'), {
      compilerOptions: { module: 'nodenext', moduleResolution: 'nodenext', target: 'es2022', strict: true, noEmit: true, types: [], lib: ['es2022', 'dom'] },
      files: ['consumer.mts', 'consumer.cts'],
    })
    const tsc = path.join(root, 'node_modules', 'typescript', 'bin', 'tsc')
    const tr = await $({ cwd: app, env, nothrow: true, quiet: true })`node ${tsc} -p ${app}`
    check('TypeScript consumer (ESM and CJS) typechecks', tr.exitCode === 0, (tr.stdout + tr.stderr).slice(-2000))
    // The same consumer with @types/node, which declares Symbol.dispose too:
    // the package's lib reference must not clash with it.
    await fs.writeJson(path.join(app, 'tsconfig.node.json'), {
      compilerOptions: { module: 'nodenext', moduleResolution: 'nodenext', target: 'es2022', strict: true, noEmit: true, types: ['node'], typeRoots: [path.join(root, 'node_modules', '@types')], lib: ['es2022'] },
      files: ['consumer.mts', 'consumer.cts'],
    })
    const trn = await $({ cwd: app, env, nothrow: true, quiet: true })`node ${tsc} -p ${path.join(app, 'tsconfig.node.json')}`
    check('TypeScript consumer with @types/node typechecks', trn.exitCode === 0, (trn.stdout + trn.stderr).slice(-2000))

    // 5. Platform package removed: the error must list what was tried and why.
    const saved = path.join(tmp, 'saved-platform')
    await fs.move(platformDir, saved)
    const missing = await $({ cwd: app, env, nothrow: true, quiet: true })`node esm.mjs`
    const m = missing.stderr
    check(
      'without the platform package: error lists both candidates and why each failed',
      missing.exitCode !== 0 &&
        m.includes('ERR_SEQPACK_NATIVE_LOAD') &&
        m.includes('Tried:') &&
        new RegExp(`local build \\S*seqpack\\.${host.triple}\\.node: not found`).test(m) &&
        m.includes(`package ${platformName}: not installed`) &&
        m.includes('optional dependency'),
      m.slice(-1500),
    )

    // 6. A corrupt binary in the platform package: a dlopen failure, not an npm problem.
    await fs.copy(saved, platformDir)
    await fs.writeFile(path.join(platformDir, `${pkg.napi.binaryName}.${host.triple}.node`), 'this is not a shared object\n')
    const corrupt = await $({ cwd: app, env, nothrow: true, quiet: true })`node cjs.cjs`
    const e = corrupt.stderr
    const reason = e.match(/package \S+: (.*)/)?.[1] ?? ''
    check(
      'corrupt binary: dlopen-style reason, no npm blame',
      corrupt.exitCode !== 0 &&
        /invalid ELF header|file too short|not a valid/i.test(reason) &&
        e.includes('refused to load') &&
        !/npm|not installed|optional dependency/i.test(e.slice(e.indexOf('Tried:'))),
      e.slice(-1500),
    )
  } finally {
    await fs.remove(tmp)
  }
  check('source tree left untouched', (await gitStatus()) === statusBefore)
  return c
}
