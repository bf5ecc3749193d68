// XEP-0199 §4.2 server-to-client pings find dead peers: a client whose TCP connection stays up
// but that stops answering is pinged after ping_interval of silence and dropped after
// ping_timeout; a client that answers stays; a resumable XEP-0198 session hibernates instead of
// ending and can be resumed from another connection.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, type RunningServer } from '../helpers/server.ts';
import { RawXmpp } from '../helpers/raw.ts';
import { resumeSm, smClient, waitForCounted } from '../helpers/sm-raw.ts';
import { connectXmppjs, disconnect, expectStanza, nextId, send, type Client } from '../helpers/xmppjs.ts';

const STANZAS = 'urn:ietf:params:xml:ns:xmpp-stanzas';
const PING = /<iq[^>]*type=["']get["'][^>]*>\s*<ping xmlns=["']urn:xmpp:ping["']/;

describe('XEP-0199 server pings', () => {
  let server: RunningServer;
  const clients: Client[] = [];
  const raws: RawXmpp[] = [];
  let d: string;

  before(async () => {
    server = await startServer({ config: { modules: { 'server-ping': { ping_interval: 1, ping_timeout: 1 }, sm: { resume_timeout: 30 } } } });
    d = server.domain;
    await Promise.all(['alice', 'bob'].map((u) => server.adduser(u, `${u}-secret`)));
  });
  after(async () => {
    for (const r of raws) r.destroy();
    await Promise.all(clients.map(disconnect));
    await server?.stop();
  });

  test('a peer that stops answering is pinged, then disconnected, and its session ends', async () => {
    const raw = await RawXmpp.login({ port: server.ports.c2s, domain: d, username: 'bob', password: 'bob-secret', bind: true, resource: 'mute' });
    raws.push(raw);
    const started = Date.now();
    // The client now says nothing at all, though its TCP connection stays open.
    await raw.waitFor(PING, 5000);
    const text = await raw.waitClosed(8000);
    const elapsed = Date.now() - started;
    assert.ok(elapsed >= 1500, `closed after ${elapsed} ms: not before interval + timeout`);
    assert.ok(PING.test(text));
    // The session is gone: an iq to it is answered by the server with an error.
    const alice = await connectXmppjs({ port: server.ports.c2s, domain: d, username: 'alice', password: 'alice-secret', resource: 'a' });
    clients.push(alice);
    const id = nextId('gone');
    await send(alice, `<iq type='get' id='${id}' to='bob@${d}/mute'><ping xmlns='urn:xmpp:ping'/></iq>`);
    await expectStanza(alice, `<iq type='error' id='${id}'><error><service-unavailable xmlns='${STANZAS}'/></error></iq>`);
  });

  test('a client that answers pings (@xmpp/client does, §4.3) stays connected', async () => {
    const c = await connectXmppjs({ port: server.ports.c2s, domain: d, username: 'alice', password: 'alice-secret', resource: 'lively' });
    clients.push(c);
    await expectStanza(c, `<iq type='get' from='${d}'><ping xmlns='urn:xmpp:ping'/></iq>`, 5000);
    await new Promise((r) => setTimeout(r, 3500)); // well past interval + timeout
    assert.equal((c as unknown as { status: string }).status, 'online');
    const id = nextId('alive');
    await send(c, `<iq type='get' id='${id}' to='${d}'><ping xmlns='urn:xmpp:ping'/></iq>`);
    await expectStanza(c, `<iq type='result' id='${id}'/>`);
  });

  test('with XEP-0198 resumption the silent session hibernates instead, and can be resumed', async () => {
    const { raw, enabled } = await smClient({ port: server.ports.c2s, domain: d, username: 'bob', password: 'bob-secret', resource: 'sleepy' });
    raws.push(raw);
    const pingText = await raw.waitFor(PING, 5000);
    const pingId = /<iq[^>]*\bid=["']([^"']+)["'][^>]*>\s*<ping/.exec(pingText.slice(pingText.lastIndexOf('<iq')))?.[1];
    assert.ok(pingId, pingText.slice(-300));
    await raw.waitClosed(8000);
    await server.waitForLog(/"jid":"bob@localhost\/sleepy".*"msg":"session hibernated"/, 5000);
    const { raw: again, answer } = await resumeSm({ port: server.ports.c2s, domain: d, username: 'bob', password: 'bob-secret', previd: enabled.id!, h: 0, localAddress: '127.0.0.2' });
    raws.push(again);
    assert.equal(answer.name, 'resumed', `${answer}`);
    // The unanswered ping was never acknowledged: it is sent again, first thing after <resumed/>.
    const [first] = await waitForCounted(again, 1, 3000);
    assert.equal(first.attrs.id, pingId, `${first}`);
  });
});
