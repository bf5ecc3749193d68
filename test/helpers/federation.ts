// The conversation both federation suites (Parley↔Prosody, Parley↔Parley) run: two accounts on
// two servers exchange messages both ways, subscribe to each other's presence and fetch each
// other's vCard, over real client connections.
import assert from 'node:assert/strict';
import { becomeAvailable, connectXmppjs, disconnect, expectStanza, send, sync, nextId, type Client } from './xmppjs.ts';

export interface Side {
  domain: string;
  port: number;
  user: string;
  password: string;
}

/**
 * Logged in as an interested resource (it fetched its roster, RFC 6121 §2.1.6: subscription
 * approvals are only pushed to those) and available (§4.2), so messages to the bare JID arrive.
 */
export async function connectSide(s: Side): Promise<Client> {
  const c = await connectXmppjs({ port: s.port, domain: s.domain, username: s.user, password: s.password, timeoutMs: 20_000 });
  const id = nextId('roster');
  await send(c, `<iq type="get" id="${id}"><query xmlns="jabber:iq:roster"/></iq>`);
  await expectStanza(c, `<iq type="result" id="${id}"/>`, 10_000);
  await becomeAvailable(c, s.domain);
  return c;
}

export async function exchangeMessages(a: Client, aJid: string, b: Client, bJid: string): Promise<void> {
  await send(a, `<message to="${bJid}" type="chat" id="${nextId('m')}"><body>hello from ${aJid}</body></message>`);
  const got = await expectStanza(b, `<message type="chat"><body>hello from ${aJid}</body></message>`, 20_000);
  assert.equal(got.attrs.from.split('/')[0], aJid);
  await send(b, `<message to="${aJid}" type="chat"><body>hello from ${bJid}</body></message>`);
  const back = await expectStanza(a, `<message type="chat"><body>hello from ${bJid}</body></message>`, 20_000);
  assert.equal(back.attrs.from.split('/')[0], bJid);
}

/** RFC 6121 §3: a subscribes to b, b approves; then the other way round. */
export async function mutualSubscription(a: Client, aJid: string, b: Client, bJid: string): Promise<void> {
  for (const [x, xJid, y, yJid] of [[a, aJid, b, bJid], [b, bJid, a, aJid]] as const) {
    await send(x, `<presence to="${yJid}" type="subscribe"/>`);
    await expectStanza(y, `<presence from="${xJid}" type="subscribe"/>`, 20_000);
    await send(y, `<presence to="${xJid}" type="subscribed"/>`);
    await expectStanza(x, `<presence from="${yJid}" type="subscribed"/>`, 20_000);
  }
  // With subscriptions in place, a presence broadcast reaches the contact.
  await send(a, '<presence><status>federated</status></presence>');
  const p = await expectStanza(b, (el) => el.name === 'presence' && (el.attrs.from ?? '').startsWith(`${aJid}/`) && el.getChildText('status') === 'federated', 20_000);
  assert.ok(p);
}

/** XEP-0054: b's server answers a's vCard-temp query for b's bare JID. */
export async function fetchVcard(a: Client, bJid: string, b: Client, bDomain: string, fn: string): Promise<void> {
  const setId = nextId('vset');
  await send(b, `<iq type="set" id="${setId}"><vCard xmlns="vcard-temp"><FN>${fn}</FN></vCard></iq>`);
  await expectStanza(b, `<iq type="result" id="${setId}"/>`, 10_000);
  await sync(b, bDomain);
  const id = nextId('vget');
  await send(a, `<iq type="get" id="${id}" to="${bJid}"><vCard xmlns="vcard-temp"/></iq>`);
  const res = await expectStanza(a, `<iq type="result" id="${id}"/>`, 20_000);
  assert.equal(res.getChild('vCard', 'vcard-temp')?.getChildText('FN'), fn);
}

export async function closeAll(...clients: (Client | undefined)[]): Promise<void> {
  await Promise.all(clients.filter((c): c is Client => c !== undefined).map((c) => disconnect(c)));
}
