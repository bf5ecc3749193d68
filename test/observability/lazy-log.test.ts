// Per-connection lazy loggers (src/observability/lazy-log.ts) write exactly what a pino child with
// the same bindings writes, and nothing below the level.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { createLogger } from '../../src/observability/log.ts';
import { lazyChild } from '../../src/observability/lazy-log.ts';

function capture(level: string): { log: ReturnType<typeof createLogger>; lines: () => Array<Record<string, unknown>> } {
  const out: string[] = [];
  const sink = new Writable({ write(chunk, _enc, cb) { out.push(String(chunk)); cb(); } });
  const log = createLogger(level, 'json', sink);
  return { log, lines: () => out.join('').trim().split('\n').filter(Boolean).map((l) => { const o = JSON.parse(l) as Record<string, unknown>; delete o.time; return o; }) };
}

test('a lazy child writes the lines of parent.child(bindings), redaction included', () => {
  const a = capture('info');
  const b = capture('info');
  const bindings = { conn: 'c1', listener: 'c2s', ip: '127.0.0.1' };
  const eager = a.log.child(bindings);
  const lazy = lazyChild(b.log, bindings);
  for (const l of [eager, lazy]) {
    l.info('plain message');
    l.warn({ user: 'alice@localhost', password: 'hunter2' }, 'with an object');
    l.error({ err: new Error('boom') }, 'with an error');
    l.debug('below the level');
    l.child({ extra: 1 }).info('grandchild');
  }
  const strip = (o: Record<string, unknown>) => { if (o.err) (o.err as Record<string, unknown>).stack = '...'; return o; };
  assert.deepEqual(b.lines().map(strip), a.lines().map(strip));
  assert.equal(b.lines().length, 4);
  assert.equal(b.lines()[1].password, '[redacted]');
  assert.equal(b.lines()[3].extra, 1);
  assert.equal(b.lines()[3].conn, 'c1');
});

test('bindings given as a function are made only when a line is written', () => {
  const c = capture('warn');
  let made = 0;
  const lazy = lazyChild(c.log, () => (made++, { session: 's1', jid: 'a@b/c' }));
  lazy.info('not written');
  lazy.debug('not written');
  assert.equal(made, 0);
  assert.equal(lazy.isLevelEnabled('info'), false);
  lazy.warn('written');
  assert.equal(made, 1);
  assert.deepEqual(c.lines(), [{ level: 40, pid: process.pid, session: 's1', jid: 'a@b/c', msg: 'written' }]);
});
