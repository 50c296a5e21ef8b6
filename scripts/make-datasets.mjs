#!/usr/bin/env node
// Regenerates the bundled datasets of REAL token lengths under data/.
//
//   apt-get install -y --no-install-recommends fortunes fortunes-min mandoc \
//     manpages manpages-dev perl-doc libssl-doc libx11-doc libcurl4-doc tcl8.6-doc git-man
//   node scripts/make-datasets.mjs            # writes data/<name>.u32 + data/datasets.json
//   node scripts/make-datasets.mjs --check    # recomputes and compares with the committed files
//
// The hub datasets seqpacker and LightBinPack use (Alpaca, UltraChat, C4) cannot be fetched
// here, so the texts come from Debian packages (versions recorded in
// datasets.json, so a rerun on the same Debian release gives identical files):
//   chat: every fortune cookie of `fortunes` + `fortunes-min` (short human texts,
//         one fortune = one sequence; exact duplicates dropped)
//   code: every top-level function and every method of a top-level class in the
//         CPython 3.11 standard library as Debian ships it (`libpython3.11-stdlib`,
//         `libpython3.11-minimal`), cut out with Python's own `ast` (decorators included)
//   docs: every real man page (not symlinks, not `.so` redirects) of the packages
//         above, rendered to plain text by mandoc (`mandoc -T ascii | col -bx`)
// Each text is tokenized with the GPT-2 tokenizer (r50k_base, npm gpt-tokenizer),
// no special tokens. Lengths are stored in source order (sorted file paths,
// then position in the file) as little-endian uint32.
import { $, argv, fs, path } from 'zx'
import zlib from 'node:zlib'
import { spawnSync } from 'node:child_process'
import { countTokens } from 'gpt-tokenizer/encoding/r50k_base'

$.verbose = false
const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..')
const dataDir = path.join(root, 'data')
const check = Boolean(argv.check)

const DOC_PACKAGES = ['manpages', 'manpages-dev', 'perl-doc', 'libssl-doc', 'libx11-doc', 'libcurl4-doc', 'tcl8.6-doc', 'git-man']
const CHAT_PACKAGES = ['fortunes', 'fortunes-min']
const CODE_PACKAGES = ['libpython3.11-stdlib', 'libpython3.11-minimal']

async function packageFiles(pkg) {
  const r = await $({ nothrow: true })`dpkg -L ${pkg}`
  if (r.exitCode !== 0) {
    throw new Error(`Debian package ${pkg} is not installed; run: apt-get install -y --no-install-recommends ${pkg}`)
  }
  return r.stdout.split('\n').filter(Boolean)
}

async function packageVersion(pkg) {
  return (await $`dpkg-query -W -f=${'${Version}'} ${pkg}`).stdout.trim()
}

function isRegularFile(f) {
  const st = fs.lstatSync(f, { throwIfNoEntry: false })
  return st !== undefined && st.isFile()
}

async function chatTexts() {
  const files = new Set()
  for (const pkg of CHAT_PACKAGES) {
    for (const f of await packageFiles(pkg)) {
      if (f.includes('/games/fortunes/') && !/\.(dat|u8)$/.test(f) && isRegularFile(f)) files.add(f)
    }
  }
  const seen = new Set()
  const texts = []
  for (const f of [...files].sort()) {
    for (const t of fs.readFileSync(f, 'utf8').split(/^%$/m)) {
      const s = t.trim()
      if (s && !seen.has(s)) {
        seen.add(s)
        texts.push(s)
      }
    }
  }
  return texts
}

// Runs in Debian's own python3 (the stdlib version it parses), prints JSON lines.
const PY_SPLIT = String.raw`
import ast, json, sys
for path in sys.argv[1:]:
    try:
        src = open(path, encoding='utf-8').read()
        tree = ast.parse(src)
    except (SyntaxError, UnicodeDecodeError, ValueError):
        continue
    # ast numbers lines by \n only (open() already translated \r\n); str.splitlines
    # would also split at form feeds and shift every later cut.
    lines = [l + '\n' for l in src.split('\n')]
    def cut(node):
        start = min([node.lineno] + [d.lineno for d in node.decorator_list])
        return ''.join(lines[start - 1:node.end_lineno])
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            print(json.dumps(cut(node)))
        elif isinstance(node, ast.ClassDef):
            for m in node.body:
                if isinstance(m, (ast.FunctionDef, ast.AsyncFunctionDef)):
                    print(json.dumps(cut(m)))
`

async function codeTexts() {
  const files = []
  for (const pkg of CODE_PACKAGES) {
    for (const f of await packageFiles(pkg)) if (f.endsWith('.py') && isRegularFile(f)) files.push(f)
  }
  files.sort()
  const out = await $`/usr/bin/python3 -c ${PY_SPLIT} ${files}`
  return out.stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l))
}

async function docTexts() {
  const files = []
  for (const pkg of DOC_PACKAGES) {
    for (const f of await packageFiles(pkg)) {
      if (/\/share\/man\/man[^/]+\/[^/]+\.gz$/.test(f) && isRegularFile(f)) files.push(f)
    }
  }
  files.sort()
  const texts = []
  for (const f of files) {
    const head = zlib.gunzipSync(fs.readFileSync(f)).subarray(0, 8).toString('latin1')
    if (/^\.so\s/.test(head)) continue // a redirect to another page, not a document
    const r = spawnSync('sh', ['-c', 'mandoc -T ascii "$1" | col -bx', 'sh', f], { encoding: 'utf8', maxBuffer: 1 << 28 })
    const s = r.stdout.trim()
    if (r.status === 0 && s) texts.push(s)
  }
  return texts
}

function stats(lengths) {
  const s = Float64Array.from(lengths).sort()
  const q = (p) => s[Math.min(s.length - 1, Math.floor(p * s.length))]
  let sum = 0
  for (const v of s) sum += v
  return { count: s.length, tokens: sum, min: s[0], median: q(0.5), mean: Math.round((sum / s.length) * 10) / 10, p90: q(0.9), p99: q(0.99), max: s[s.length - 1] }
}

const DATASETS = [
  { name: 'chat', kind: 'short real texts (fortune cookies)', packages: CHAT_PACKAGES, texts: chatTexts },
  { name: 'code', kind: 'Python functions and methods (CPython 3.11 stdlib)', packages: CODE_PACKAGES, texts: codeTexts },
  { name: 'docs', kind: 'long documents (man pages rendered to text)', packages: [...DOC_PACKAGES, 'mandoc'], texts: docTexts },
]

const meta = { tokenizer: 'GPT-2 (r50k_base) via npm gpt-tokenizer ' + fs.readJsonSync(path.join(root, 'node_modules/gpt-tokenizer/package.json')).version, format: 'little-endian uint32, one length per sequence, source order', datasets: {} }
let mismatch = 0
for (const d of DATASETS) {
  const t0 = performance.now()
  const texts = await d.texts()
  const lengths = Uint32Array.from(texts, (t) => countTokens(t))
  const versions = {}
  for (const p of d.packages) versions[p] = await packageVersion(p)
  meta.datasets[d.name] = { file: `${d.name}.u32`, source: d.kind, debianPackages: versions, ...stats(lengths) }
  const file = path.join(dataDir, `${d.name}.u32`)
  const bytes = Buffer.from(lengths.buffer, lengths.byteOffset, lengths.byteLength)
  if (check) {
    const same = fs.existsSync(file) && Buffer.compare(fs.readFileSync(file), bytes) === 0
    if (!same) mismatch++
    console.log(`${d.name}: ${same ? 'identical' : 'DIFFERS from'} ${path.relative(root, file)}`)
  } else {
    fs.mkdirpSync(dataDir)
    fs.writeFileSync(file, bytes)
  }
  const m = meta.datasets[d.name]
  console.log(`${d.name.padEnd(5)} ${String(m.count).padStart(6)} sequences  min ${m.min}  median ${m.median}  mean ${m.mean}  p99 ${m.p99}  max ${m.max}  (${((performance.now() - t0) / 1000).toFixed(1)} s)`)
}
if (!check) fs.writeFileSync(path.join(dataDir, 'datasets.json'), JSON.stringify(meta, null, 2) + '\n')
if (mismatch) process.exit(1)
