import { spawnSync } from 'node:child_process'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { TEST_SCALE } from './helpers'

const root = join(import.meta.dirname, '..')

// Not timed: synchronous loops that drop every result must not pile up
// output memory. The large pack and packRows scenarios return at least twice
// the bound in total (asserted below, so the test keeps its power), so buffers
// freed only when the event loop turns (external buffers with finalizers) fail
// this. balance() at 100k spends ~130 ms a call in its search, so its quick
// loop returns less; its arrays come from the same output constructor. The bound
// is twice the benchmark's 64 MiB target because V8's GC slack differs by
// version (Node 24 plateaus at 75-90 MiB on 100k-item outputs, flat from 100
// to 1,000 calls); `node bench/memory.mjs` reports the 64 MiB target itself.
//
// The ", disposed" loops call dispose() on every result. Where
// ArrayBuffer#transfer exists (Node 22+) that frees the result at once, so
// they must stay within DISPOSED_BOUND_MIB, a bound every one of them returns
// at least twice over (so a dispose() that freed nothing fails); the plain
// loops of the same calls measure 25-90 MiB. Node 20 has no transfer, and
// there they are held to the plain bound only.
const BOUND_MIB = 128
const DISPOSED_BOUND_MIB = 16
const LARGE = ['pack obfd 100k', 'pack ffd 100k', 'packRows 1k docs']
describe('output memory', () => {
  // Under emulation (the cross stage's qemu targets, SEQPACK_TEST_SCALE < 1)
  // the fixed-size loops take ten times longer than the test's budget; the
  // output allocation is the same code on every target and is checked on the
  // host and the native-speed x64 targets.
  it.skipIf(TEST_SCALE < 1)('synchronous loops of pack, balance, packRows and StreamPacker stay within a fixed bound of the first iteration', () => {
    const r = spawnSync(process.execPath, [join(root, 'bench', 'memory.mjs'), '--quick', '--json', '--budget', String(BOUND_MIB)], { encoding: 'utf8', timeout: 280_000 })
    const rows = r.stdout.trim().split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l))
    const disposed = ['pack obfd 100k, disposed', 'balance 100k, disposed', 'packRows 1k docs, disposed']
    expect(rows.map((x) => x.name)).toEqual(['pack obfd 100k', 'pack obfd 16', 'pack ffd 100k', 'balance 100k', 'balance 16', 'packRows 1k docs', 'StreamPacker.push', ...disposed])
    const transfer = typeof (ArrayBuffer.prototype as { transfer?: unknown }).transfer === 'function'
    for (const row of rows) {
      expect(row.transfer, 'the child runs the same Node').toBe(transfer)
      expect(row.growthMiB, row.name).toBeLessThanOrEqual(BOUND_MIB)
      if (LARGE.includes(row.name)) expect(row.outputMiB, `${row.name} returns enough to fail if kept`).toBeGreaterThanOrEqual(2 * BOUND_MIB)
      if (disposed.includes(row.name) && transfer) {
        expect(row.growthMiB, row.name).toBeLessThanOrEqual(DISPOSED_BOUND_MIB)
        expect(row.outputMiB, `${row.name} returns enough to fail if dispose() freed nothing`).toBeGreaterThanOrEqual(2 * DISPOSED_BOUND_MIB)
      }
    }
    expect(r.status).toBe(0)
  }, 300_000)
})
