// Lints the GitHub workflows with actionlint (a real parser and type checker
// for workflow files: unknown keys, action inputs, expression types, runner
// labels, job dependencies), plus shellcheck on the `run:` scripts and on
// .ci/run. One passed/failed per file.
//
// actionlint is pinned and built from the Go module proxy into a cache outside
// the tree; shellcheck comes from Debian. Both are installed only under CI=true;
// elsewhere a missing tool is a skip with the command that installs it.
import os from 'node:os'
import { $, fs, path, which } from 'zx'
import { inCI, run } from '../lib/run.mjs'
import { platforms } from '../lib/targets.mjs'

export const name = 'workflows'

const ACTIONLINT = 'github.com/rhysd/actionlint/cmd/actionlint'
const ACTIONLINT_VERSION = 'v1.7.12'
const toolDir = path.join(process.env.XDG_CACHE_HOME ?? path.join(os.homedir(), '.cache'), 'seqpack-tools', `actionlint-${ACTIONLINT_VERSION}`)

async function version(bin) {
  const r = await $({ nothrow: true, quiet: true })`${bin} -version`
  return r.exitCode === 0 ? r.stdout.split('\n')[0].trim() : null
}

/** Path of an actionlint at the pinned version, installing it under CI; or { skip }. */
async function actionlint() {
  const cached = path.join(toolDir, 'actionlint')
  if ((await version(cached)) === ACTIONLINT_VERSION) return { bin: cached }
  const onPath = await which('actionlint', { nothrow: true })
  if (onPath && (await version(onPath)) === ACTIONLINT_VERSION) return { bin: onPath }
  const install = `GOBIN=${toolDir} go install ${ACTIONLINT}@${ACTIONLINT_VERSION}`
  if (!inCI) return { skip: `actionlint ${ACTIONLINT_VERSION} not installed (CI=true installs it: ${install})` }
  if (!(await which('go', { nothrow: true }))) throw new Error(`go is needed to install actionlint: ${install}`)
  await fs.mkdirp(toolDir)
  const r = await run(['go', 'install', `${ACTIONLINT}@${ACTIONLINT_VERSION}`], { env: { ...process.env, GOBIN: toolDir } })
  if (!r.ok || (await version(cached)) !== ACTIONLINT_VERSION) throw new Error(`installing actionlint failed: ${install}`)
  return { bin: cached }
}

/** shellcheck's path, installing it from Debian under CI; null if unavailable. */
async function shellcheck() {
  const found = await which('shellcheck', { nothrow: true })
  if (found || !inCI || !(await which('apt-get', { nothrow: true }))) return found
  const sudo = process.getuid?.() === 0 ? [] : ['sudo']
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' }
  let r = await run([...sudo, 'apt-get', 'install', '-y', '-qq', 'shellcheck'], { env })
  if (!r.ok) {
    await run([...sudo, 'apt-get', 'update', '-qq'], { env })
    r = await run([...sudo, 'apt-get', 'install', '-y', '-qq', 'shellcheck'], { env })
  }
  return await which('shellcheck', { nothrow: true })
}

export async function stage({ root }) {
  const dir = path.join(root, '.github', 'workflows')
  const workflows = (await fs.readdir(dir)).filter((f) => /\.ya?ml$/.test(f)).sort()
  if (workflows.length === 0) return { passed: 0, failed: 1 } // the release needs these files

  const al = await actionlint()
  const sc = await shellcheck()
  const c = { passed: 0, failed: 0 }
  const skips = []
  if (al.skip) skips.push(al.skip)
  else {
    // Without shellcheck actionlint silently skips `run:` scripts: say so.
    if (!sc) skips.push('shellcheck not installed: `run:` scripts not checked (CI=true installs it with apt-get)')
    for (const wf of workflows) {
      const r = await $({ cwd: root, nothrow: true })`${al.bin} -no-color -oneline -shellcheck=${sc ?? ''} ${path.join('.github', 'workflows', wf)}`
      console.log(`${r.exitCode === 0 ? 'ok  ' : 'FAIL'} actionlint ${wf}${r.exitCode === 0 ? '' : `\n${r.stdout}${r.stderr}`}`)
      c[r.exitCode === 0 ? 'passed' : 'failed']++
    }
  }
  if (sc) {
    const scripts = [path.join('.ci', 'run'), ...(await fs.readdir(path.join(root, 'scripts'))).filter((f) => f.endsWith('.sh')).map((f) => path.join('scripts', f))]
    for (const s of scripts.filter((s) => fs.existsSync(path.join(root, s)))) {
      const r = await $({ cwd: root, nothrow: true })`${sc} ${s}`
      console.log(`${r.exitCode === 0 ? 'ok  ' : 'FAIL'} shellcheck ${s}${r.exitCode === 0 ? '' : `\n${r.stdout}${r.stderr}`}`)
      c[r.exitCode === 0 ? 'passed' : 'failed']++
    }
  }
  // The build and the test matrix must each list every napi target exactly once:
  // a target added to package.json but not to CI would be published untested.
  const matrixFile = path.join(dir, 'build-and-test.yml')
  if (fs.existsSync(matrixFile)) {
    // Only the `build` and `test` jobs: extra legs (the old-glibc image) come after them.
    const all = fs.readFileSync(matrixFile, 'utf8')
    const start = all.indexOf('\n  build:\n')
    const end = all.indexOf('\n  test-old-glibc:')
    const text = start < 0 ? all : all.slice(start, end > start ? end : undefined)
    const listed = [...text.matchAll(/\{ target: ([\w-]+), triple: ([\w-]+),/g)].map((m) => `${m[1]}=${m[2]}`)
    const want = platforms(root).flatMap((p) => [`${p.rustTarget}=${p.triple}`, `${p.rustTarget}=${p.triple}`])
    const ok = JSON.stringify([...listed].sort()) === JSON.stringify(want.sort())
    console.log(`${ok ? 'ok  ' : 'FAIL'} build and test matrices cover exactly the napi targets${ok ? '' : `\n  listed: ${listed.join(' ')}`}`)
    c[ok ? 'passed' : 'failed']++
  }
  if (skips.length) c.skipped = skips.join('; ')
  return c
}
