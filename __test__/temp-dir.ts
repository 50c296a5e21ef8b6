/** Temporary directories for the vitest suites, never left behind. */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, onTestFinished } from 'vitest'

/**
 * A new directory under the OS temp dir, removed when the file's tests end
 * (`'file'`, for a directory made at module level) or when the calling test
 * ends (`'test'`): repeated runs of the suite must leave nothing in /tmp.
 */
export function tempDir(prefix: string, scope: 'file' | 'test' = 'file'): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix))
  const remove = () => fs.rmSync(dir, { recursive: true, force: true })
  if (scope === 'test') onTestFinished(remove)
  else afterAll(remove)
  return dir
}
