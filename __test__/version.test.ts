// scripts/version.mjs on a temporary copy of the repository's version-bearing
// files: one command must move every version together and touch nothing else.
import { execFileSync, spawnSync } from 'node:child_process'
import { cpSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

const ROOT = resolve(import.meta.dirname, '..')
const COPY = ['package.json', 'package-lock.json', 'Cargo.toml', 'Cargo.lock', 'build.rs', 'CHANGELOG.md', 'src', 'crates', 'npm', 'scripts']

let dir: string
const read = (p: string) => readFileSync(join(dir, p), 'utf8')
const json = (p: string) => JSON.parse(read(p))
const bump = (v: string) =>
  spawnSync(process.execPath, [join(dir, 'scripts', 'version.mjs'), v], { cwd: dir, encoding: 'utf8', env: { ...process.env, CARGO_TERM_COLOR: 'never' } })
/** `name -> version` of every package in Cargo.lock. */
const lockVersions = (text: string) =>
  Object.fromEntries([...text.matchAll(/^name = "([^"]+)"\nversion = "([^"]+)"/gm)].map((m) => [`${m[1]}@${m[2]}`, m[2]]))

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'seqpack-version-'))
  for (const f of COPY) cpSync(join(ROOT, f), join(dir, f), { recursive: true, filter: (s) => !s.endsWith('.node') })
  symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'))
})
afterAll(() => rmSync(dir, { recursive: true, force: true }))

describe('scripts/version.mjs', () => {
  it('rejects a version that is not semver and changes nothing', () => {
    const before = COPY.filter((f) => f.includes('.')).map(read)
    const r = bump('1.2')
    expect(r.status).not.toBe(0)
    expect(r.stderr).toContain('not a semantic version')
    expect(COPY.filter((f) => f.includes('.')).map(read)).toEqual(before)
  })

  it('bumps package.json, the lockfile, every npm/* package, Cargo and the changelog together', () => {
    const oldLock = lockVersions(read('Cargo.lock'))
    const r = bump('0.2.0-rc.1')
    expect(r.status, r.stderr).toBe(0)

    expect(json('package.json').version).toBe('0.2.0-rc.1')
    expect(json('package-lock.json').version).toBe('0.2.0-rc.1')
    expect(json('package-lock.json').packages[''].version).toBe('0.2.0-rc.1')

    const triples = readdirSync(join(dir, 'npm'))
    expect(triples).toHaveLength(json('package.json').napi.targets.length)
    for (const t of triples) expect(json(`npm/${t}/package.json`).version).toBe('0.2.0-rc.1')

    expect(read('Cargo.toml')).toMatch(/\[workspace\.package\]\nversion = "0\.2\.0-rc\.1"/)
    // Only the workspace crates move in Cargo.lock; every dependency keeps its version.
    const lock = lockVersions(read('Cargo.lock'))
    const ours = (k: string) => k.startsWith('seqpack-core@') || k.startsWith('seqpack-io@') || k.startsWith('seqpack-node@')
    expect(Object.keys(lock).filter(ours).sort()).toEqual(['seqpack-core@0.2.0-rc.1', 'seqpack-io@0.2.0-rc.1', 'seqpack-node@0.2.0-rc.1'])
    expect(Object.fromEntries(Object.entries(lock).filter(([k]) => !ours(k)))).toEqual(
      Object.fromEntries(Object.entries(oldLock).filter(([k]) => !ours(k))),
    )
    // cargo agrees the lock is consistent with the manifests.
    execFileSync('cargo', ['metadata', '--locked', '--offline', '--format-version', '1', '--no-deps'], { cwd: dir, stdio: 'pipe' })

    const changelog = read('CHANGELOG.md')
    expect(changelog).toMatch(/## \[Unreleased\]\n\n## \[0\.2\.0-rc\.1\] - \d{4}-\d{2}-\d{2}\n/)
    expect(changelog).toContain('[0.2.0-rc.1]: https://github.com/seqpack/seqpack/releases/tag/v0.2.0-rc.1')

    // npm/ is exactly what the generator produces for the new version.
    const check = spawnSync(process.execPath, [join(dir, 'scripts', 'npm-dirs.mjs'), '--check'], { cwd: dir, encoding: 'utf8' })
    expect(check.status, check.stderr).toBe(0)
  })

  it('keeps seqpack-* optionalDependencies in step when a manifest carries them', () => {
    const pkgPath = join(dir, 'package.json')
    const pkg = json('package.json')
    pkg.optionalDependencies = { 'seqpack-linux-x64-gnu': pkg.version, 'other-dep': '^1.0.0' }
    writeFileSync(pkgPath, JSON.stringify(pkg, null, 2) + '\n')
    expect(bump('0.2.0').status).toBe(0)
    expect(json('package.json').optionalDependencies).toEqual({ 'seqpack-linux-x64-gnu': '0.2.0', 'other-dep': '^1.0.0' })
    // Both releases now have their own section, newest first.
    expect(read('CHANGELOG.md')).toMatch(/## \[Unreleased\]\n\n## \[0\.2\.0\] - [\d-]+\n\n## \[0\.2\.0-rc\.1\]/)
  })
})
