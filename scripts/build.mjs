#!/usr/bin/env node
// Bundles the TypeScript sources into dist/bundle/parley.mjs (run by `npm ci` through the
// "prepare" script, or by hand: `npm run build`). bin/parley.js runs the bundle while it is newer
// than every source file it was built from (dist/bundle/inputs.json), and the sources through tsx
// otherwise, so editing a file never runs stale code. The bundle starts in about a third of the
// CPU time and with ~30 MiB less memory than compiling through tsx at every start.
// Dependencies stay in node_modules (--packages=external); only src/ is bundled.
import { build } from 'esbuild';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const outDir = join(root, 'dist/bundle'); // two levels below the root, like src/<dir>/ (import.meta.url paths)
rmSync(outDir, { recursive: true, force: true }); // no stale chunks
mkdirSync(outDir, { recursive: true });
const t0 = performance.now();
let result;
try {
  result = await build({
  entryPoints: { parley: join(root, 'src/main.ts') },
  outdir: outDir,
  outExtension: { '.js': '.mjs' },
  // Dynamic imports (CLI commands, cluster mode) become chunks loaded on first use, with the
  // packages they import: a server without cluster mode never loads ioredis.
  splitting: true,
  chunkNames: 'chunk-[hash]',
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  packages: 'external',
  sourcemap: 'linked',
  metafile: true,
  logLevel: 'warning',
  // Bundled CommonJS helpers need require() in an ES module.
  banner: { js: "import { createRequire as __parleyCreateRequire } from 'node:module'; const require = __parleyCreateRequire(import.meta.url);" },
  });
} catch (err) {
  // Never fail `npm ci` over the bundle: without it bin/parley.js runs the sources through tsx.
  console.warn(`parley: no bundle (${err instanceof Error ? err.message.split('\n')[0] : err}); the sources will run through tsx`);
  process.exit(0);
}
const inputs = Object.keys(result.metafile.inputs).map((p) => relative(root, join(root, p)));
writeFileSync(join(outDir, 'inputs.json'), JSON.stringify({ builtAt: Date.now(), inputs }, null, 0));
console.log(`parley: bundled ${inputs.length} source files into dist/bundle/parley.mjs in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
