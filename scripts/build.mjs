#!/usr/bin/env node
// Builds the native addon (napi build -> seqpack.<triple>.node at the package
// root, plus native.d.ts) and the TypeScript entrypoint (ESM + CJS + .d.ts).
//
//   node scripts/build.mjs                 # both, release profile
//   node scripts/build.mjs --native-only   # addon only
//   node scripts/build.mjs --ts-only       # TypeScript only
//   node scripts/build.mjs --profile profiling   # any cargo profile
//   node scripts/build.mjs --target x86_64-unknown-linux-musl
import { $, argv, cd, path } from 'zx'

$.verbose = true
const root = path.resolve(import.meta.dirname, '..')
cd(root)

const nativeOnly = argv['native-only']
const tsOnly = argv['ts-only']
const profile = argv.profile ?? 'release'
const target = argv.target

if (!tsOnly) {
  const args = ['--platform', '--no-js', '--dts', 'native.d.ts', '--output-dir', '.']
  if (profile === 'release') args.push('--release')
  else args.push('--profile', profile)
  if (target) args.push('--target', target)
  await $`npx napi build ${args}`
}
if (!nativeOnly) {
  await $`npx tsup`
}
