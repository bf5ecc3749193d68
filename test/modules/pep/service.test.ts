// The PEP service without sockets: who gets notifications (XEP-0163 §4.2 filtered by +notify,
// §4.3.1 access and blocking), last published items on presence and on new caps (§4.3.2), access
// models for retrieval (XEP-0060 §6.5.9), publish errors (§7.1.3.4, §7.1.5).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { parseJid, type Jid } from '../../../src/jid/index.ts';
import type { RosterItem, RosterService } from '../../../src/core/services.ts';
import { createSqliteStorage } from '../../../src/storage/sqlite/index.ts';
import { StanzaError } from '../../../src/stanza/errors.ts';
import type { Element } from '../../../src/xml/element.ts';
import { Recipients } from '../../../src/modules/pep/recipients.ts';
import { PepServiceImpl } from '../../../src/modules/pep/service.ts';
import { PepPresence } from '../../../src/modules/pep/presence.ts';
import { parsePayload } from '../../../src/modules/pep/payload.ts';
import type { LocalSession } from '../../../src/router/session.ts';

const D = 'capulet.lit';
const juliet = parseJid(`juliet@${D}`);
const tune = (title: string) => parsePayload(`<tune xmlns='http://jabber.org/protocol/tune'><title>${title}</title></tune>`);
const NODE = 'http://jabber.org/protocol/tune';

function setup() {
  const storage = createSqliteStorage(':memory:');
  const rosters = new Map<string, RosterItem[]>(); // owner bare → items
  const roster: RosterService = {
    async items(u, d) {
      return rosters.get(`${u}@${d}`) ?? [];
    },
    async item(u, d, c) {
      return (rosters.get(`${u}@${d}`) ?? []).find((i) => i.jid === c.bare().toString()) ?? null;
    },
    async isSubscribedTo(u, d, c) {
      const i = (rosters.get(`${u}@${d}`) ?? []).find((x) => x.jid === c.bare().toString());
      return i?.subscription === 'from' || i?.subscription === 'both';
    },
    async presenceRecipients() {
      return [];
    },
    availablePresences() {
      return [];
    },
  };
  const features = new Map<string, Set<string>>();
  const blocked = new Set<string>();
  const sent: Element[] = [];
  const recipients = new Recipients();
  const service = new PepServiceImpl({
    store: storage.pep,
    limits: { maxItems: 10, maxPayloadBytes: 300, maxNodes: 5 },
    recipients,
    roster: () => roster,
    caps: () => ({ features: (j: Jid) => features.get(j.toString()) }),
    blocking: () => ({ isBlocked: async (_u, _d, j) => blocked.has(j.bare().toString()) }),
    send: (s) => void sent.push(s),
    published: async () => {},
    retracted: async () => {},
  });
  const presence = new PepPresence({ recipients, service, roster: () => roster, features: (j) => features.get(j.toString()), isLocalDomain: (d) => d === D });
  const contact = (owner: string, jid: string, subscription: RosterItem['subscription'], groups: string[] = []) => {
    const list = rosters.get(owner) ?? [];
    list.push({ jid, subscription, ask: false, approved: false, groups });
    rosters.set(owner, list);
  };
  const online = async (full: string, feats: string[]) => {
    features.set(full, new Set(feats));
    const session = { jid: parseJid(full), presence: {} } as unknown as LocalSession;
    await presence.onBroadcast(session, parsePayload(`<presence xmlns='jabber:client'/>`));
  };
  const to = (jid: string) => sent.filter((s) => s.attrs.to === jid);
  return { storage, service, presence, recipients, features, blocked, sent, contact, online, to };
}

describe('notifications (XEP-0163 §4.2, §4.3.1)', () => {
  test('go to the owner and subscribed contacts whose caps ask for the node, and nobody else', async () => {
    const t = setup();
    t.contact(`juliet@${D}`, `romeo@${D}`, 'both');
    t.contact(`romeo@${D}`, `juliet@${D}`, 'both');
    t.contact(`juliet@${D}`, `nurse@${D}`, 'both');
    t.contact(`nurse@${D}`, `juliet@${D}`, 'both');
    t.contact(`tybalt@${D}`, `juliet@${D}`, 'to'); // Tybalt thinks he is subscribed; Juliet's roster says no
    await t.online(`juliet@${D}/balcony`, [`${NODE}+notify`]);
    await t.online(`romeo@${D}/orchard`, [`${NODE}+notify`]);
    await t.online(`nurse@${D}/kitchen`, ['urn:xmpp:avatar:metadata+notify']);
    await t.online(`tybalt@${D}/street`, [`${NODE}+notify`]);
    await t.service.publish(juliet, { node: NODE, payload: tune('Introduction'), publisher: parseJid(`juliet@${D}/balcony`) });
    for (const who of [`juliet@${D}/balcony`, `romeo@${D}/orchard`]) {
      const [m] = t.to(who);
      assert.ok(m, `${who} got no notification`);
      assert.equal(m.attrs.type, 'headline');
      assert.equal(m.attrs.from, `juliet@${D}`);
      assert.equal(m.getChild('event', 'http://jabber.org/protocol/pubsub#event')?.getChild('items')?.getChild('item')?.getChild('tune')?.getChildText('title'), 'Introduction');
    }
    assert.equal(t.to(`nurse@${D}/kitchen`).length, 0, 'no +notify for the node');
    assert.equal(t.to(`tybalt@${D}/street`).length, 0, 'not subscribed to the owner');
  });

  test('skip a blocked contact and respect the whitelist', async () => {
    const t = setup();
    t.contact(`juliet@${D}`, `romeo@${D}`, 'both');
    t.contact(`romeo@${D}`, `juliet@${D}`, 'both');
    await t.online(`romeo@${D}/orchard`, [`${NODE}+notify`, 'secret+notify']);
    t.blocked.add(`romeo@${D}`);
    await t.service.publish(juliet, { node: NODE, payload: tune('x'), publisher: juliet });
    assert.equal(t.sent.length, 0);
    t.blocked.clear();
    await t.service.create(juliet, 'secret', new Map([['pubsub#access_model', ['whitelist']]]));
    await t.service.publish(juliet, { node: 'secret', payload: tune('y'), publisher: juliet });
    assert.equal(t.sent.length, 0);
    await t.service.setAffiliations(juliet, 'secret', [{ jid: parseJid(`romeo@${D}`), affiliation: 'member' }]);
    await t.service.publish(juliet, { node: 'secret', payload: tune('z'), publisher: juliet });
    assert.equal(t.to(`romeo@${D}/orchard`).length, 1);
  });
});

describe('last published item (XEP-0163 §4.3.2)', () => {
  test('reaches a newly available resource with +notify, delayed, once', async () => {
    const t = setup();
    t.contact(`juliet@${D}`, `romeo@${D}`, 'from');
    t.contact(`romeo@${D}`, `juliet@${D}`, 'to');
    await t.service.publish(juliet, { node: NODE, payload: tune('one'), publisher: juliet });
    await t.service.publish(juliet, { node: NODE, payload: tune('two'), publisher: juliet });
    await t.online(`romeo@${D}/orchard`, [`${NODE}+notify`]);
    const got = t.to(`romeo@${D}/orchard`);
    assert.equal(got.length, 1);
    assert.equal(got[0].getChild('event')?.getChild('items')?.getChild('item')?.getChild('tune')?.getChildText('title'), 'two');
    assert.ok(got[0].getChild('delay', 'urn:xmpp:delay')?.attrs.stamp);
    // Presence updates from the same resource do not resend (§4.3.2 footnote).
    await t.online(`romeo@${D}/orchard`, [`${NODE}+notify`]);
    assert.equal(t.to(`romeo@${D}/orchard`).length, 1);
  });

  test('follows caps that arrive later, for the new interests only', async () => {
    const t = setup();
    t.contact(`juliet@${D}`, `romeo@${D}`, 'both');
    t.contact(`romeo@${D}`, `juliet@${D}`, 'both');
    await t.service.publish(juliet, { node: NODE, payload: tune('t'), publisher: juliet });
    await t.service.publish(juliet, { node: 'urn:xmpp:avatar:metadata', payload: parsePayload(`<metadata xmlns='urn:xmpp:avatar:metadata'/>`), publisher: juliet });
    await t.online(`romeo@${D}/orchard`, []);
    assert.equal(t.sent.length, 0);
    const romeo = parseJid(`romeo@${D}/orchard`);
    const first = new Set([`${NODE}+notify`]);
    await t.presence.onCapsResolved(romeo, first, undefined);
    assert.deepEqual(t.sent.map((m) => m.getChild('event')?.getChild('items')?.attrs.node), [NODE]);
    await t.presence.onCapsResolved(romeo, new Set([`${NODE}+notify`, 'urn:xmpp:avatar:metadata+notify']), first);
    assert.deepEqual(t.sent.map((m) => m.getChild('event')?.getChild('items')?.attrs.node), [NODE, 'urn:xmpp:avatar:metadata']);
  });

  test('is not sent for send_last_published_item = never', async () => {
    const t = setup();
    await t.service.publish(juliet, { node: 'urn:xmpp:bookmarks:1', itemId: 'room@muc', payload: parsePayload(`<conference xmlns='urn:xmpp:bookmarks:1'/>`), publisher: juliet, preconditions: new Map([['pubsub#send_last_published_item', ['never']]]) });
    await t.online(`juliet@${D}/balcony`, ['urn:xmpp:bookmarks:1+notify']);
    assert.equal(t.sent.length, 0);
  });
});

describe('retrieval and publish errors (XEP-0060 §6.5.9, §7.1.3, §7.1.5)', () => {
  const condition = (e: unknown) => (e instanceof StanzaError ? `${e.condition}/${e.appCondition?.name ?? ''}` : String(e));

  test('presence, roster and whitelist nodes refuse strangers with their pubsub conditions; open does not', async () => {
    const t = setup();
    const stranger = parseJid('benvolio@montague.lit/x');
    t.contact(`juliet@${D}`, 'benvolio@montague.lit', 'from', ['friends']);
    await t.service.publish(juliet, { node: 'p', payload: tune('p'), publisher: juliet });
    await t.service.publish(juliet, { node: 'o', payload: tune('o'), publisher: juliet, preconditions: new Map([['pubsub#access_model', ['open']]]) });
    await t.service.publish(juliet, { node: 'w', payload: tune('w'), publisher: juliet, preconditions: new Map([['pubsub#access_model', ['whitelist']]]) });
    await t.service.publish(juliet, { node: 'r', payload: tune('r'), publisher: juliet, preconditions: new Map([['pubsub#access_model', ['roster']], ['pubsub#roster_groups_allowed', ['family']]]) });
    const nobody = parseJid('mercutio@verona.lit/y');
    await assert.rejects(t.service.items(juliet, 'p', nobody), (e) => condition(e) === 'not-authorized/presence-subscription-required');
    assert.equal((await t.service.items(juliet, 'p', stranger)).length, 1, 'a subscribed contact may read a presence node');
    assert.equal((await t.service.items(juliet, 'o', nobody)).length, 1);
    await assert.rejects(t.service.items(juliet, 'w', stranger), (e) => condition(e) === 'not-allowed/closed-node');
    await assert.rejects(t.service.items(juliet, 'r', stranger), (e) => condition(e) === 'not-authorized/not-in-roster-group');
    await t.service.configure(juliet, 'r', new Map([['pubsub#roster_groups_allowed', ['friends']]]));
    assert.equal((await t.service.items(juliet, 'r', stranger)).length, 1);
    await assert.rejects(t.service.items(juliet, 'missing', stranger), (e) => condition(e) === 'item-not-found/');
  });

  test('a payload over the limit is refused and nothing is stored', async () => {
    const t = setup();
    await assert.rejects(t.service.publish(juliet, { node: NODE, payload: tune('x'.repeat(400)), publisher: juliet }), (e) => condition(e) === 'not-acceptable/payload-too-big');
    assert.equal(await t.service.node(juliet, NODE), null);
  });

  test('publish-options that do not match the node fail with precondition-not-met and change nothing', async () => {
    const t = setup();
    await t.service.publish(juliet, { node: NODE, itemId: 'a', payload: tune('a'), publisher: juliet });
    await assert.rejects(
      t.service.publish(juliet, { node: NODE, itemId: 'b', payload: tune('b'), publisher: juliet, preconditions: new Map([['pubsub#access_model', ['open']]]) }),
      (e) => condition(e) === 'conflict/precondition-not-met',
    );
    assert.deepEqual((await t.service.items(juliet, NODE, juliet)).map((i) => i.id), ['a']);
  });

  test('max_items is enforced on publish and on configure', async () => {
    const t = setup();
    for (const id of ['1', '2', '3', '4']) await t.service.publish(juliet, { node: 'q', itemId: id, payload: tune(id), publisher: juliet, createWith: new Map([['pubsub#max_items', ['3']]]) });
    assert.deepEqual((await t.service.items(juliet, 'q', juliet)).map((i) => i.id), ['2', '3', '4']);
    await t.service.configure(juliet, 'q', new Map([['pubsub#max_items', ['1']]]));
    assert.deepEqual((await t.service.items(juliet, 'q', juliet)).map((i) => i.id), ['4']);
  });

  test('an account has at most max_nodes nodes', async () => {
    const t = setup();
    for (let i = 0; i < 5; i++) await t.service.create(juliet, `n${i}`);
    await assert.rejects(t.service.create(juliet, 'n5'), (e) => condition(e) === 'policy-violation/');
  });
});
