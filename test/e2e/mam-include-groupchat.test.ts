// XEP-0313 §4.1.4 'include-groupchat' and §7 #groupchat-field / #groupchat-available, with
// groupchat that muc-pam archived in a user's archive for a room joined with the bare JID (New MUC
// PAM). Groupchat is left out unless the query asks for it; false leaves it out; a non-boolean is
// bad-request; paging and counts see only what the query selects. Real @xmpp/client sessions.
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { XmppSuite } from '../helpers/suite.ts';
import { expectStanza, send, type Client } from '../helpers/xmppjs.ts';
import { createInstantRoom, iqOk } from '../helpers/muc.ts';
import { MAM, mamQuery, mamQueryError } from '../helpers/mam.ts';
import { pamJoin } from '../helpers/newmuc.ts';

const FIELD = 'urn:xmpp:mam:2#groupchat-field';
const AVAILABLE = 'urn:xmpp:mam:2#groupchat-available';
const include = (v: string) => `<field var="include-groupchat"><value>${v}</value></field>`;

async function accountFeatures(c: Client, bare: string): Promise<string[]> {
  const info = await iqOk(c, bare, 'get', '<query xmlns="http://jabber.org/protocol/disco#info"/>');
  return info.getChild('query')!.getChildren('feature').map((f) => String(f.attrs.var));
}

describe('MAM include-groupchat (XEP-0313 §4.1.4) with New MUC PAM', () => {
  const suite = new XmppSuite(['ann', 'bo', 'cy']);
  const { login } = suite;
  let d: string;
  before(() => {
    d = suite.domain;
  });

  test('the account advertises #groupchat-field and #groupchat-available; the query form offers a boolean include-groupchat', async () => {
    const bo = await login('bo');
    const features = await accountFeatures(bo, `bo@${d}`);
    for (const f of [MAM, FIELD, AVAILABLE]) assert.ok(features.includes(f), `${f}: ${features.join(' ')}`);
    const form = await iqOk(bo, `bo@${d}`, 'get', `<query xmlns="${MAM}"/>`);
    const field = form.getChild('query', MAM)!.getChild('x', 'jabber:x:data')!.getChildren('field').find((f) => f.attrs.var === 'include-groupchat');
    assert.equal(field?.attrs.type, 'boolean', form.toString());
  });

  test('groupchat archived through PAM comes back only with include-groupchat true; paging and counts follow the filter', async () => {
    const room = `gc1@conference.${d}`;
    const [ann, bo, cy] = await Promise.all([login('ann'), login('bo'), login('cy')]);
    await createInstantRoom(ann, room, 'Ann');
    await send(bo, '<presence/>'); // available: chat to the bare JID is delivered, not stored offline
    const joined = await pamJoin(bo, room, 'Bo');
    assert.equal(joined.attrs.type, 'result', joined.toString());
    // Interleaved: chat from Cy, groupchat in the room (archived for Bo by muc-pam).
    for (let i = 0; i < 3; i++) {
      await send(cy, `<message to="bo@${d}" type="chat" id="c${i}"><body>chat ${i}</body></message>`);
      await expectStanza(bo, `<message id="c${i}"/>`);
      await send(ann, `<message to="${room}" type="groupchat" id="g${i}"><body>room ${i}</body></message>`);
      await expectStanza(ann, `<message from="${room}/Ann" id="g${i}"/>`);
    }
    // The room's copies reach Bo's archive asynchronously: wait until all three are there.
    const deadline = Date.now() + 10_000;
    let all: Awaited<ReturnType<typeof mamQuery>>;
    for (;;) {
      all = await mamQuery(bo, { rawFields: include('true') });
      if (all.results.filter((r) => r.message.attrs.type === 'groupchat' && r.body?.startsWith('room ')).length === 3 || Date.now() > deadline) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const bodies = (rs: Array<{ body: string | undefined }>) => rs.map((r) => r.body).filter((b): b is string => b !== undefined);
    assert.deepEqual(bodies(all.results), ['chat 0', 'room 0', 'chat 1', 'room 1', 'chat 2', 'room 2']);
    assert.ok(all.results.some((r) => r.message.attrs.type === 'groupchat' && String(r.message.attrs.from).startsWith(`${room}/`)));

    // Default (no field) and false: no groupchat at all (not even the room subject).
    for (const q of [{}, { rawFields: include('false') }, { rawFields: include('0') }]) {
      const { results } = await mamQuery(bo, q);
      assert.deepEqual(bodies(results), ['chat 0', 'chat 1', 'chat 2'], JSON.stringify(q));
      assert.ok(results.every((r) => r.message.attrs.type !== 'groupchat'));
    }
    // With 'with' = the room, 1 selects the room's messages.
    const roomOnly = await mamQuery(bo, { with: room, rawFields: include('1') });
    assert.deepEqual(bodies(roomOnly.results), ['room 0', 'room 1', 'room 2']);
    assert.equal((await mamQuery(bo, { with: room })).results.length, 0);
    // The room's own archive is all groupchat: the default there is unchanged.
    assert.deepEqual(bodies((await mamQuery(ann, { to: room })).results).filter((b) => b.startsWith('room ')), ['room 0', 'room 1', 'room 2']);

    // Pages of 2 without groupchat: full pages, the right count, complete at the end.
    const p1 = await mamQuery(bo, { max: 2 });
    assert.deepEqual(bodies(p1.results), ['chat 0', 'chat 1']);
    assert.equal(p1.fin.count, '3');
    assert.equal(p1.fin.complete, 'false');
    const p2 = await mamQuery(bo, { max: 2, after: p1.fin.last });
    assert.deepEqual(bodies(p2.results), ['chat 2']);
    assert.equal(p2.fin.complete, 'true');
  });

  test('a value that is not a boolean is bad-request', async () => {
    const bo = await login('bo');
    assert.equal(await mamQueryError(bo, { rawFields: include('maybe') }), 'bad-request');
  });
});

describe('MAM include-groupchat without muc-pam', () => {
  const suite = new XmppSuite(['dee'], { config: { modules: { disabled: ['muc-pam'] } } });

  test('#groupchat-field is still advertised, #groupchat-available is not', async () => {
    const dee = await suite.login('dee');
    const features = await accountFeatures(dee, `dee@${suite.domain}`);
    assert.ok(features.includes(FIELD), features.join(' '));
    assert.ok(!features.includes(AVAILABLE), features.join(' '));
    assert.equal((await mamQuery(dee, { rawFields: include('true') })).results.length, 0);
  });
});
