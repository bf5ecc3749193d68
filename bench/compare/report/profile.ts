// Summary of a V8 CPU profile (node --cpu-prof): self time per function and per source file, so
// a run with --profile points at Parley's hot spots without opening DevTools.
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

export interface SelfTime {
  name: string;
  ms: number;
  share: number;
}

function shortUrl(url: string): string {
  const i = url.indexOf('/src/');
  if (i >= 0) return url.slice(i + 1);
  const nm = url.lastIndexOf('node_modules/');
  if (nm >= 0) return url.slice(nm);
  return url.replace(/^file:\/\//, '') || '(native)';
}

export function summarizeProfile(path: string, top = 25): { total: number; functions: SelfTime[]; files: SelfTime[] } {
  const prof = JSON.parse(readFileSync(path, 'utf8')) as CpuProfile;
  const byId = new Map(prof.nodes.map((n) => [n.id, n]));
  const selfUs = new Map<number, number>();
  for (let i = 0; i < prof.samples.length; i++) selfUs.set(prof.samples[i], (selfUs.get(prof.samples[i]) ?? 0) + (prof.timeDeltas[i] ?? 0));
  const fn = new Map<string, number>();
  const file = new Map<string, number>();
  let total = 0;
  for (const [id, us] of selfUs) {
    const n = byId.get(id);
    if (!n) continue;
    total += us;
    const { functionName, url, lineNumber } = n.callFrame;
    if (functionName === '(idle)' || functionName === '(program)' || functionName === '(garbage collector)') {
      fn.set(functionName, (fn.get(functionName) ?? 0) + us);
      file.set(functionName, (file.get(functionName) ?? 0) + us);
      continue;
    }
    const f = shortUrl(url);
    fn.set(`${functionName || '(anonymous)'} ${f}:${lineNumber + 1}`, (fn.get(`${functionName || '(anonymous)'} ${f}:${lineNumber + 1}`) ?? 0) + us);
    file.set(f, (file.get(f) ?? 0) + us);
  }
  const busy = total - (fn.get('(idle)') ?? 0);
  const rank = (m: Map<string, number>) =>
    [...m.entries()]
      .filter(([k]) => k !== '(idle)')
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([name, us]) => ({ name, ms: us / 1000, share: us / busy }));
  return { total: busy / 1000, functions: rank(fn), files: rank(file) };
}
