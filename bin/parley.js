#!/usr/bin/env node
// Launcher. Runs dist/bundle/parley.mjs (scripts/build.mjs, made by `npm ci`) when it is newer
// than every source file it was built from; otherwise runs the TypeScript sources through tsx, so
// no build step is ever needed and an edited file is never run stale. PARLEY_NO_BUNDLE=1 forces tsx.
import { readFileSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));

function freshBundle() {
  if (process.env.PARLEY_NO_BUNDLE === '1') return null;
  try {
    const bundle = `${root}dist/bundle/parley.mjs`;
    const { inputs } = JSON.parse(readFileSync(`${root}dist/bundle/inputs.json`, 'utf8'));
    const builtAt = statSync(bundle).mtimeMs;
    for (const f of inputs) if (statSync(root + f).mtimeMs > builtAt) return null;
    return bundle;
  } catch {
    return null; // no bundle, or a source file gone: the sources decide
  }
}

const bundle = freshBundle();
let main;
if (bundle) {
  ({ main } = await import(bundle));
} else {
  const { register } = await import('tsx/esm/api');
  register();
  ({ main } = await import('../src/main.ts'));
}
await main(process.argv.slice(2));
