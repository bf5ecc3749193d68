// XEP-0198 (v1.6) stream management, acks: the feature, enabling (§3), counting both ways and
// answering <r/> (§4), the server's own ack requests, h too high (§5 error handling), and the
// bounded queue of unacknowledged stanzas.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, type RunningServer } from '../helpers/server.ts';
import { RawXmpp, streamErrorCondition } from '../helpers/raw.ts';
import { NS_SM, lastElement, requestAck, smClient, waitForCounted } from '../helpers/sm-raw.ts';
import { streamElements } from '../helpers/stream-elements.ts';
import { hasServerFeature } from '../helpers/disco-probe.ts';
import { smOf, waitSmEnabled } from '../helpers/xmppjs-sm.ts';
import { connectXmppjs, disconnect, expectStanza, send, sync, type Client } from '../helpers/xmppjs.ts';

const STANZAS = 'urn:ietf:params:xml:ns:xmpp-stanzas';
const MAX_QUEUE = 6;

describe('XEP-0198 acks', () => {
  let server: RunningServer;
  const raws: RawXmpp[] = [];
  const clients: Client[] = [];
  let d: string;

  before(async () => {
    // A short periodic request so the test sees one; a small queue so overflow is cheap to reach.
    server = await startServer({ config: { modules: { sm: { ack_request_every: 3, ack_request_interval: 1, max_queue: MAX_QUEUE } } } });
    d = server.domain;
    await Promise.all(['alice', 'bob'].map((u) => server.adduser(u, `${u}-secret`)));
  });
  after(async () => {
    for (const r of raws) r.destroy();
    await Promise.all(clients.map(disconnect));
    await server?.stop();
  });

  const bob = async (opts: { enable?: boolean; resume?: boolean; resource?: string } = {}) => {
    const c = await smClient({ port: server.ports.c2s, domain: d, username: 'bob', password: 'bob-secret', resource: opts.resource ?? 'sm', ...opts });
    raws.push(c.raw);
    return c;
  };
  const alice = async () => {
    const c = await connectXmppjs({ port: server.ports.c2s, domain: d, username: 'alice', password: 'alice-secret', resource: 'a' });
    clients.push(c);
    return c;
  };

  test('§2: <sm/> is offered after authentication, before and after binding', async () => {
    const raw = await RawXmpp.login({ port: server.ports.c2s, domain: d, username: 'bob', password: 'bob-secret' });
    raws.push(raw);
    const features = streamElements(raw.text).find((e) => e.name === 'stream:features');
    assert.ok(features?.getChild('sm', NS_SM), `no <sm xmlns='${NS_SM}'/> in ${features}`);
    assert.ok(features?.getChild('bind', 'urn:ietf:params:xml:ns:xmpp-bind'), `${features}`);
  });

  test('§3: <enable/> before resource binding fails with <unexpected-request/>', async () => {
    const raw = await RawXmpp.login({ port: server.ports.c2s, domain: d, username: 'bob', password: 'bob-secret' });
    raws.push(raw);
    raw.write(`<enable xmlns='${NS_SM}' resume='true'/>`);
    await raw.waitFor(/<\/failed>|<failed[^>]*\/>/);
    const failed = lastElement(raw, 'failed');
    assert.ok(failed?.getChild('unexpected-request', STANZAS), `${failed}`);
    // The stream goes on: binding still works (§3 errors are recoverable).
    await raw.bind('after-failed');
  });

  test('§3/§5: <enabled/> carries resume, an unguessable id and max; a second <enable/> fails', async () => {
    const one = await bob({ resource: 'one' });
    const two = await bob({ resource: 'two' });
    assert.equal(one.enabled.resume, 'true');
    assert.ok(one.enabled.id && one.enabled.id.length >= 16, `SM-ID ${one.enabled.id} is too short to be unguessable`);
    assert.notEqual(one.enabled.id, two.enabled.id);
    assert.ok(Number(one.enabled.max) > 0, `max=${one.enabled.max}`);

    one.raw.write(`<enable xmlns='${NS_SM}' resume='true'/>`);
    await one.raw.waitFor(/<\/failed>|<failed[^>]*\/>/);
    assert.ok(lastElement(one.raw, 'failed')?.getChild('unexpected-request', STANZAS));
  });

  test('§3 (v1.6.2): without resume="true" the server enables acks only, with no id', async () => {
    const { enabled } = await bob({ resume: false, resource: 'noresume' });
    assert.equal(enabled.id, undefined);
    assert.equal(enabled.resume, undefined);
  });

  test('§4: <r/> is answered with the number of stanzas handled since <enable/>', async () => {
    const { raw } = await bob({ resource: 'count' });
    assert.equal(await requestAck(raw), 0);
    for (let i = 0; i < 3; i++) raw.write(`<iq type='get' id='p${i}' to='${d}'><ping xmlns='urn:xmpp:ping'/></iq>`);
    raw.write(`<message to='alice@${d}/nowhere' type='headline' id='m1'><body>x</body></message>`);
    assert.equal(await requestAck(raw), 4);
  });

  test('§4: replies the stream writes itself (legacy <session/>) are counted like any stanza', async () => {
    const { raw } = await bob({ resource: 'legacy' });
    raw.write(`<iq type='set' id='sess'><session xmlns='urn:ietf:params:xml:ns:xmpp-session'/></iq>`);
    const [result] = await waitForCounted(raw, 1);
    assert.equal(result.attrs.id, 'sess');
    // Acknowledging it is acknowledging one stanza the server did send: no handled-count-too-high.
    raw.write(`<a xmlns='${NS_SM}' h='1'/>`);
    assert.equal(await requestAck(raw), 1);
    assert.equal(raw.closed, false);
  });

  test('§4: the server counts what it sends, asks for acks after a few stanzas, and accepts <a/>', async () => {
    const { raw } = await bob({ resource: 'acker' });
    const a = await alice();
    for (let i = 0; i < 3; i++) await send(a, `<message to='bob@${d}/acker' type='chat' id='c${i}'><body>${i}</body></message>`);
    const got = await waitForCounted(raw, 3);
    assert.deepEqual(got.map((e) => e.attrs.id), ['c0', 'c1', 'c2']);
    // ack_request_every = 3: a request follows the third stanza.
    await raw.waitFor(new RegExp(`<r xmlns=["']${NS_SM}["']\\s*/>`));
    raw.write(`<a xmlns='${NS_SM}' h='3'/>`);
    // Acking exactly what was sent is fine: the stream stays up and keeps working.
    await send(a, `<message to='bob@${d}/acker' type='chat' id='c3'><body>3</body></message>`);
    await waitForCounted(raw, 4);
    assert.equal(raw.closed, false);
  });

  test('§4: stanzas left unacknowledged make the server ask again after ack_request_interval', async () => {
    const { raw } = await bob({ resource: 'periodic' });
    const a = await alice();
    await send(a, `<message to='bob@${d}/periodic' type='chat' id='lonely'><body>one</body></message>`);
    await waitForCounted(raw, 1);
    const before = raw.unread();
    await raw.waitFor(new RegExp(`<r xmlns=["']${NS_SM}["']\\s*/>`), 4000);
    assert.ok(!before.includes('<r '), 'one stanza alone is below ack_request_every: the request came from the timer');
  });

  test('§5: <a/> acknowledging more than was sent ends the stream with <handled-count-too-high/>', async () => {
    const { raw } = await bob({ resource: 'liar' });
    const a = await alice();
    await send(a, `<message to='bob@${d}/liar' type='chat' id='one'><body>1</body></message>`);
    await waitForCounted(raw, 1);
    raw.write(`<a xmlns='${NS_SM}' h='5'/>`);
    const text = await raw.waitClosed();
    assert.equal(streamErrorCondition(text), 'undefined-condition', text.slice(-800));
    const err = streamElements(text).find((e) => e.name === 'stream:error');
    const hch = err?.getChild('handled-count-too-high', NS_SM);
    assert.ok(hch, `no <handled-count-too-high/> in ${err}`);
    assert.equal(hch.attrs.h, '5');
    assert.equal(hch.attrs['send-count'], '1');
  });

  test('a client that never acks is disconnected with resource-constraint once the queue is full, and nothing is lost', async () => {
    const { raw } = await bob({ resource: 'deaf', resume: false });
    const a = await alice();
    const n = MAX_QUEUE + 1;
    for (let i = 0; i < n; i++) await send(a, `<message to='bob@${d}/deaf' type='chat' id='q${i}'><body>${i}</body></message>`);
    const text = await raw.waitClosed();
    assert.equal(streamErrorCondition(text), 'resource-constraint', text.slice(-800));
    // Every unacknowledged message is handed on: stored offline (XEP-0160) or bounced to alice.
    await sync(a, d);
    const offline = await hasServerFeature(a, d, 'msgoffline');
    if (!offline) {
      for (let i = 0; i < n; i++) await expectStanza(a, `<message type='error' id='q${i}'><error><service-unavailable xmlns='${STANZAS}'/></error></message>`);
    } else {
      const later = await smClient({ port: server.ports.c2s, domain: d, username: 'bob', password: 'bob-secret', resource: 'later', enable: false });
      raws.push(later.raw);
      later.raw.write(`<presence/>`);
      for (let i = 0; i < n; i++) await later.raw.waitFor(new RegExp(`<message[^>]*id=["']q${i}["']`));
    }
  });

  test('acks keep @xmpp/client (which enables SM by itself) working as before', async () => {
    const a = await alice();
    const b = await connectXmppjs({ port: server.ports.c2s, domain: d, username: 'bob', password: 'bob-secret', resource: 'xmppjs' });
    clients.push(b);
    await waitSmEnabled(b);
    // One at a time: with max_queue 6 a burst of 8 would outrun @xmpp/client's answers to <r/> on a
    // loaded machine (the queue limit itself is tested above).
    for (let i = 0; i < 8; i++) {
      await send(a, `<message to='bob@${d}/xmppjs' type='chat' id='x${i}'><body>${i}</body></message>`);
      await expectStanza(b, `<message id='x${i}'/>`);
    }
    await sync(b, d);
    // The client's own bookkeeping agrees with the server's acks: nothing it sent is left unacknowledged.
    const deadline = Date.now() + 3000;
    while (smOf(b).outbound_q.length > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    assert.equal(smOf(b).outbound_q.length, 0, 'the server acknowledged every stanza @xmpp/client sent');
  });
});
