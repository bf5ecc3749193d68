// s2s over QUIC, the pure parts: the s2s lane key (specs/quic.md §4.1, S2S) and the happy-eyeballs
// race between QUIC and TCP (specs/quic.md §5).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseElement } from '../../src/xml/parse-element.ts';
import { s2sLaneKey } from '../../src/net/quic/lane-rule.ts';
import { happyEyeballs } from '../../src/s2s/quic/happy-eyeballs.ts';

const el = (s: string) => parseElement(s)!;

test('s2s lane key: the unordered pair of bare JIDs; domain-to-domain stanzas on lane 0', () => {
  const there = s2sLaneKey(el(`<message from="alice@a.example/phone" to="Bob@b.example/x" type="chat"/>`));
  const back = s2sLaneKey(el(`<message from="bob@b.example" to="alice@a.example/laptop" type="chat"/>`));
  assert.equal(there, 'std|alice@a.example|bob@b.example');
  assert.equal(back, there);
  // Subscription presence stays with the pair's messages between servers.
  assert.equal(s2sLaneKey(el(`<presence from="alice@a.example" to="bob@b.example" type="subscribe"/>`)), there);
  assert.equal(s2sLaneKey(el(`<message from="alice@a.example" to="bob@b.example"><data xmlns="http://jabber.org/protocol/ibb" sid="s" seq="0">AA==</data></message>`)), 'ibb|alice@a.example|bob@b.example');
  assert.equal(s2sLaneKey(el(`<iq from="a.example" to="b.example" type="get" id="1"><ping xmlns="urn:xmpp:ping"/></iq>`)), null);
  assert.equal(s2sLaneKey(el(`<iq from="alice@a.example/r" to="b.example" type="get" id="2"/>`)), null);
  assert.equal(s2sLaneKey(el(`<presence from="pubsub.a.example" to="bob@b.example"/>`)), null);
  assert.notEqual(s2sLaneKey(el(`<message from="room@muc.a.example/nick" to="bob@b.example/x"/>`)), null);
});

interface Fake {
  name: string;
  discarded: boolean;
  discard(): void;
}
const fake = (name: string): Fake => ({ name, discarded: false, discard() { this.discarded = true; } });
const after = <T>(ms: number, v: T, fail = false) => () => new Promise<T>((res, rej) => setTimeout(() => (fail ? rej(new Error(String(v))) : res(v)), ms));

test('happy eyeballs: QUIC within the delay wins and TCP never starts', async () => {
  let tcpStarted = false;
  const won = await happyEyeballs(after(20, fake('quic')), () => ((tcpStarted = true), Promise.resolve(fake('tcp'))), 100, { quicFailed: () => assert.fail(), tcpWon: () => assert.fail() });
  assert.equal(won.name, 'quic');
  assert.equal(tcpStarted, false);
});

test('happy eyeballs: slow QUIC, TCP starts after the delay and wins; QUIC is discarded when it arrives', async () => {
  const quic = fake('quic');
  let tcpAt = 0;
  const t0 = Date.now();
  let tcpWon = false;
  const won = await happyEyeballs(after(200, quic), () => ((tcpAt = Date.now() - t0), Promise.resolve(fake('tcp'))), 50, { quicFailed: () => assert.fail(), tcpWon: () => (tcpWon = true) });
  assert.equal(won.name, 'tcp');
  assert.ok(tcpWon);
  assert.ok(tcpAt >= 45 && tcpAt < 190, `TCP started at ${tcpAt} ms`);
  await new Promise((r) => setTimeout(r, 250));
  assert.ok(quic.discarded);
});

test('happy eyeballs: QUIC failing early starts TCP at once; both failing rejects', async () => {
  const failures: string[] = [];
  const t0 = Date.now();
  const won = await happyEyeballs(after(5, 'refused', true) as unknown as () => Promise<Fake>, () => Promise.resolve(fake('tcp')), 1000, { quicFailed: (e) => failures.push(e.message), tcpWon: () => {} });
  assert.equal(won.name, 'tcp');
  assert.ok(Date.now() - t0 < 500);
  assert.deepEqual(failures, ['refused']);
  await assert.rejects(happyEyeballs(after(5, 'quic down', true) as unknown as () => Promise<Fake>, after(5, 'tcp down', true) as unknown as () => Promise<Fake>, 10, { quicFailed: () => {}, tcpWon: () => {} }), /down/);
});
