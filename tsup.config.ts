import { defineConfig } from 'tsup'

// One source, two module formats. `shims` gives the CJS build `import.meta.url`.
export default defineConfig({
  entry: ['index.ts'],
  format: ['esm', 'cjs'],
  dts: true,
  shims: true,
  clean: true,
  target: 'node18',
  outDir: 'dist',
  outExtension: ({ format }) => ({ js: format === 'esm' ? '.mjs' : '.cjs' }),
})
