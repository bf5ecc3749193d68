// The regression corpus: test/fuzz/corpus/<target>/<id>.json, one case each
// ({ input_b64, chunks?, note? }). Every file is replayed by npm test; every crash the
// fuzzers find is written here so it stays a test.
import { mkdirSync, readdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { caseId, type FuzzCase } from './targets.ts';

export const corpusDir = join(dirname(fileURLToPath(import.meta.url)), 'corpus');

export interface CorpusEntry extends FuzzCase {
  file: string;
  note?: string;
}

export function loadCorpus(target: string): CorpusEntry[] {
  const dir = join(corpusDir, target);
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => {
      const j = JSON.parse(readFileSync(join(dir, f), 'utf8')) as { input_b64: string; chunks?: number[]; note?: string };
      return { file: `${target}/${f}`, input: Buffer.from(j.input_b64, 'base64'), chunks: j.chunks, note: j.note };
    });
}

/** Write a case into the corpus; returns its path. */
export function saveCase(target: string, c: FuzzCase, note: string): string {
  const dir = join(corpusDir, target);
  mkdirSync(dir, { recursive: true });
  const path = join(dir, `${caseId(target, c)}.json`);
  writeFileSync(path, JSON.stringify({ note, input_b64: c.input.toString('base64'), ...(c.chunks ? { chunks: c.chunks } : {}) }, null, 1) + '\n');
  return path;
}
