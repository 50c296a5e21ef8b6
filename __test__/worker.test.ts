import { describe, expect, it } from 'vitest'
import { Worker } from 'node:worker_threads'
import { createRequire } from 'node:module'
import { pack } from 'seqpack'
import { randomLengths } from './helpers'

const entry = createRequire(import.meta.url).resolve('seqpack')

/** Runs `pack` inside a worker thread and returns what it posted back. */
function inWorker(lengths: number[], capacity: number, async: boolean): Promise<{ items: number[]; numBins: number }> {
  const code = `
    const { parentPort, workerData } = require('node:worker_threads')
    const { pack, packAsync } = require(workerData.entry)
    ;(async () => {
      const r = workerData.async
        ? await packAsync(workerData.lengths, { capacity: workerData.capacity })
        : pack(workerData.lengths, { capacity: workerData.capacity })
      parentPort.postMessage({ items: Array.from(r.items), numBins: r.numBins })
    })().catch((e) => parentPort.postMessage({ error: e.code + ': ' + e.message }))
  `
  return new Promise((resolve, reject) => {
    const w = new Worker(code, { eval: true, workerData: { entry, lengths, capacity, async } })
    w.once('message', (m) => (m.error ? reject(new Error(m.error)) : resolve(m)))
    w.once('error', reject)
  })
}

describe('worker_threads', () => {
  it('loads the addon in several workers at once and packs identically', async () => {
    const lengths = randomLengths(20000, 1, 2048, 21)
    const want = pack(lengths, { capacity: 2048 })
    const results = await Promise.all([inWorker(lengths, 2048, false), inWorker(lengths, 2048, true), inWorker(lengths, 2048, false)])
    for (const r of results) {
      expect(r.numBins).toBe(want.numBins)
      expect(r.items).toEqual(Array.from(want.items))
    }
  })

  it('survives a worker that terminates while async work is in flight', async () => {
    const code = `
      const { packAsync } = require(${JSON.stringify(entry)})
      const a = new Uint32Array(3_000_000).fill(3)
      packAsync(a, { capacity: 4096 })
      require('node:worker_threads').parentPort.postMessage('started')
    `
    const w = new Worker(code, { eval: true })
    await new Promise((r) => w.once('message', r))
    await w.terminate()
    expect(pack([1, 1], { capacity: 2 }).numBins).toBe(1)
  })
})
