// Interoperability with the Python training stack, for real: a venv from PyPI
// (pyarrow, datasets, numpy), an input written by `datasets`
// (Dataset.to_parquet) plus the same documents as JSONL and as Arrow IPC, the
// `seqpack` CLI run on each input to each output format in both label
// conventions and several overflow policies, and every output checked by
// __test__/python/check_rows.py (written independently of the JS code:
// dtypes, shapes, every document's tokens back in order, labels, positions;
// Parquet also loaded with datasets.Dataset.from_parquet). One check each.
//
// The venv is .venv/ at the root (gitignored), reused when it imports the three.
// `datasets` caches every file it loads (about 20 MB per run under
// ~/.cache/huggingface); HF_HOME points it into the stage's temp dir instead.
import os from 'node:os'
import { $, fs, path } from 'zx'
import { inCI } from '../lib/run.mjs'

export const name = 'python-interop'

const CAPACITY = 1024
const DOCS = 400

async function venv(root) {
  const dir = path.join(root, '.venv')
  const py = path.join(dir, 'bin', 'python')
  const ok = async () => (await $({ nothrow: true, quiet: true })`${py} -c ${'import pyarrow, datasets, numpy'}`).exitCode === 0
  if (fs.existsSync(py) && (await ok())) return py
  const sys = (await $({ nothrow: true, quiet: true })`python3 --version`).exitCode === 0 ? 'python3' : null
  if (!sys) return null
  await $({ verbose: true })`${sys} -m venv ${dir}`
  await $({ verbose: true })`${py} -m pip install --quiet --disable-pip-version-check pyarrow datasets numpy`
  return (await ok()) ? py : null
}

export async function stage({ root }) {
  const cli = path.join(root, 'dist', 'cli.mjs')
  if (!fs.existsSync(cli)) {
    if (!inCI) return { passed: 0, failed: 0, skipped: 'not built: run `npm run build` first' }
    await $({ cwd: root, verbose: true })`node scripts/build.mjs`
  }
  const py = await venv(root)
  if (!py) {
    if (inCI) return { passed: 0, failed: 1 }
    return { passed: 0, failed: 0, skipped: 'no python3 with venv/pip to create .venv' }
  }
  const pyDir = path.join(root, '__test__', 'python')
  const tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'seqpack-interop-'))
  const $py = $({ nothrow: true, env: { ...process.env, HF_HOME: path.join(tmp, 'hf') } })
  const c = { passed: 0, failed: 0 }
  const check = (label, ok, detail = '') => {
    console.log(`${ok ? 'ok  ' : 'FAIL'} ${label}${!ok && detail ? `:\n${detail}` : ''}`)
    c[ok ? 'passed' : 'failed']++
  }
  try {
    const src = {
      parquet: path.join(tmp, 'in.parquet'),
      jsonl: path.join(tmp, 'in.jsonl'),
      arrow: path.join(tmp, 'in.arrow'),
    }
    const mk = await $py`${py} ${path.join(pyDir, 'make_hf_parquet.py')} ${src.parquet} --docs ${DOCS} --jsonl ${src.jsonl}`
    check('datasets writes the input (Dataset.to_parquet) and its JSONL twin', mk.exitCode === 0, mk.stderr)
    const toArrow = `import pyarrow.parquet as pq, pyarrow.ipc as ipc, sys\nt = pq.read_table(sys.argv[1])\nwith ipc.new_file(sys.argv[2], t.schema) as w: w.write_table(t)`
    const ar = await $py`${py} -c ${toArrow} ${src.parquet} ${src.arrow}`
    check('pyarrow writes the same documents as an Arrow IPC file', ar.exitCode === 0, ar.stderr)

    // [input, output format, labels, overflow, extra CLI args]
    const cases = []
    for (const input of ['jsonl', 'parquet', 'arrow']) for (const out of ['parquet', 'arrow', 'jsonl']) cases.push([input, out, 'unshifted', 'split', []])
    cases.push(['parquet', 'parquet', 'shifted', 'split', []])
    cases.push(['parquet', 'parquet', 'unshifted', 'truncate', []])
    cases.push(['jsonl', 'arrow', 'shifted', 'truncate', []])
    cases.push(['jsonl', 'parquet', 'shifted', 'drop', []])
    cases.push(['parquet', 'parquet', 'unshifted', 'split', ['--window', '64', '--row-group-rows', '7']])
    cases.push(['jsonl', 'parquet', 'unshifted', 'split', ['--compression', 'snappy', '--shuffle', '--seed', '3']])
    cases.push(['stdin', 'parquet', 'shifted', 'split', []])
    let k = 0
    for (const [input, out, labels, overflow, extra] of cases) {
      const dst = path.join(tmp, `out-${k++}.${out}`)
      const label = `${input} -> ${out}, labels ${labels}, overflow ${overflow}${extra.length ? ' ' + extra.join(' ') : ''}`
      const args = [cli, 'pack', input === 'stdin' ? '-' : src[input], '-o', dst, '--capacity', String(CAPACITY), '--labels', labels, '--overflow', overflow, '--json', ...extra]
      const r = input === 'stdin' ? await $({ nothrow: true, quiet: true, input: fs.readFileSync(src.jsonl) })`node ${args}` : await $({ nothrow: true, quiet: true })`node ${args}`
      let summary = null
      try {
        summary = JSON.parse(r.stdout)
      } catch {}
      const packed = r.exitCode === 0 && summary?.docs === DOCS && summary.rows > 0 && fs.existsSync(dst)
      check(`seqpack pack ${label}`, packed, r.stderr + r.stdout.slice(0, 500))
      if (!packed) continue
      const partial = overflow === 'truncate' || overflow === 'drop' ? ['--allow-partial'] : []
      const ds = out === 'parquet' ? [] : ['--no-datasets']
      // The first case also proves the checker catches corrupted copies of the file.
      const self = k === 1 ? ['--self-test'] : []
      const v = await $py({ quiet: true })`${py} ${path.join(pyDir, 'check_rows.py')} ${dst} ${src.jsonl} --capacity ${CAPACITY} --labels ${labels} ${partial} ${ds} ${self}`
      check(`check_rows.py (pyarrow${out === 'parquet' ? ' + datasets.Dataset.from_parquet' : ''}${self.length ? ', self-test' : ''}) on ${label}`, v.exitCode === 0, v.stdout + v.stderr)
    }
  } finally {
    await fs.remove(tmp)
  }
  return c
}
