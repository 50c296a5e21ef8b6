import { describe, expect, it } from 'vitest'
import { mergePrefixes, pack, packRows, packRowsAsync, packStream, PackedRows, StreamBins, StreamPacker, strategies, type Overflow, type RowsOptions } from 'seqpack'
import { rng, thrown } from './helpers'

const OVERFLOWS: Overflow[] = ['error', 'truncate', 'split', 'drop']
const PAD = 777_777
const IGNORE = -5

/** Random documents: mostly short, some over `capacity` when `long`. */
function randomDocs(seed: number, n: number, capacity: number, long: boolean): number[][] {
  const r = rng(seed)
  return Array.from({ length: n }, () => {
    const len = long && r() < 0.15 ? capacity + 1 + Math.floor(r() * 2 * capacity) : 1 + Math.floor(r() * capacity)
    return Array.from({ length: len }, () => Math.floor(r() * 2 ** 31) * (r() < 0.5 ? -1 : 1))
  })
}

/** The options each strategy needs to run, for a capacity. */
function strategyOptions(name: string, capacity: number): RowsOptions {
  if (name === 'ogbfd' || name === 'ogbfdp') return { strategy: name, capacity, groupSize: 2 }
  if (name === 'ohgbfd') return { strategy: name, capacities: [capacity, Math.max(1, capacity >> 1)] }
  if (name === 'oshgbfd') return { strategy: name, layouts: [[capacity], [Math.max(1, capacity >> 1), Math.max(1, capacity >> 1)]] }
  return { strategy: name as never, capacity }
}

/** The tokens of document `d` a policy keeps: `[0, kept)`. */
function keptLength(len: number, capacity: number, overflow: Overflow): number {
  if (len <= capacity) return len
  return overflow === 'truncate' ? capacity : overflow === 'split' ? len : 0
}

/**
 * Checks rows against the documents with an independent reference of every
 * convention; returns problems (empty when all hold).
 */
function checkRows(rows: PackedRows, docs: number[][], capacity: number, overflow: Overflow, labels: 'unshifted' | 'shifted'): string[] {
  const problems: string[] = []
  const C = rows.capacity
  if (rows.inputIds.length !== rows.numRows * C) problems.push('inputIds length')
  const covered: [number, number][][] = docs.map(() => [])
  for (let r = 0; r < rows.numRows && problems.length < 5; r++) {
    let slot = r * C
    let used = 0
    for (let s = rows.rowSegments[r]; s < rows.rowSegments[r + 1]; s++) {
      const d = rows.segmentDoc[s]
      const start = rows.segmentStart[s]
      const len = rows.segmentLength[s]
      if (len === 0 || len > capacity) problems.push(`segment ${s} length ${len}`)
      covered[d].push([start, len])
      for (let t = 0; t < len; t++, slot++) {
        const tok = docs[d][start + t]
        if (rows.inputIds[slot] !== tok) problems.push(`row ${r} slot ${slot}: token ${rows.inputIds[slot]} != doc ${d}[${start + t}] = ${tok}`)
        if (rows.positionIds[slot] !== t) problems.push(`slot ${slot}: position ${rows.positionIds[slot]} != ${t}`)
        if (rows.attentionMask[slot] !== 1) problems.push(`slot ${slot}: mask`)
        const want = labels === 'unshifted' ? (t === 0 ? IGNORE : tok) : t === len - 1 ? IGNORE : docs[d][start + t + 1]
        if (rows.labels[slot] !== want) problems.push(`slot ${slot}: label ${rows.labels[slot]} != ${want} (${labels})`)
      }
      used += len
    }
    if (used > C) problems.push(`row ${r} holds ${used} > ${C}`)
    for (; slot < (r + 1) * C; slot++) {
      if (rows.inputIds[slot] !== PAD || rows.labels[slot] !== IGNORE || rows.attentionMask[slot] !== 0 || rows.positionIds[slot] !== 0) {
        problems.push(`row ${r} padding slot ${slot}`)
        break
      }
    }
  }
  // Every kept token exactly once: the pieces of a document, by start, tile [0, kept).
  let split = 0, truncated = 0, dropped = 0, lost = 0
  docs.forEach((doc, d) => {
    const kept = keptLength(doc.length, capacity, overflow)
    if (doc.length > capacity) {
      if (overflow === 'split') split++
      if (overflow === 'truncate') (truncated++, (lost += doc.length - capacity))
      if (overflow === 'drop') (dropped++, (lost += doc.length))
    }
    const pieces = covered[d].sort((a, b) => a[0] - b[0])
    let at = 0
    for (const [start, len] of pieces) {
      if (start !== at) problems.push(`doc ${d}: piece at ${start}, expected ${at}`)
      at = start + len
    }
    if (at !== kept) problems.push(`doc ${d}: ${at} of ${kept} kept tokens placed`)
  })
  const o = rows.overflow
  if (o.split !== split || o.truncated !== truncated || o.dropped !== dropped || o.tokensLost !== lost) {
    problems.push(`overflow counts ${JSON.stringify(o)} != ${JSON.stringify({ split, truncated, dropped, lost })}`)
  }
  // cu_seqlens against the segments of the rows, for a few ranges.
  for (const [a, b] of [[0, rows.numRows], [0, Math.min(1, rows.numRows)], [rows.numRows >> 1, rows.numRows]]) {
    const want = [0]
    for (let r = a; r < b; r++) for (let s = rows.rowSegments[r]; s < rows.rowSegments[r + 1]; s++) want.push(want[want.length - 1] + rows.segmentLength[s])
    if (JSON.stringify(Array.from(rows.cuSeqlens(a, b))) !== JSON.stringify(want)) problems.push(`cuSeqlens(${a}, ${b})`)
  }
  let longest = 0
  for (const l of rows.segmentLength) longest = Math.max(longest, l)
  if (rows.maxSeqlen !== longest) problems.push(`maxSeqlen ${rows.maxSeqlen} != ${longest}`)
  if (rows.metrics.numBins !== rows.numRows) problems.push('metrics.numBins')
  return problems
}

describe('packRows', () => {
  const names = strategies().map((s) => s.name)

  it('every strategy x overflow x labels: tokens once and in order, conventions match the reference', () => {
    for (const name of names) {
      for (const overflow of OVERFLOWS) {
        for (const [i, labels] of (['unshifted', 'shifted'] as const).entries()) {
          const capacity = 16 + ((names.indexOf(name) * 7 + i) % 20)
          const docs = randomDocs(names.indexOf(name) * 31 + OVERFLOWS.indexOf(overflow) * 7 + i, 60, capacity, overflow !== 'error')
          const options = { ...strategyOptions(name, capacity), overflow, labels, padId: PAD, ignoreIndex: IGNORE }
          const rows = packRows(docs, options)
          expect(checkRows(rows, docs, capacity, overflow, labels), `${name} ${overflow} ${labels}`).toEqual([])
        }
      }
    }
  })

  it('flat { tokens, offsets } input (Int32Array, Uint32Array, numbers) gives the same rows as token arrays', () => {
    const docs = randomDocs(5, 200, 64, false).map((d) => d.map((t) => Math.abs(t)))
    const offsets = new Uint32Array(docs.length + 1)
    docs.forEach((d, i) => (offsets[i + 1] = offsets[i] + d.length))
    const flat = docs.flat()
    const a = packRows(docs, { capacity: 64 })
    for (const tokens of [Int32Array.from(flat), Uint32Array.from(flat), flat]) {
      const b = packRows({ tokens, offsets }, { capacity: 64 })
      expect(Array.from(b.inputIds)).toEqual(Array.from(a.inputIds))
      expect(Array.from(b.segmentDoc)).toEqual(Array.from(a.segmentDoc))
    }
    expect(packRows({ tokens: flat, offsets: Array.from(offsets) }, { capacity: 64 }).numRows).toBe(a.numRows)
  })

  it('defaults: pad 0, ignore -100, unshifted labels, no shuffle', () => {
    const rows = packRows([[5, 6, 7], [8]], { capacity: 6, strategy: 'nf' })
    expect(Array.from(rows.inputIds)).toEqual([5, 6, 7, 8, 0, 0])
    expect(Array.from(rows.labels)).toEqual([-100, 6, 7, -100, -100, -100])
    expect(Array.from(rows.positionIds)).toEqual([0, 1, 2, 0, 0, 0])
    expect(Array.from(rows.attentionMask)).toEqual([1, 1, 1, 1, 0, 0])
    expect(Array.from(rows.cuSeqlens())).toEqual([0, 3, 4])
    const shifted = packRows([[5, 6, 7], [8]], { capacity: 6, strategy: 'nf', labels: 'shifted' })
    expect(Array.from(shifted.labels)).toEqual([6, 7, -100, -100, -100, -100])
  })

  it('shuffle permutes whole rows, the same for the same seed, and differs across seeds', () => {
    const docs = randomDocs(9, 400, 32, false)
    const rowKeys = (r: PackedRows) => Array.from({ length: r.numRows }, (_, i) => Array.from(r.row(r.inputIds, i)).join(','))
    const o = { capacity: 32, padId: PAD, ignoreIndex: IGNORE }
    const plain = packRows(docs, o)
    const a = packRows(docs, { ...o, shuffle: true, seed: 3 })
    const b = packRows(docs, { ...o, shuffle: true, seed: 3 })
    const c = packRows(docs, { ...o, shuffle: true, seed: 4 })
    expect(rowKeys(a)).toEqual(rowKeys(b))
    expect([...rowKeys(a)].sort()).toEqual([...rowKeys(plain)].sort())
    expect(rowKeys(a)).not.toEqual(rowKeys(plain))
    expect(rowKeys(a)).not.toEqual(rowKeys(c))
    expect(checkRows(a, docs, 32, 'error', 'unshifted')).toEqual([])
    // Grouped strategies keep each group's rows together.
    const g = packRows(docs, { capacity: 32, strategy: 'ogbfd', groupSize: 2, shuffle: true, seed: 1 })
    expect(g.groupOffsets!.length - 1).toBe(g.numRows / 2)
  })

  it('packRowsAsync gives the same rows and honours an aborted signal', async () => {
    const docs = randomDocs(2, 300, 50, true)
    const sync = packRows(docs, { capacity: 50, overflow: 'split' })
    const async = await packRowsAsync(docs, { capacity: 50, overflow: 'split' })
    expect(Array.from(async.inputIds)).toEqual(Array.from(sync.inputIds))
    const ac = new AbortController()
    ac.abort()
    await expect(packRowsAsync(docs, { capacity: 50, overflow: 'split', signal: ac.signal })).rejects.toMatchObject({ code: 'ERR_SEQPACK_ABORTED' })
  })

  it('typed errors name the bad value and its index', () => {
    const code = thrown
    const tokens = new Int32Array([1, 2, 3, 4])
    expect(code(() => packRows({ tokens, offsets: new Uint32Array([0, 3, 2, 4]) }, { capacity: 8 }))).toEqual(['ERR_SEQPACK_INVALID_INPUT', 2, '2'])
    expect(code(() => packRows({ tokens, offsets: new Uint32Array([0, 3]) }, { capacity: 8 }))).toEqual(['ERR_SEQPACK_INVALID_INPUT', 1, '3'])
    expect(code(() => packRows({ tokens: new Uint32Array([1, 2 ** 31, 3]), offsets: new Uint32Array([0, 3]) }, { capacity: 8 }))).toEqual(['ERR_SEQPACK_INVALID_INPUT', 1, String(2 ** 31)])
    expect(code(() => packRows({ tokens: [1, 2, 1.5], offsets: [0, 3] }, { capacity: 8 }))).toEqual(['ERR_SEQPACK_INVALID_INPUT', 2, '1.5'])
    expect(code(() => packRows([[1], [2, 2 ** 31]], { capacity: 8 }))).toEqual(['ERR_SEQPACK_INVALID_INPUT', 1, String(2 ** 31)])
    expect(code(() => packRows([[1], [], [2]], { capacity: 8 }))[0]).toBe('ERR_SEQPACK_INVALID_LENGTH')
    expect(code(() => packRows([[1], [], [2]], { capacity: 8 }))[1]).toBe(1)
    expect(packRows([[1], [], [2]], { capacity: 8, overflow: 'drop' }).overflow.dropped).toBe(1)
    expect(code(() => packRows([[1], [1, 2, 3]], { capacity: 2 }))).toEqual(['ERR_SEQPACK_LENGTH_EXCEEDS_CAPACITY', 1, '3'])
    expect(code(() => packRows([[1]], { capacity: 2, overflow: 'cut' as never }))[0]).toBe('ERR_SEQPACK_INVALID_OPTION')
    expect(code(() => packRows([[1]], { capacity: 2, labels: 'left' as never }))[0]).toBe('ERR_SEQPACK_INVALID_OPTION')
    expect(code(() => packRows([[1]], { capacity: 2, padId: 2 ** 31 }))[0]).toBe('ERR_SEQPACK_INVALID_OPTION')
    expect(code(() => packRows([[1]], { capacity: 2, shuffle: 1 as never }))[0]).toBe('ERR_SEQPACK_INVALID_OPTION')
    expect(code(() => packRows([[1]], { capacity: 2, bogus: 1 } as never))[0]).toBe('ERR_SEQPACK_INVALID_OPTION')
    expect(code(() => packRows('x' as never, { capacity: 2 }))[0]).toBe('ERR_SEQPACK_INVALID_INPUT')
    expect(code(() => packRows([[1]], { capacity: 0 }))[0]).toBe('ERR_SEQPACK_INVALID_CAPACITY')
    const rows = packRows([[1, 2]], { capacity: 4 })
    expect(code(() => rows.cuSeqlens(0, 2))[0]).toBe('ERR_SEQPACK_INVALID_INPUT')
  })
})

describe('StreamPacker', () => {
  const collect = (bins: StreamBins[]) => {
    const all = bins.flatMap((b) => b.toArray())
    all.sort((a, b) => a[0] - b[0])
    return all.map(([, items]) => items)
  }

  it('for the same lengths gives exactly the bins of pack() for every online strategy, per push and batched', () => {
    for (const strategy of ['nf', 'ff', 'bf', 'wf', 'hk'] as const) {
      for (const seed of [1, 2, 3]) {
        const r = rng(seed)
        const lengths = Array.from({ length: 2000 }, () => 1 + Math.floor(r() * (r() < 0.2 ? 100 : 30)))
        const want = pack(lengths, { capacity: 100, strategy }).bins()
        const one = new StreamPacker({ capacity: 100, strategy })
        const outs = lengths.map((l) => one.push(l))
        outs.push(one.flush() as StreamBins)
        expect(collect(outs), `${strategy} per push`).toEqual(want)
        const many = new StreamPacker({ capacity: 100, strategy })
        const batches = [many.pushMany(Uint32Array.from(lengths.slice(0, 777))), many.pushMany(lengths.slice(777)), many.flush() as StreamBins]
        expect(collect(batches), `${strategy} batched`).toEqual(want)
      }
    }
  })

  it('nf emits bins in order as soon as they close and keeps one bin open', () => {
    const p = new StreamPacker({ capacity: 10, strategy: 'nf' })
    expect(p.push(6).numBins).toBe(0)
    expect(p.push(4).toArray()).toEqual([[0, [0, 1]]]) // exactly full: closes at once
    expect(p.push(7).numBins).toBe(0)
    expect(p.push(5).toArray()).toEqual([[1, [2]]])
    expect(p.pending).toBe(1)
    expect((p.flush() as StreamBins).toArray()).toEqual([[2, [3]]])
  })


  it('StreamBins arrays agree with toArray, also for a batch larger than the scratch buffer', () => {
    // 3,000 items of length 1 at capacity 1 close 3,000 bins in one pushMany:
    // ~12k slots, past the first 256-slot scratch, so the grow-and-retake path runs.
    const p = new StreamPacker({ capacity: 1, strategy: 'nf' })
    const b = p.pushMany(new Uint32Array(3000).fill(1))
    expect(b.numBins).toBe(3000)
    expect(b.binIds).toBeInstanceOf(Float64Array)
    expect(b.offsets).toBeInstanceOf(Uint32Array)
    expect(b.items).toBeInstanceOf(Float64Array)
    expect(Array.from(b.binIds)).toEqual(Array.from({ length: 3000 }, (_, i) => i))
    expect(Array.from(b.offsets)).toEqual(Array.from({ length: 3001 }, (_, i) => i))
    expect(Array.from(b.items)).toEqual(Array.from({ length: 3000 }, (_, i) => i))
    expect(b.binIds).toBe(b.binIds) // made once, on first read
    const q = new StreamPacker({ capacity: 10, strategy: 'nf' })
    for (const l of [3, 3, 3]) expect(q.push(l).numBins).toBe(0)
    const c = q.push(5)
    expect([Array.from(c.binIds), Array.from(c.offsets), Array.from(c.items), Array.from(c.bin(0))]).toEqual([[0], [0, 3], [0, 1, 2], [0, 1, 2]])
  })
  it('tokens mode: streamed nf rows equal packRows nf, with bounded pending tokens', () => {
    const docs = randomDocs(11, 500, 40, true)
    const options = { capacity: 40, strategy: 'nf' as const, overflow: 'split' as const, padId: PAD, ignoreIndex: IGNORE }
    const batch = packRows(docs, options)
    const p = new StreamPacker(options)
    const parts: PackedRows[] = []
    let maxPending = 0
    for (const d of docs) {
      parts.push(p.push(d))
      maxPending = Math.max(maxPending, p.pending)
    }
    parts.push(p.flush() as PackedRows)
    const cat = (f: (r: PackedRows) => ArrayLike<number>) => parts.flatMap((r) => Array.from(f(r)))
    expect(cat((r) => r.inputIds)).toEqual(Array.from(batch.inputIds))
    expect(cat((r) => r.labels)).toEqual(Array.from(batch.labels))
    expect(cat((r) => r.positionIds)).toEqual(Array.from(batch.positionIds))
    expect(cat((r) => r.segmentDoc)).toEqual(Array.from(batch.segmentDoc))
    expect(cat((r) => r.segmentStart)).toEqual(Array.from(batch.segmentStart))
    expect(maxPending).toBeLessThanOrEqual(40) // one open nf bin of at most 40 one-token items
    const counts = parts.reduce((a, r) => ({ split: a.split + r.overflow.split }), { split: 0 })
    expect(counts.split).toBe(batch.overflow.split)
  })

  it('window mode packs each window offline; pushMany of docs checks the whole batch first', () => {
    const docs = randomDocs(4, 90, 30, false)
    const p = new StreamPacker({ capacity: 30, strategy: 'obfd', window: 30, padId: PAD, ignoreIndex: IGNORE })
    const first = p.pushMany(docs.slice(0, 45))
    expect(first.numRows).toBeGreaterThan(0)
    const rest = p.pushMany(docs.slice(45))
    const tail = p.flush() as PackedRows
    const seen = [first, rest, tail].flatMap((r) => Array.from(r.segmentDoc)).sort((a, b) => a - b)
    expect(seen).toEqual(docs.map((_, i) => i))
    const before = p.pushed
    expect(() => p.pushMany([[1, 2], [], [3]])).toThrow(expect.objectContaining({ code: 'ERR_SEQPACK_INVALID_LENGTH', index: 91 }))
    expect(p.pushed).toBe(before)
  })

  it('errors: offline strategy without window, mixing lengths and tokens, bad lengths by push index', () => {
    expect(() => new StreamPacker({ capacity: 8, strategy: 'obfd' })).toThrow(expect.objectContaining({ code: 'ERR_SEQPACK_INVALID_OPTION' }))
    expect(() => new StreamPacker({ capacity: 8, strategy: 'nf', maxOpen: 2 })).toThrow(expect.objectContaining({ code: 'ERR_SEQPACK_INVALID_OPTION' }))
    expect(() => new StreamPacker({ capacity: 8, strategy: 'ff', window: 0 })).toThrow(expect.objectContaining({ code: 'ERR_SEQPACK_INVALID_OPTION' }))
    const p = new StreamPacker({ capacity: 8, strategy: 'nf' })
    p.push(3)
    expect(() => p.push([1, 2])).toThrow(expect.objectContaining({ code: 'ERR_SEQPACK_INVALID_INPUT' }))
    expect(() => p.push(9)).toThrow(expect.objectContaining({ code: 'ERR_SEQPACK_LENGTH_EXCEEDS_CAPACITY', index: 1 }))
    expect(() => p.push(1.5)).toThrow(expect.objectContaining({ code: 'ERR_SEQPACK_INVALID_LENGTH', index: 1 }))
    expect(() => p.pushMany([2, 0])).toThrow(expect.objectContaining({ code: 'ERR_SEQPACK_INVALID_LENGTH', index: 2 }))
    expect(() => p.push(2 ** 40)).toThrow(expect.objectContaining({ code: 'ERR_SEQPACK_LENGTH_EXCEEDS_CAPACITY', index: 2 }))
    const fresh = new StreamPacker({ capacity: 8, strategy: 'nf' })
    expect((fresh.flush() as StreamBins).numBins).toBe(0)
    expect(fresh.push([1, 2]).numRows).toBe(0) // an early flush does not fix the kind
    expect((fresh.flush() as PackedRows).numRows).toBe(1)
  })

  it('maxOpen bounds the open bins of ff', () => {
    const r = rng(8)
    const lengths = Array.from({ length: 3000 }, () => 1 + Math.floor(r() * 60))
    const p = new StreamPacker({ capacity: 100, strategy: 'wf', maxOpen: 4 })
    let maxPending = 0
    const outs: StreamBins[] = []
    for (const l of lengths) {
      outs.push(p.push(l))
      maxPending = Math.max(maxPending, p.pending)
    }
    outs.push(p.flush() as StreamBins)
    const items = collect(outs).flat().sort((a, b) => a - b)
    expect(items).toEqual(lengths.map((_, i) => i))
    expect(maxPending).toBeLessThanOrEqual(4 * 100)
  })
})

describe('packStream', () => {
  it('pulls documents only as the consumer asks, and yields every document once', async () => {
    const docs = randomDocs(21, 300, 25, false)
    let pulled = 0
    async function* source() {
      for (const d of docs) {
        pulled++
        yield d
      }
    }
    const gen = packStream(source(), { capacity: 25, strategy: 'nf' })
    const first = await gen.next()
    expect(first.done).toBe(false)
    const firstRows = first.value as PackedRows
    // nf closes the first bin when a document does not fit: at most the first row's documents plus one were read.
    const inFirst = new Set(Array.from(firstRows.segmentDoc)).size
    expect(pulled).toBeLessThanOrEqual(inFirst + 1)
    const seen = Array.from(firstRows.segmentDoc)
    for await (const batch of gen) seen.push(...(batch as PackedRows).segmentDoc)
    expect(seen).toEqual(docs.map((_, i) => i))
    expect(pulled).toBe(docs.length)
  })

  it('takes a sync iterable of lengths and yields StreamBins equal to pack nf', async () => {
    const lengths = Array.from({ length: 500 }, (_, i) => 1 + ((i * 37) % 50))
    const bins: StreamBins[] = []
    for await (const b of packStream(lengths, { capacity: 64, strategy: 'nf' })) bins.push(b as StreamBins)
    expect(bins.flatMap((b) => b.toArray().map(([, items]) => items))).toEqual(pack(lengths, { capacity: 64, strategy: 'nf' }).bins())
  })
})

describe('mergePrefixes', () => {
  /** Brute force: the trie of a group's documents has one node per distinct non-empty prefix. */
  const distinctPrefixes = (docs: number[][]) => {
    const set = new Set<string>()
    for (const d of docs) for (let l = 1; l <= d.length; l++) set.add(d.slice(0, l).join(','))
    return set.size
  }
  const lcp = (a: number[], b: number[]) => {
    let i = 0
    while (i < a.length && i < b.length && a[i] === b[i]) i++
    return i
  }

  it('matches a brute-force trie: every document rebuilt from its spans, each node stored once, paths and depths consistent', () => {
    for (const seed of [1, 2, 3, 4, 5]) {
      const r = rng(seed)
      const prompts = Array.from({ length: 6 }, () => Array.from({ length: 2 + Math.floor(r() * 8) }, () => Math.floor(r() * 4)))
      const docs = Array.from({ length: 80 }, () => {
        const p = prompts[Math.floor(r() * prompts.length)]
        return [...p, ...Array.from({ length: Math.floor(r() * 6) }, () => Math.floor(r() * 4))]
      })
      const minPrefix = 1 + (seed % 3)
      const maxLength = 30
      const m = mergePrefixes(docs, { minPrefix, maxLength })
      const members = Array.from(m.memberDoc).sort((a, b) => a - b)
      expect(members).toEqual(docs.map((_, i) => i))
      let total = 0
      for (let s = 0; s < m.numSequences; s++) {
        const a = m.seqOffsets[s]
        const seq = Array.from(m.tokens.subarray(a, m.seqOffsets[s + 1]))
        expect(seq.length).toBeLessThanOrEqual(maxLength)
        const group: number[][] = []
        for (let k = m.memberOffsets[s]; k < m.memberOffsets[s + 1]; k++) {
          const doc = docs[m.memberDoc[k]]
          group.push(doc)
          const rebuilt: number[] = []
          for (let j = m.spanOffsets[k]; j < m.spanOffsets[k + 1]; j++) rebuilt.push(...seq.slice(m.spanStart[j], m.spanStart[j] + m.spanLen[j]))
          expect(rebuilt).toEqual(doc)
          // The document's path: its last token's ancestors, in order.
          const last = m.spanStart[m.spanOffsets[k + 1] - 1] + m.spanLen[m.spanOffsets[k + 1] - 1] - 1
          const path: number[] = []
          for (let t = last; t !== -1; t = m.parent[a + t]) path.unshift(seq[t])
          expect(path).toEqual(doc)
        }
        expect(seq.length).toBe(distinctPrefixes(group))
        for (let i = 1; i < group.length; i++) for (let j = 0; j < i; j++) expect(lcp(group[i], group[j])).toBeGreaterThanOrEqual(minPrefix)
        let pairs = 0
        for (let t = 0; t < seq.length; t++) {
          const p = m.parent[a + t]
          expect(m.position[a + t]).toBe(p === -1 ? 0 : m.position[a + p] + 1)
          pairs += m.position[a + t] + 1
        }
        expect(m.attentionPairs[s]).toBe(pairs)
        total += seq.length
      }
      expect(m.tokens.length).toBe(total)
      expect(m.tokensIn).toBe(docs.reduce((n, d) => n + d.length, 0))
    }
  })

  it('errors: zero options and over-long documents name the problem', () => {
    expect(() => mergePrefixes([[1, 2]], { minPrefix: 0, maxLength: 4 })).toThrow(expect.objectContaining({ code: 'ERR_SEQPACK_INVALID_OPTION' }))
    expect(() => mergePrefixes([[1, 2], [1, 2, 3, 4, 5]], { minPrefix: 1, maxLength: 4 })).toThrow(expect.objectContaining({ code: 'ERR_SEQPACK_LENGTH_EXCEEDS_CAPACITY', index: 1 }))
  })
})
