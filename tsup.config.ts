import { defineConfig } from 'tsup'

export default defineConfig([
  // The library: one source, two module formats. `shims` gives the CJS build `import.meta.url`.
  {
    entry: ['index.ts'],
    format: ['esm', 'cjs'],
    // The results implement `[Symbol.dispose]` (for `using`). The reference
    // makes `Symbol.dispose` known to a consumer's compiler whatever its `lib`
    // and with or without @types/node (which declares the same symbol); the
    // package stage typechecks both. The dts bundler drops reference
    // directives from the source, hence a banner.
    dts: { banner: '/// <reference lib="esnext.disposable" />' },
    shims: true,
    clean: false,
    target: 'node18',
    outDir: 'dist',
    outExtension: ({ format }) => ({ js: format === 'esm' ? '.mjs' : '.cjs' }),
  },
  // The `seqpack` command (ESM only). It imports the library by its package
  // name (self-reference), so the addon is loaded once, by dist/index.mjs.
  // cli-progress is bundled in, so the package keeps no runtime dependency
  // (the banner's `require` serves its CommonJS requires of Node built-ins).
  {
    entry: { cli: 'cli/main.ts' },
    format: ['esm'],
    dts: false,
    clean: false,
    target: 'node18',
    outDir: 'dist',
    outExtension: () => ({ js: '.mjs' }),
    external: ['seqpack'],
    noExternal: ['cli-progress'],
    banner: { js: "#!/usr/bin/env node\nimport { createRequire as __seqpackRequire } from 'node:module'\nconst require = __seqpackRequire(import.meta.url)" },
  },
])
