// A quic-ack session its client never resumes (docs/quic.md §5.3): when resume_seconds run out,
// the stanzas the client never counted are handed on like XEP-0198's (RFC 6121 §8.5.3.2): here to
// offline storage, delivered with a XEP-0203 delay stamp at the next login; what the client had
// counted is not delivered again. The same when the server shuts down while the session waits.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { becomeAvailable, connectXmppjs, disconnect, expectNoStanza, expectStanza, received, send, sync } from '../helpers/xmppjs.ts';
import { quicLogin, startQuicServer, testCa, waitStanza, type QuicServer } from '../helpers/quic.ts';
import { startRestartableServer } from '../helpers/server-restart.ts';
import { freePort } from '../helpers/ports.ts';
import { loadConfig } from '../../src/config/loader.ts';
import { createStorage } from '../../src/storage/index.ts';
import { Accounts } from '../../src/accounts/index.ts';
import { QuicXmppClient } from '../../src/quic-client/index.ts';

describe('quic-ack: a session that is never resumed', () => {
  let server: QuicServer;
  let d: string;
  before(async () => {
    server = await startQuicServer({ resume_seconds: 1 });
    d = server.domain;
    await Promise.all(['alice', 'bob'].map((u) => server.adduser(u, `${u}-secret`)));
  });
  after(async () => {
    await server?.stop();
  });

  test('unacked stanzas go to offline storage when it expires, counted ones do not', async () => {
    const bob = await connectXmppjs({ port: server.ports.c2s, domain: d, username: 'bob', password: 'bob-secret', mechanism: 'PLAIN' });
    const alice = await quicLogin(server, 'alice', { resource: 'gone' });
    let later: Awaited<ReturnType<typeof connectXmppjs>> | null = null;
    try {
      await send(bob, `<message to="${alice.jid}" type="chat" id="seen"><body>seen</body></message>`);
      await waitStanza(alice, (e) => e.attrs.id === 'seen');
      await new Promise((r) => setTimeout(r, 300)); // alice's ack reaches the server
      const handedOn = server.waitForLog(/quic-ack: handing on unacknowledged stanzas/);
      await alice.destroy();
      await server.waitForLog(/session hibernated[^\n]*alice@[^\n]*\/gone|alice@[^\n]*\/gone[^\n]*session hibernated/);
      for (const n of [1, 2, 3]) await send(bob, `<message to="${alice.jid}" type="chat" id="away-${n}"><body>away ${n}</body></message>`);
      await sync(bob, d);
      const line = JSON.parse(await handedOn);
      assert.equal(line.unacked, 3, 'exactly the three messages alice never counted');

      later = await connectXmppjs({ port: server.ports.c2s, domain: d, username: 'alice', password: 'alice-secret', mechanism: 'PLAIN', resource: 'back' });
      await becomeAvailable(later, d);
      for (const n of [1, 2, 3]) await expectStanza(later, `<message id="away-${n}" type="chat"><body>away ${n}</body><delay xmlns="urn:xmpp:delay" from="${d}" stamp="{any}"/></message>`);
      await expectNoStanza(later, `<message id="seen"/>`, 500);
      assert.deepEqual(received(later).filter((e) => e.name === 'message').map((e) => e.attrs.id), ['away-1', 'away-2', 'away-3'], 'in order, once');
    } finally {
      await disconnect(bob);
      if (later) await disconnect(later);
    }
  });
});

test('server shutdown while a quic-ack session waits for its client: its unacked stanzas reach offline storage', async () => {
  const quicPort = await freePort();
  const server = await startRestartableServer({ config: { quic: { enabled: true, port: quicPort, interfaces: ['127.0.0.1'], resume_seconds: 600 } } });
  const clients: Array<Awaited<ReturnType<typeof connectXmppjs>>> = [];
  try {
    const d = server.domain;
    const { config } = loadConfig(server.configPath);
    const storage = await createStorage(config);
    try {
      const accounts = new Accounts(storage, config.c2s.scram_hashes, config.auth.scram_iterations);
      for (const u of ['alice', 'bob']) await accounts.create(u, d, `${u}-secret`);
    } finally {
      await storage.close();
    }
    const alice = await QuicXmppClient.connect({ host: '127.0.0.1', port: quicPort, domain: d, username: 'alice', password: 'alice-secret', resource: 'q', ca: testCa });
    const bob = await connectXmppjs({ port: server.ports.c2s, domain: d, username: 'bob', password: 'bob-secret', mechanism: 'PLAIN' });
    clients.push(bob);
    await alice.destroy();
    for (let i = 0; i < 50 && !/session hibernated/.test(server.logs()); i++) await new Promise((r) => setTimeout(r, 100));
    assert.match(server.logs(), /session hibernated/);
    await send(bob, `<message to="${alice.jid}" type="chat" id="kept"><body>kept</body></message>`);
    await sync(bob, d);
    await disconnect(bob);
    clients.length = 0;

    await server.restart(); // SIGTERM: graceful shutdown, then a new process on the same data
    const back = await connectXmppjs({ port: server.ports.c2s, domain: d, username: 'alice', password: 'alice-secret', mechanism: 'PLAIN', resource: 'back' });
    clients.push(back);
    await becomeAvailable(back, d);
    await expectStanza(back, `<message id="kept" type="chat"><body>kept</body><delay xmlns="urn:xmpp:delay" from="${d}" stamp="{any}"/></message>`);
  } finally {
    await Promise.all(clients.map(disconnect));
    await server.remove();
  }
});
