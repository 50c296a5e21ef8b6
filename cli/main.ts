// The `seqpack` command. Thin: argument parsing, the progress bar and the
// printing; every byte of data is read, packed and written by the library
// (packFile runs natively off the main thread, which only draws the bar).
//
// Exit codes: 0 success, 1 the job failed (bad data, IO), 2 bad usage.
import fs from 'node:fs'
import path from 'node:path'
import { parseArgs } from 'node:util'
import { createRequire } from 'node:module'
import cliProgress from 'cli-progress'
import { packFile, readLengths, SeqpackError, type PackFileOptions, type PackFileProgress, type PackFileSummary } from 'seqpack'
import { compareStrategies, statsTable, writeCharts } from './stats'
import { demo } from './demo'

const VERSION: string = createRequire(import.meta.url)('../package.json').version

const HELP = `seqpack ${VERSION}: pack tokenised datasets into fixed-length training rows

Usage:
  seqpack pack <input> -o <output> --capacity N [options]
  seqpack stats <input> --capacity N [--charts DIR] [--field F] [--json]
  seqpack demo [--dir DIR]
  seqpack --help | --version

<input> is JSONL (one {"input_ids": [...]} or one bare array per line),
Parquet (e.g. written by Hugging Face datasets) or Arrow IPC, chosen by the
extension or --input-format; "-" reads JSONL from stdin.

pack options:
  -o, --output FILE        output file (.parquet, .arrow or .jsonl)
  -c, --capacity N         tokens per row (required)
  --strategy S             packing strategy (default obfd; see \`seqpack stats\`)
  --overflow P             documents over capacity: error (default), split, truncate, drop
  --labels M               unshifted (default; the trainer shifts) or shifted
  --shuffle --seed S       shuffle the rows, deterministically from S
  --field F                token column / key (default input_ids)
  --input-format F         jsonl, parquet or arrow (default: from the extension)
  --format F               output format: parquet, arrow or jsonl (default: from the extension)
  --compression C          parquet codec: zstd (default), snappy, none
  --row-group-rows N       rows per Parquet row group / Arrow batch (default 1024)
  --window N               pack each window of N documents apart: memory bounded
                           by one window (for datasets larger than memory)
  --json                   print the summary as JSON on stdout
  -q, --quiet              no progress bar, no summary text

Errors go to stderr as one line "seqpack: ERR_SEQPACK_<CODE>: <message>".
Exit codes: 0 success, 1 failure (bad data, IO), 2 bad usage.`

class UsageError extends Error {}

const fmt = (n: number) => n.toLocaleString('en-US')
const mb = (b: number) => (b / 1e6).toFixed(1) + ' MB'

function int(name: string, v: string | undefined): number | undefined {
  if (v === undefined) return undefined
  const n = Number(v)
  if (!Number.isSafeInteger(n) || n < 0) throw new UsageError(`--${name} must be a non-negative integer, got ${JSON.stringify(v)}`)
  return n
}

/** A progress bar on stderr, shown only for work that lasts over a second on a TTY. */
function progressBar(quiet: boolean, totalBytes: number) {
  if (quiet || !process.stderr.isTTY) return { active: false, update: (_: PackFileProgress) => {}, stop: () => {} }
  const t0 = performance.now()
  let bar: cliProgress.SingleBar | undefined
  const known = totalBytes > 0
  return {
    active: true,
    update(p: PackFileProgress) {
      const s = (performance.now() - t0) / 1000
      if (!bar && s < 1) return
      const payload = { phase: p.phase.padEnd(9), docs: fmt(p.docsRead), rows: fmt(p.rowsWritten), rate: fmt(Math.round(p.docsRead / Math.max(s, 1e-3))) }
      if (!bar) {
        bar = new cliProgress.SingleBar(
          {
            stream: process.stderr,
            format: known ? '{phase} |{bar}| {percentage}% | {docs} docs | {rows} rows | {rate} docs/s | ETA {eta_formatted}' : '{phase} {docs} docs | {rows} rows | {rate} docs/s',
            hideCursor: true,
            clearOnComplete: true,
            etaBuffer: 20,
          },
          cliProgress.Presets.shades_classic,
        )
        bar.start(known ? totalBytes : 1, 0, payload)
      }
      bar.update(known ? Math.min(p.bytesRead, totalBytes) : 0, payload)
    },
    stop() {
      bar?.stop()
    },
  }
}

async function runPack(input: string | undefined, v: Record<string, string | boolean | undefined>): Promise<PackFileSummary> {
  if (!input) throw new UsageError('pack needs an <input> file (or - for stdin)')
  const output = v.output as string | undefined
  if (!output) throw new UsageError('pack needs -o <output>')
  const capacity = int('capacity', v.capacity as string | undefined)
  if (capacity === undefined) throw new UsageError('pack needs --capacity N')
  const opts: PackFileOptions = { capacity, strategy: ((v.strategy as string) ?? 'obfd') as never }
  if (v.overflow) opts.overflow = v.overflow as never
  if (v.labels) opts.labels = v.labels as never
  if (v.shuffle) opts.shuffle = true
  if (v.seed !== undefined) opts.seed = int('seed', v.seed as string)
  if (v.field) opts.field = v.field as string
  if (v['input-format']) opts.inputFormat = v['input-format'] as never
  if (v.format) opts.format = v.format as never
  if (v.compression) opts.compression = v.compression as never
  if (v['row-group-rows'] !== undefined) opts.rowGroupRows = int('row-group-rows', v['row-group-rows'] as string)
  if (v.window !== undefined) opts.window = int('window', v.window as string)
  const quiet = !!v.quiet
  let size = 0
  const jsonlIn = input !== '-' && (v['input-format'] ? v['input-format'] === 'jsonl' : /\.(jsonl|ndjson|json)$/i.test(input))
  if (jsonlIn) size = fs.statSync(input, { throwIfNoEntry: false })?.size ?? 0
  const bar = progressBar(quiet, size)
  if (bar.active) {
    opts.onProgress = bar.update
    opts.progressInterval = 100
  }
  const t0 = performance.now()
  try {
    const s = await packFile(input, output, opts)
    bar.stop()
    const wall = performance.now() - t0
    if (v.json) process.stdout.write(JSON.stringify({ ...s, wallMs: wall }) + '\n')
    else if (!quiet) {
      const o = s.overflow
      const over = o.split + o.truncated + o.dropped ? ` (over capacity: ${o.split} split, ${o.truncated} truncated, ${o.dropped} dropped)` : ''
      process.stdout.write(
        `${fmt(s.docs)} documents, ${fmt(s.tokens)} tokens -> ${fmt(s.rows)} rows of ${fmt(s.capacity)} (${(100 * s.efficiency).toFixed(2)}% filled)${over}\n` +
          `wrote ${s.path} (${s.format}, ${mb(s.bytes)}) in ${(wall / 1000).toFixed(2)} s: read ${(s.timings.readMs / 1000).toFixed(2)} s, pack ${(s.timings.packMs / 1000).toFixed(2)} s, write ${(s.timings.writeMs / 1000).toFixed(2)} s\n`,
      )
    }
    return s
  } finally {
    bar.stop()
  }
}

function runStats(input: string | undefined, v: Record<string, string | boolean | undefined>) {
  if (!input) throw new UsageError('stats needs an <input> file')
  const capacity = int('capacity', v.capacity as string | undefined)
  if (capacity === undefined) throw new UsageError('stats needs --capacity N')
  const lengths = readLengths(input, { field: v.field as string | undefined, format: v['input-format'] as never })
  const s = compareStrategies(lengths, capacity)
  const dir = (v.charts as string | undefined) ?? 'seqpack-stats'
  const charts = writeCharts(dir, lengths, s, path.basename(input))
  if (v.json) {
    process.stdout.write(JSON.stringify({ ...s, results: s.results.map(({ fills, ...r }) => r), charts }) + '\n')
  } else {
    process.stdout.write(statsTable(s) + '\n\ncharts: ' + charts.join(', ') + '\n')
  }
}

export async function main(argv: string[]): Promise<number> {
  let parsed
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: {
        help: { type: 'boolean', short: 'h' },
        version: { type: 'boolean', short: 'v' },
        output: { type: 'string', short: 'o' },
        capacity: { type: 'string', short: 'c' },
        strategy: { type: 'string' },
        overflow: { type: 'string' },
        labels: { type: 'string' },
        shuffle: { type: 'boolean' },
        seed: { type: 'string' },
        field: { type: 'string' },
        'input-format': { type: 'string' },
        format: { type: 'string' },
        compression: { type: 'string' },
        'row-group-rows': { type: 'string' },
        window: { type: 'string' },
        charts: { type: 'string' },
        dir: { type: 'string' },
        json: { type: 'boolean' },
        quiet: { type: 'boolean', short: 'q' },
      },
    })
  } catch (e) {
    process.stderr.write(`seqpack: ERR_USAGE: ${(e as Error).message}\nRun \`seqpack --help\` for usage.\n`)
    return 2
  }
  const { values: v, positionals } = parsed
  if (v.version) {
    process.stdout.write(VERSION + '\n')
    return 0
  }
  const [cmd, input, ...rest] = positionals
  if (v.help || cmd === undefined || cmd === 'help') {
    process.stdout.write(HELP + '\n')
    return cmd === undefined && !v.help ? 2 : 0
  }
  try {
    if (rest.length) throw new UsageError(`unexpected argument ${JSON.stringify(rest[0])}`)
    if (cmd === 'pack') await runPack(input, v)
    else if (cmd === 'stats') runStats(input, v)
    else if (cmd === 'demo') await demo(v.dir as string | undefined)
    else throw new UsageError(`unknown command ${JSON.stringify(cmd)} (pack, stats, demo)`)
    return 0
  } catch (e) {
    if (e instanceof UsageError) {
      process.stderr.write(`seqpack: ERR_USAGE: ${e.message}\nRun \`seqpack --help\` for usage.\n`)
      return 2
    }
    if (e instanceof SeqpackError) {
      const code = e.code === 'ERR_SEQPACK_INVALID_OPTION' || e.code === 'ERR_SEQPACK_UNKNOWN_STRATEGY' || e.code === 'ERR_SEQPACK_INVALID_CAPACITY' ? 2 : 1
      process.stderr.write(`seqpack: ${e.code}: ${e.message.replace(/\s*\n\s*/g, ' ')}\n`)
      return code
    }
    const err = e as NodeJS.ErrnoException
    process.stderr.write(`seqpack: ${err.code ?? 'ERR_SEQPACK_INTERNAL'}: ${err.message ?? String(e)}\n`)
    return 1
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code
  },
  (e) => {
    process.stderr.write(`seqpack: ERR_SEQPACK_INTERNAL: ${(e as Error)?.stack ?? String(e)}\n`)
    process.exitCode = 1
  },
)
