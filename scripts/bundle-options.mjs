// esbuild options for Parley's bundle, shared by scripts/build.mjs (dist/bundle) and benchmarks
// that build a private copy (bench/memory-per-conn.ts). Dependencies stay in node_modules
// (packages: 'external'); only src/ is bundled.
import { join } from 'node:path';

/** @param {string} root repository root @param {string} outDir two levels below root (import.meta.url paths) */
export function bundleOptions(root, outDir) {
  return {
    entryPoints: { parley: join(root, 'src/main.ts') },
    outdir: outDir,
    outExtension: { '.js': '.mjs' },
    // Dynamic imports (CLI commands, cluster mode, QUIC) become chunks loaded on first use, with
    // the packages they import: a server without cluster mode never loads ioredis.
    splitting: true,
    chunkNames: 'chunk-[hash]',
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    logLevel: 'warning',
    // Bundled CommonJS helpers need require() in an ES module.
    banner: { js: "import { createRequire as __parleyCreateRequire } from 'node:module'; const require = __parleyCreateRequire(import.meta.url);" },
  };
}
