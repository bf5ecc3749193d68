// XEP-0280 with slixmpp's xep_0280 plugin as the carbon-enabled second device: it enables
// carbons and sees both sides of a conversation its account holds on another resource
// (@xmpp/client), as received (§6.2) and sent (§6.3) carbons; <private/> (§7) suppresses them.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { skipUnless } from '../helpers/services.ts';
import { startServer, type RunningServer } from '../helpers/server.ts';
import { registerInBand } from '../helpers/raw-iq.ts';
import { runSlixScenario } from '../helpers/slix-scenario.ts';
import { connectXmppjs, disconnect, expectNoStanza, expectStanza, send, sync, type Client } from '../helpers/xmppjs.ts';

const CARBONS = 'urn:xmpp:carbons:2';

describe('XEP-0280 with slixmpp', { skip: skipUnless('slixmpp') }, () => {
  let server: RunningServer;
  let d: string;
  const clients: Client[] = [];
  const login = async (username: string, resource: string) => {
    const c = await connectXmppjs({ port: server.ports.c2s, domain: d, username, password: `${username}-carbons`, resource, mechanism: 'PLAIN' });
    clients.push(c);
    return c;
  };

  before(async () => {
    server = await startServer({ readyTimeoutMs: 120_000, config: { modules: { register: { enabled: true, max_per_address_hour: 1000, max_per_address_day: 1000, max_global_minute: 1000 } } } });
    d = server.domain;
    await Promise.all(['alice', 'bob'].map((u) => registerInBand(server, u, `${u}-carbons`)));
  });
  after(async () => {
    await Promise.all(clients.map(disconnect));
    await server?.stop();
  });

  test('slixmpp on a second resource gets received and sent carbons of the first resource\'s chat', async () => {
    const desk = await login('alice', 'desk');
    const bob = await login('bob', 'b');
    const phone = runSlixScenario({ scenario: 'carbons', port: server.ports.c2s, jid: `alice@${d}`, resource: 'phone', password: 'alice-carbons', waitCarbons: 2 });
    try {
      await phone.waitForEvent('carbons_enabled');
      await send(bob, `<message to="${desk.jid}" type="chat" id="in1"><body>hello desk</body></message>`);
      await expectStanza(desk, `<message id="in1"><body>hello desk</body></message>`);
      await send(desk, `<message to="${bob.jid}" type="chat" id="out1"><body>hello bob</body></message>`);
      await expectStanza(bob, `<message id="out1"><body>hello bob</body></message>`);
      const received = await phone.waitForEvent('carbon', 15_000, (e) => e.direction === 'received');
      assert.deepEqual({ from: received.from, inner_from: received.inner_from, inner_to: received.inner_to, body: received.body },
        { from: `alice@${d}`, inner_from: String(bob.jid), inner_to: String(desk.jid), body: 'hello desk' }, phone.transcript());
      const sent = await phone.waitForEvent('carbon', 15_000, (e) => e.direction === 'sent');
      assert.deepEqual({ from: sent.from, inner_from: sent.inner_from, inner_to: sent.inner_to, body: sent.body },
        { from: `alice@${d}`, inner_from: String(desk.jid), inner_to: String(bob.jid), body: 'hello bob' }, phone.transcript());
      assert.equal((await phone.exited).code, 0, phone.transcript());
    } finally {
      await phone.kill();
    }
  });

  test('slixmpp sends a message: the @xmpp/client resource with carbons gets the sent carbon; with <private/> it does not', async () => {
    const desk = await login('alice', 'desk2');
    const bob = await login('bob', 'b2');
    await send(desk, `<iq type="set" id="en"><enable xmlns="${CARBONS}"/></iq>`);
    await expectStanza(desk, `<iq type="result" id="en"/>`);
    const phone = runSlixScenario({ scenario: 'carbons', port: server.ports.c2s, jid: `alice@${d}`, resource: 'phone2', password: 'alice-carbons', sendTo: [String(bob.jid)], body: 'from the phone' });
    try {
      await expectStanza(bob, `<message type="chat"><body>from the phone</body></message>`);
      await expectStanza(desk, `<message from="alice@${d}"><sent xmlns="${CARBONS}"><forwarded xmlns="urn:xmpp:forward:0"><message to="${bob.jid}"><body>from the phone</body></message></forwarded></sent></message>`);
      assert.equal((await phone.exited).code, 0, phone.transcript());
    } finally {
      await phone.kill();
    }
    const secret = runSlixScenario({ scenario: 'carbons', port: server.ports.c2s, jid: `alice@${d}`, resource: 'phone3', password: 'alice-carbons', sendTo: [String(bob.jid)], body: 'private from the phone', private: true });
    try {
      await expectStanza(bob, `<message type="chat"><body>private from the phone</body></message>`);
      assert.equal((await secret.exited).code, 0, secret.transcript());
      await sync(desk, d);
      await expectNoStanza(desk, (el) => el.name === 'message' && el.toString().includes('private from the phone'), 500);
    } finally {
      await secret.kill();
    }
  });
});
