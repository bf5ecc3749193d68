// Graceful shutdown (SIGTERM) with 50 online users: every client gets <system-shutdown/>, and
// every message in flight ends up in offline storage: those delivered to a client that had not
// acknowledged them (XEP-0198) and those the server had acknowledged receiving from a sender.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { RawXmpp, streamErrorCondition } from '../helpers/raw.ts';
import { CrashableServer } from './crash-server.ts';
import { addUsers } from '../helpers/accounts.ts';
import type { RunningServer } from '../helpers/server.ts';

const USERS = 50;
const DELIVERED_EACH = 4;
const LATE = 200;

describe('SIGTERM with 50 online users', () => {
  let server: CrashableServer;
  before(async () => {
    server = await CrashableServer.create({ c2s: { stanza_rate: 100_000, stanza_burst: 100_000 }, modules: { sm: { ack_request_interval: 0 } } });
    await server.start();
    await addUsers(server as unknown as RunningServer, [...Array.from({ length: USERS }, (_, i) => `u${i}`), 'carol'], () => 'pw');
  });
  after(async () => {
    await server?.remove();
  });

  test('all get <system-shutdown/>; unacknowledged and in-flight messages reach offline storage', async (t) => {
    const d = server.domain;
    const login = async (username: string) => {
      const raw = await RawXmpp.login({ port: server.ports.c2s, domain: d, username, password: 'pw', bind: true, resource: 'r' });
      raw.write(`<enable xmlns='urn:xmpp:sm:3'/><presence/>`);
      await raw.waitFor(/<enabled /);
      return raw;
    };
    const users: RawXmpp[] = [];
    for (let i = 0; i < USERS; i += 10) users.push(...(await Promise.all(Array.from({ length: 10 }, (_, k) => login(`u${i + k}`)))));
    const carol = await login('carol');

    // Delivered but never acknowledged by the recipients (they never send <a/>).
    let batch = '';
    for (let i = 0; i < USERS; i++) for (let k = 0; k < DELIVERED_EACH; k++) batch += `<message to='u${i}@${d}' type='chat'><body>early-u${i}-${k}</body></message>`;
    carol.write(batch);
    await Promise.all(users.map((u, i) => u.waitFor(`early-u${i}-${DELIVERED_EACH - 1}`, 15_000)));

    // In flight at the signal: a burst, an ack request, and SIGTERM right behind it.
    const late: string[] = [];
    batch = '';
    for (let n = 0; n < LATE; n++) {
      late.push(`late-${n}`);
      batch += `<message to='u${n % USERS}@${d}' type='chat'><body>late-${n}</body></message>`;
    }
    carol.write(batch + `<r xmlns='urn:xmpp:sm:3'/>`);
    // The signal comes as soon as the burst starts arriving: most of it is still being read and routed.
    await users[0].waitFor('<body>late-0</body>', 10_000);
    const ended = await server.terminate(30_000);
    assert.equal(ended.killed, false, 'the server stopped by itself within the grace period');

    const conditions = await Promise.all([...users, carol].map(async (u) => streamErrorCondition(await u.waitClosed(5000))));
    const shutdownCount = conditions.filter((c) => c === 'system-shutdown').length;
    const ackedLate = Math.max(0, ...[...carol.text.matchAll(/<a xmlns="urn:xmpp:sm:3" h="(\d+)"\/>/g)].map((m) => Number(m[1]) - USERS * DELIVERED_EACH));

    const db = new Database(join(server.dataDir, 'parley.sqlite'), { readonly: true, fileMustExist: true });
    let stored: Set<string>;
    try {
      const rows = db.prepare(`SELECT stanza FROM offline WHERE domain = ?`).all(d) as { stanza: string }[];
      stored = new Set(rows.map((r) => /<body>([^<]+)<\/body>/.exec(r.stanza)?.[1] ?? ''));
    } finally {
      db.close();
    }
    const early = Array.from({ length: USERS }, (_, i) => Array.from({ length: DELIVERED_EACH }, (_, k) => `early-u${i}-${k}`)).flat();
    const missingEarly = early.filter((b) => !stored.has(b));
    // Late messages that reached a recipient's screen were acked by nobody: they must be stored too.
    const seenLate = late.filter((b, n) => users[n % USERS].text.includes(`<body>${b}</body>`));
    const mustLate = new Set([...late.slice(0, Math.max(0, ackedLate)), ...seenLate]);
    const missingLate = [...mustLate].filter((b) => !stored.has(b));
    t.diagnostic(`${shutdownCount}/${USERS + 1} clients got <system-shutdown/>; offline store holds ${stored.size} messages, ${late.filter((b) => stored.has(b)).length} of them late ones`);
    t.diagnostic(`checked ${early.length} delivered-unacknowledged + ${mustLate.size} in-flight (server acked ${ackedLate}, recipients saw ${seenLate.length}) of ${LATE} late messages: ${missingEarly.length + missingLate.length} missing`);
    assert.equal(shutdownCount, USERS + 1, `every client gets <system-shutdown/> (got ${conditions.join(',')})`);
    assert.deepEqual(missingEarly, []);
    assert.deepEqual(missingLate, []);
    // The burst (~14 kB, one write) arrives in one read; late-0 reaching u0 shows the server had
    // read it all. So every late message was in the server's hands: none may be dropped.
    assert.deepEqual(late.filter((b) => !stored.has(b)), [], 'messages read before the signal must be handled, not dropped');
    for (const u of users) u.destroy();
    carol.destroy();
  });
});
