import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    include: ['__test__/**/*.test.ts'],
    globalSetup: ['__test__/global-setup.ts'],
    testTimeout: 60_000,
    // The addon is loaded per worker; forks keep a crash in one file from hiding others.
    pool: 'forks',
  },
})
