// cargo tests of the whole workspace (core unit, property and integration tests).
import { run, cargoCounts } from '../lib/run.mjs'

export const name = 'rust'

export async function stage() {
  const { ok, out } = await run(['cargo', 'test', '--workspace', '--release', '--color', 'never'])
  const c = cargoCounts(out)
  if (!ok && c.failed === 0) c.failed = 1
  return c
}
