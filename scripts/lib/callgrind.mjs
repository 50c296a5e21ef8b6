// Instruction counts per ELF object from a callgrind output file.
//
// Why parse instead of callgrind_annotate: we want the *self* cost of exactly
// one object (the addon .node), whatever its symbols (the release build is
// stripped, so per-function names are unavailable but the object still is).
// Format facts used (callgrind format spec): `ob=` sets the object of the
// following cost lines, names may be compressed as `(id) name` then `(id)`;
// a `calls=` line is followed by one line holding the *inclusive* cost of
// that call, which is not self cost and is skipped; `cob=`, `cfn=`, `fl=`,
// `fi=`, `fe=`, `fn=` do not change the object.
import { fs } from 'zx'

/** Returns { events, totals: {event: n}, byObject: Map<path, Ir> } (first event only per object). */
export function parseCallgrind(text) {
  const names = new Map()
  const resolve = (spec) => {
    const m = spec.match(/^\((\d+)\)(?:\s+(.*))?$/)
    if (!m) return spec.trim()
    if (m[2] !== undefined) names.set(m[1], m[2])
    return names.get(m[1]) ?? `(${m[1]})`
  }
  let events = []
  let totals = null
  let positions = 1
  const byObject = new Map()
  let ob = '???'
  let skipNext = false
  for (const line of text.split('\n')) {
    if (skipNext) {
      skipNext = false
      continue
    }
    if (line === '') continue
    const c = line.charCodeAt(0)
    // cost line: starts with a digit, '+', '-' or '*' (relative/same positions)
    if ((c >= 48 && c <= 57) || c === 43 || c === 45 || c === 42) {
      const t = line.split(' ')
      const ir = Number(t[positions] ?? 0)
      if (ir) byObject.set(ob, (byObject.get(ob) ?? 0) + ir)
      continue
    }
    if (line.startsWith('ob=')) ob = resolve(line.slice(3))
    else if (line.startsWith('calls=')) skipNext = true
    else if (line.startsWith('cob=')) resolve(line.slice(4)) // may define a name used later
    else if (line.startsWith('events:')) events = line.slice(7).trim().split(/\s+/)
    else if (line.startsWith('positions:')) positions = line.slice(10).trim().split(/\s+/).length
    else if (line.startsWith('totals:') || line.startsWith('summary:')) {
      const v = line.split(':')[1].trim().split(/\s+/).map(Number)
      totals = Object.fromEntries(events.map((e, i) => [e, v[i]]))
    }
  }
  return { events, totals, byObject }
}

/** Self Ir of the object whose path ends with `file` (basename match), plus the process total. */
export async function objectInstructions(outFile, file) {
  const { totals, byObject } = parseCallgrind(await fs.readFile(outFile, 'utf8'))
  let ir = 0
  const matched = []
  for (const [ob, v] of byObject) {
    if (ob.endsWith('/' + file) || ob === file) {
      ir += v
      matched.push(ob)
    }
  }
  const sum = [...byObject.values()].reduce((a, b) => a + b, 0)
  return { ir, total: totals?.Ir ?? sum, sumOfObjects: sum, matched }
}
