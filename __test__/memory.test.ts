import { spawnSync } from 'node:child_process'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { TEST_SCALE } from './helpers'

const root = join(import.meta.dirname, '..')

// Not timed: synchronous loops that drop every result must not pile up
// output memory. Each scenario's total output over its iterations is far
// above the budget, so buffers freed only when the event loop turns (external
// buffers with finalizers) fail this. Full size: `node bench/memory.mjs`.
describe('output memory', () => {
  // Under emulation (the cross stage's qemu targets, SEQPACK_TEST_SCALE < 1)
  // the fixed-size loops take ten times longer than the test's budget; the
  // output allocation is the same code on every target and is checked on the
  // host and the native-speed x64 targets.
  it.skipIf(TEST_SCALE < 1)('synchronous loops of pack, balance, packRows and StreamPacker stay within 64 MiB of the first iteration', () => {
    const r = spawnSync(process.execPath, [join(root, 'bench', 'memory.mjs'), '--quick', '--json'], { encoding: 'utf8', timeout: 280_000 })
    const rows = r.stdout.trim().split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l))
    expect(rows.map((x) => x.name)).toEqual(['pack obfd 100k', 'pack obfd 16', 'pack ffd 100k', 'balance 100k', 'balance 16', 'packRows 1k docs', 'StreamPacker.push'])
    for (const row of rows) {
      expect(row.growthMiB, row.name).toBeLessThanOrEqual(64)
    }
    expect(r.status).toBe(0)
  }, 300_000)
})
