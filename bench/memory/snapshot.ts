// Heap snapshot summaries for bench/memory-per-conn.ts: self size and count per node class
// (constructor name for objects, function name for closures, one class per other node type), and
// the difference between two snapshots, which is what N more connections hold.
import { readFileSync } from 'node:fs';

export type Summary = Map<string, { count: number; bytes: number }>;

interface Snapshot {
  snapshot: { meta: { node_fields: string[]; node_types: [string[], ...unknown[]] } };
  nodes: number[];
  strings: string[];
}

const NAMED = new Set(['object', 'closure', 'native', 'hidden', 'array', 'code', 'synthetic']);

export function summarize(path: string): Summary {
  const snap = JSON.parse(readFileSync(path, 'utf8')) as Snapshot;
  const fields = snap.snapshot.meta.node_fields;
  const types = snap.snapshot.meta.node_types[0];
  const width = fields.length;
  const fType = fields.indexOf('type');
  const fName = fields.indexOf('name');
  const fSize = fields.indexOf('self_size');
  const out: Summary = new Map();
  const nodes = snap.nodes;
  for (let i = 0; i < nodes.length; i += width) {
    const type = types[nodes[i + fType]];
    let key = `(${type})`;
    if (NAMED.has(type)) {
      let name = snap.strings[nodes[i + fName]];
      if (type === 'code' || type === 'hidden' || type === 'array') name = name.replace(/\d+/g, '#').slice(0, 60);
      key = type === 'object' ? name : `(${type}) ${name.slice(0, 60)}`;
    }
    const e = out.get(key) ?? { count: 0, bytes: 0 };
    e.count++;
    e.bytes += nodes[i + fSize];
    out.set(key, e);
  }
  return out;
}

export interface DiffRow {
  key: string;
  count: number;
  bytes: number;
}

/** after - before per class, largest growth first. */
export function diff(before: Summary, after: Summary): DiffRow[] {
  const rows: DiffRow[] = [];
  for (const [key, a] of after) {
    const b = before.get(key) ?? { count: 0, bytes: 0 };
    rows.push({ key, count: a.count - b.count, bytes: a.bytes - b.bytes });
  }
  for (const [key, b] of before) if (!after.has(key)) rows.push({ key, count: -b.count, bytes: -b.bytes });
  return rows.sort((x, y) => y.bytes - x.bytes);
}
