// XMPP over WebSocket (RFC 7395) found through host-meta (XEP-0156): @xmpp/client connects over
// ws:// and wss:// using the URL the server advertises, and two such clients exchange a message.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { WebSocket } from 'ws';
import { client, xml } from '@xmpp/client';
import { startServer, type RunningServer } from '../helpers/server.ts';
import type { Element as XElement } from 'ltx';

// Node 20 has no global WebSocket; @xmpp/websocket expects one, as in a browser.
(globalThis as { WebSocket?: unknown }).WebSocket ??= WebSocket;

type XmppClient = ReturnType<typeof client>;

async function discover(base: string): Promise<string> {
  const res = await fetch(`${base}/.well-known/host-meta.json`);
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('access-control-allow-origin'), '*');
  const doc = (await res.json()) as { links: { rel: string; href: string }[] };
  const link = doc.links.find((l) => l.rel === 'urn:xmpp:alt-connections:websocket');
  assert.ok(link, 'host-meta.json has a websocket link');
  const xrd = await (await fetch(`${base}/.well-known/host-meta`)).text();
  assert.match(xrd, new RegExp(`rel="urn:xmpp:alt-connections:websocket" href="${link.href.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}"`));
  return link.href;
}

async function connectWs(service: string, username: string, password: string): Promise<{ c: XmppClient; inbox: XElement[] }> {
  const c = client({ service, domain: 'localhost', username, password, timeout: 10_000 });
  c.reconnect.stop();
  const inbox: XElement[] = [];
  c.on('stanza', (s: XElement) => inbox.push(s));
  c.on('error', () => {});
  await c.start();
  await c.send(xml('presence'));
  return { c, inbox };
}

async function waitFor<T>(fn: () => T | undefined, ms: number, what: string): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = fn();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('WebSocket (RFC 7395) with host-meta discovery', () => {
  let s: RunningServer;
  before(async () => {
    s = await startServer();
    await s.adduser('wsa', 'pw-a');
    await s.adduser('wsb', 'pw-b');
  });
  after(async () => s?.stop());

  for (const scheme of ['ws', 'wss'] as const) {
    test(`${scheme}:// found via host-meta, login and message exchange`, async () => {
      const base = scheme === 'ws' ? `http://127.0.0.1:${s.ports.http}` : `https://localhost:${s.ports.https}`;
      const url = await discover(base);
      assert.ok(url.startsWith(`${scheme}://`), `advertised ${url}`);
      const a = await connectWs(url, 'wsa', 'pw-a');
      const b = await connectWs(url, 'wsb', 'pw-b');
      try {
        await a.c.send(xml('message', { to: 'wsb@localhost', type: 'chat' }, xml('body', {}, `over ${scheme}`)));
        const got = await waitFor(() => b.inbox.find((m) => m.is('message') && m.getChildText('body') === `over ${scheme}`), 10_000, 'the message');
        assert.match(got.attrs.from, /^wsa@localhost\//);
      } finally {
        await a.c.stop().catch(() => {});
        await b.c.stop().catch(() => {});
      }
    });
  }

  test('a WebSocket without the xmpp subprotocol is refused', async () => {
    const ws = new WebSocket(`ws://127.0.0.1:${s.ports.http}/xmpp-websocket`);
    const outcome = await new Promise<string>((resolve) => {
      ws.once('open', () => resolve('open'));
      ws.once('unexpected-response', (_req, res) => resolve(`http ${res.statusCode}`));
      ws.once('error', () => resolve('error'));
    });
    ws.terminate();
    assert.notEqual(outcome, 'open');
  });
});
