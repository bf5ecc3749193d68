// XEP-0115 §5.4 processing in the caps tracker, with a scripted disco#info peer: verified strings are
// cached and reused, mismatching answers are not trusted (nor cached), answers must come from the
// JID asked, legacy caps stay per JID, unavailable presence forgets.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { parseJid, type Jid } from '../../../src/jid/index.ts';
import { createSqliteStorage } from '../../../src/storage/sqlite/index.ts';
import { CapsTracker } from '../../../src/modules/caps/tracker.ts';
import { parsePayload } from '../../../src/modules/pep/payload.ts';
import type { Element } from '../../../src/xml/element.ts';

const DISCO = 'http://jabber.org/protocol/disco#info';

function discoXml(features: string[]): string {
  return `<query xmlns='${DISCO}'><identity category='client' type='pc' name='t'/>${features.map((f) => `<feature var='${f}'/>`).join('')}</query>`;
}
function verOf(features: string[]): string {
  const s = `client/pc//t<${[...features].sort().map((f) => `${f}<`).join('')}`;
  return createHash('sha1').update(s).digest('base64');
}
const presence = (ver: string, hash: string | null = 'sha-1') =>
  parsePayload(`<presence xmlns='jabber:client'><c xmlns='http://jabber.org/protocol/caps' node='n'${hash ? ` hash='${hash}'` : ''} ver='${ver}'/></presence>`);

function setup(answers: Map<string, { features: string[]; from?: string }>) {
  const asked: string[] = [];
  const resolved: Array<{ jid: string; features: string[] }> = [];
  const tracker = new CapsTracker({
    store: createSqliteStorage(':memory:').caps,
    async sendIq(iq: Element) {
      asked.push(iq.attrs.to!);
      const a = answers.get(iq.attrs.to!);
      if (!a) return parsePayload(`<iq xmlns='jabber:client' type='error' from='${iq.attrs.to}'/>`);
      return parsePayload(`<iq xmlns='jabber:client' type='result' from='${a.from ?? iq.attrs.to}' id='${iq.attrs.id ?? ''}'>${discoXml(a.features)}</iq>`);
    },
    resolved: (jid: Jid, features) => void resolved.push({ jid: jid.toString(), features: [...features].sort() }),
    log: { debug() {}, info() {} },
    cacheSize: 10,
    queryTimeoutMs: 1000,
    maxPending: 10,
  });
  return { tracker, asked, resolved };
}

describe('caps tracker (XEP-0115 §5.4)', () => {
  const feats = ['http://jabber.org/protocol/tune+notify', DISCO];

  test('a verified string is asked once and then served from the cache', async () => {
    const a = parseJid('a@x/1');
    const b = parseJid('b@x/1');
    const t = setup(new Map([['a@x/1', { features: feats }], ['b@x/1', { features: feats }]]));
    await t.tracker.onPresence(a, presence(verOf(feats)), 'x');
    await t.tracker.onPresence(b, presence(verOf(feats)), 'x');
    assert.deepEqual(t.asked, ['a@x/1']);
    assert.deepEqual(t.resolved.map((r) => r.jid), ['a@x/1', 'b@x/1']);
    assert.ok(t.tracker.features(b)?.has('http://jabber.org/protocol/tune+notify'));
    // The same caps again change nothing; unavailable forgets.
    await t.tracker.onPresence(b, presence(verOf(feats)), 'x');
    assert.equal(t.resolved.length, 2);
    await t.tracker.onPresence(b, parsePayload(`<presence xmlns='jabber:client' type='unavailable'/>`), 'x');
    assert.equal(t.tracker.features(b), undefined);
  });

  test('an answer that does not hash to ver is not trusted and not cached', async () => {
    const liar = parseJid('liar@x/1');
    const honest = parseJid('honest@x/1');
    const ver = verOf(feats);
    const t = setup(new Map([['liar@x/1', { features: [...feats, 'urn:evil+notify'] }], ['honest@x/1', { features: feats }]]));
    await t.tracker.onPresence(liar, presence(ver), 'x');
    assert.equal(t.tracker.features(liar), undefined);
    await t.tracker.onPresence(honest, presence(ver), 'x');
    assert.deepEqual(t.asked, ['liar@x/1', 'honest@x/1'], 'the honest advertiser is asked again');
    assert.deepEqual(t.resolved, [{ jid: 'honest@x/1', features: [...feats].sort() }]);
  });

  test('an answer from another JID than the one asked is ignored', async () => {
    const a = parseJid('a@x/1');
    const t = setup(new Map([['a@x/1', { features: feats, from: 'mallory@x/1' }]]));
    await t.tracker.onPresence(a, presence(verOf(feats)), 'x');
    assert.equal(t.tracker.features(a), undefined);
  });

  test('legacy caps and unknown hashes are per JID, never cached', async () => {
    const a = parseJid('a@x/1');
    const b = parseJid('b@x/1');
    const t = setup(new Map([['a@x/1', { features: feats }], ['b@x/1', { features: feats }]]));
    await t.tracker.onPresence(a, presence('1.0', null), 'x');
    await t.tracker.onPresence(b, presence('1.0', null), 'x');
    assert.deepEqual(t.asked, ['a@x/1', 'b@x/1']);
    assert.ok(t.tracker.features(a)?.has('http://jabber.org/protocol/tune+notify'));
    await t.tracker.onPresence(a, presence(verOf(feats), 'md5'), 'x');
    assert.deepEqual(t.asked, ['a@x/1', 'b@x/1', 'a@x/1']);
  });
});
