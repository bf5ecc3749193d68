// Hostile or broken XML on a client stream ends that stream with the right stream error
// (RFC 6120 §4.9.3, the restrictions of §11, resource exhaustion §13.12), closes the connection,
// and leaves the server serving everyone else, without memory creeping up over many attempts.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, type RunningServer } from '../helpers/server.ts';
import { RawXmpp, streamErrorCondition, streamHeader } from '../helpers/raw.ts';
import { connectXmppjs, disconnect, expectStanza, send, sync, type Client } from '../helpers/xmppjs.ts';

const MiB = 1024 * 1024;

/** Where in the stream the bad input goes. */
type Stage =
  | 'bound' // after TLS, SASL PLAIN and resource binding
  | 'authenticating' // after TLS and the restarted stream's features, before SASL
  | 'tls-prolog'; // right after the TLS handshake, instead of the restarted stream header

interface BadInput {
  name: string;
  stage: Stage;
  /** Acceptable stream error conditions; the first is the one the RFC points to. */
  conditions: string[];
  bytes(domain: string): Buffer | string;
}

const laughs = (): string => {
  let dtd = '<!ENTITY lol "lol">';
  for (let i = 1; i <= 9; i++) dtd += `<!ENTITY lol${i} "${`&lol${i === 1 ? '' : i - 1};`.repeat(10)}">`;
  return dtd;
};

const hugeStanza = (domain: string) => `<message to='bob@${domain}' type='chat'><body>${'a'.repeat(10 * MiB)}</body></message>`;

const CASES: BadInput[] = [
  { name: 'mismatched end tag', stage: 'bound', conditions: ['not-well-formed'], bytes: (d) => `<message to='bob@${d}'><body>hi</message>` },
  { name: 'unescaped < in text', stage: 'bound', conditions: ['not-well-formed'], bytes: (d) => `<message to='bob@${d}'><body>1 < 2</body></message>` },
  { name: 'attribute without quotes', stage: 'bound', conditions: ['not-well-formed'], bytes: (d) => `<message to=bob@${d}><body>x</body></message>` },
  // RFC 6120 §11.1: no DTDs. In the prolog the document is well-formed, so only the restriction applies.
  {
    name: 'DOCTYPE in the prolog of the stream',
    stage: 'tls-prolog',
    conditions: ['restricted-xml'],
    bytes: (d) => `<?xml version='1.0'?><!DOCTYPE stream:stream [<!ELEMENT stream:stream ANY>]>${streamHeader(d).replace(/^<\?xml[^>]*>/, '')}`,
  },
  // Mid-stream a DOCTYPE is also not well-formed XML, so either condition is a correct answer.
  { name: 'DOCTYPE inside the stream', stage: 'bound', conditions: ['restricted-xml', 'not-well-formed'], bytes: () => `<!DOCTYPE message [<!ELEMENT message ANY>]>` },
  {
    name: 'billion laughs (entity expansion) in the prolog',
    stage: 'tls-prolog',
    conditions: ['restricted-xml'],
    bytes: (d) => `<?xml version='1.0'?><!DOCTYPE stream:stream [${laughs()}]>${streamHeader(d).replace(/^<\?xml[^>]*>/, '')}<message to='bob@${d}'><body>&lol9;</body></message>`,
  },
  {
    name: 'billion laughs inside the stream',
    stage: 'bound',
    conditions: ['restricted-xml', 'not-well-formed'],
    bytes: (d) => `<!DOCTYPE message [${laughs()}]><message to='bob@${d}'><body>&lol9;</body></message>`,
  },
  // RFC 6120 §11.1: entity references other than the five predefined ones are not allowed.
  { name: 'reference to an undeclared entity', stage: 'bound', conditions: ['restricted-xml'], bytes: (d) => `<message to='bob@${d}'><body>&lol9;</body></message>` },
  { name: 'comment', stage: 'bound', conditions: ['restricted-xml'], bytes: (d) => `<message to='bob@${d}'><!-- hidden --><body>x</body></message>` },
  { name: 'processing instruction', stage: 'bound', conditions: ['restricted-xml'], bytes: (d) => `<message to='bob@${d}'><?evil payload?><body>x</body></message>` },
  // RFC 6120 §13.12: limits on stanza size and depth, enforced while reading.
  { name: 'a 10 MiB stanza', stage: 'bound', conditions: ['policy-violation'], bytes: hugeStanza },
  { name: 'a 10 MiB stanza before authentication', stage: 'authenticating', conditions: ['policy-violation'], bytes: hugeStanza },
  { name: '10,000-deep nesting', stage: 'bound', conditions: ['policy-violation'], bytes: (d) => `<message to='bob@${d}'>${'<a>'.repeat(10_000)}${'</a>'.repeat(10_000)}</message>` },
  { name: '10,000-deep nesting before authentication', stage: 'authenticating', conditions: ['policy-violation'], bytes: () => `${'<a>'.repeat(10_000)}${'</a>'.repeat(10_000)}` },
  // RFC 6120 §11.6: streams are UTF-8; anything else is <unsupported-encoding/>.
  {
    name: 'invalid UTF-8 (0xC3 0x28)',
    stage: 'bound',
    conditions: ['unsupported-encoding'],
    bytes: (d) => Buffer.concat([Buffer.from(`<message to='bob@${d}'><body>`), Buffer.from([0xc3, 0x28]), Buffer.from('</body></message>')]),
  },
  {
    name: 'overlong UTF-8 encoding of "/" (0xC0 0xAF)',
    stage: 'bound',
    conditions: ['unsupported-encoding'],
    bytes: (d) => Buffer.concat([Buffer.from(`<message to='bob@${d}'><body>`), Buffer.from([0xc0, 0xaf]), Buffer.from('</body></message>')]),
  },
  {
    name: 'UTF-8 encoded surrogate (0xED 0xA0 0x80)',
    stage: 'bound',
    conditions: ['unsupported-encoding'],
    bytes: (d) => Buffer.concat([Buffer.from(`<message to='bob@${d}'><body>`), Buffer.from([0xed, 0xa0, 0x80]), Buffer.from('</body></message>')]),
  },
];

interface Outcome {
  condition: string | null;
  text: string;
  closed: boolean;
}

/** Open a stream up to `stage`, send the bad bytes, and collect what the server says until it closes. */
async function attack(server: RunningServer, c: BadInput, timeoutMs = 10_000): Promise<Outcome> {
  const opts = { port: server.ports.c2s, domain: server.domain };
  const raw = await RawXmpp.connect(opts);
  try {
    await raw.openStream();
    await raw.startTls(c.stage !== 'tls-prolog');
    if (c.stage === 'bound') {
      await raw.authPlain('mallory', 'mallory-secret');
      await raw.bind();
    }
    const start = raw.text.length;
    const bytes = c.bytes(server.domain);
    await raw.writeAll(bytes);
    await raw.waitClosed(timeoutMs);
    const text = raw.text.slice(start);
    return { condition: streamErrorCondition(text), text, closed: raw.closed };
  } finally {
    raw.destroy();
  }
}

describe('bad XML on a client stream', () => {
  let server: RunningServer;
  let bob: Client;

  before(async () => {
    server = await startServer();
    await Promise.all([server.adduser('mallory', 'mallory-secret'), server.adduser('bob', 'bob-secret'), server.adduser('carol', 'carol-secret')]);
    bob = await connectXmppjs({ port: server.ports.c2s, domain: server.domain, username: 'bob', password: 'bob-secret', resource: 'watching', mechanism: 'PLAIN' });
  });
  after(async () => {
    if (bob) await disconnect(bob);
    await server?.stop();
  });

  /** A normal client can still log in, and a session that was there all along still gets messages. */
  async function serverStillServes(tag: string): Promise<void> {
    const carol = await connectXmppjs({ port: server.ports.c2s, domain: server.domain, username: 'carol', password: 'carol-secret', mechanism: 'PLAIN' });
    try {
      await sync(carol, server.domain);
      await send(carol, `<message to="${bob.jid}" type="chat" id="${tag}"><body>still here</body></message>`);
      await expectStanza(bob, `<message from="${carol.jid}" id="${tag}"><body>still here</body></message>`);
    } finally {
      await disconnect(carol);
    }
  }

  let n = 0;
  for (const c of CASES) {
    test(`${c.name} (${c.stage}) -> <${c.conditions.join('/> or <')}/>, connection closed`, async () => {
      const out = await attack(server, c);
      assert.ok(
        out.condition !== null && c.conditions.includes(out.condition),
        `expected <${c.conditions.join('/> or <')}/>, got ${out.condition ? `<${out.condition}/>` : 'no stream error'}; server sent:\n${out.text.slice(-2000)}`,
      );
      // RFC 6120 §4.9.1.1: the stream error is followed by the closing stream tag, then the TCP close.
      assert.match(out.text, /<\/stream:error>\s*<\/stream:stream>\s*$/, `no </stream:stream> after the error:\n${out.text.slice(-2000)}`);
      assert.ok(out.closed);
      await serverStillServes(`after-${++n}`);
    });
  }

  test('100 more attempts leave RSS within 64 MiB of where it was', async (t) => {
    const cycle = (i: number) => CASES[i % CASES.length];
    const run = async (count: number, from: number) => {
      // Ten at a time, so the server sees concurrent attackers.
      for (let i = 0; i < count; i += 10) {
        const batch = Array.from({ length: Math.min(10, count - i) }, (_, k) => attack(server, cycle(from + i + k)));
        const outcomes = await Promise.all(batch);
        for (const [k, o] of outcomes.entries()) {
          const c = cycle(from + i + k);
          assert.ok(o.condition !== null && c.conditions.includes(o.condition), `attempt ${from + i + k} (${c.name}): got ${o.condition}`);
        }
      }
    };
    await run(CASES.length, 0); // warm up: code paths loaded, pools sized
    await new Promise((r) => setTimeout(r, 500));
    const before = server.rss();
    await run(100, CASES.length);
    await new Promise((r) => setTimeout(r, 500));
    const grown = server.rss() - before;
    t.diagnostic(`RSS ${(before / MiB).toFixed(1)} MiB -> ${((before + grown) / MiB).toFixed(1)} MiB`);
    assert.ok(grown < 64 * MiB, `RSS grew by ${(grown / MiB).toFixed(1)} MiB over 100 attempts (from ${(before / MiB).toFixed(1)} MiB)`);
    await serverStillServes('after-100');
  });
});
