// Facts about the machine and the code a result was measured on. The commit is read from the
// .git directory's files (no git command runs), so a checkout being edited still reports it.
import { existsSync, readFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';

export function cpuModel(): string {
  const m = /^model name\s*:\s*(.+)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'));
  return m ? m[1].trim() : cpus()[0]?.model ?? 'unknown';
}

export function gitCommit(repoRoot: string): string {
  try {
    const gitDir = join(repoRoot, '.git');
    const head = readFileSync(join(gitDir, 'HEAD'), 'utf8').trim();
    if (!head.startsWith('ref: ')) return head;
    const ref = head.slice(5);
    if (existsSync(join(gitDir, ref))) return readFileSync(join(gitDir, ref), 'utf8').trim();
    const packed = readFileSync(join(gitDir, 'packed-refs'), 'utf8').split('\n').find((l) => l.endsWith(` ${ref}`));
    return packed ? packed.split(' ')[0] : 'unknown';
  } catch {
    return 'unknown';
  }
}

export interface Environment {
  cpu: string;
  cpus: number;
  memoryGiB: number;
  node: string;
  commit: string;
  loadAverageAtStart: number[];
}

export function environment(repoRoot: string): Environment {
  return {
    cpu: cpuModel(),
    cpus: cpus().length,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    commit: gitCommit(repoRoot),
    loadAverageAtStart: loadavg().map((x) => Math.round(x * 100) / 100),
  };
}
