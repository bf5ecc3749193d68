// docs/grafana/parley.json only charts metrics the server exports: every parley_* name in a
// panel query is a metric family (or a histogram's _bucket series) of a running server's /metrics.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../helpers/parley-cli.ts';
import { startServer } from '../helpers/server.ts';

interface Panel {
  type: string;
  title: string;
  targets?: Array<{ expr: string }>;
}

test('every metric of the Grafana dashboard is exported by the server', async () => {
  const dashboard = JSON.parse(readFileSync(join(repoRoot, 'docs/grafana/parley.json'), 'utf8')) as { panels: Panel[]; templating: { list: Array<{ query: unknown }> } };
  const exprs = dashboard.panels.flatMap((p) => p.targets ?? []).map((t) => t.expr);
  exprs.push(...dashboard.templating.list.map((v) => v.query).filter((q): q is string => typeof q === 'string'));
  const used = new Set(exprs.flatMap((e) => e.match(/parley_[a-z0-9_]+/g) ?? []));
  assert.ok(used.size >= 25, `the dashboard uses ${used.size} metrics`);

  const s = await startServer();
  try {
    const text = await (await fetch(`http://127.0.0.1:${s.ports.http}/metrics`)).text();
    const families = new Map<string, string>();
    for (const m of text.matchAll(/^# TYPE (\S+) (\S+)$/gm)) families.set(m[1], m[2]);
    const missing = [...used].filter((name) => {
      if (families.has(name)) return false;
      const base = name.replace(/_(bucket|sum|count)$/, '');
      return families.get(base) !== 'histogram';
    });
    assert.deepEqual(missing, [], 'metrics the dashboard queries but /metrics does not have');
    for (const name of used) if (name.endsWith('_bucket')) assert.equal(families.get(name.slice(0, -'_bucket'.length)), 'histogram', `${name} is a histogram's`);
  } finally {
    await s.stop();
  }
});
