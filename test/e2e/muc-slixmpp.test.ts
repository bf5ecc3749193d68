// XEP-0045 end to end with slixmpp's own xep_0045 plugin (a second, independent client): room
// creation with the plugin's configuration round trip, three occupants, groupchat with the room's
// stanza-id and one occupant-id, nick conflict, members-only admission, kick and ban codes, history
// limits, and mediated invitations — against @xmpp/client peers where a second view helps.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, type RunningServer } from '../helpers/server.ts';
import { addUsers } from '../helpers/accounts.ts';
import { skipUnless } from '../helpers/services.ts';
import { startSlixMuc, type SlixMuc } from '../helpers/slix-muc.ts';

const SKIP = skipUnless('slixmpp');

describe('MUC with slixmpp (xep_0045)', { skip: SKIP }, () => {
  let server: RunningServer;
  let d: string;
  const peers = new Map<string, SlixMuc>();
  let roomSeq = 0;
  // One slixmpp process per account for the whole file (starting Python is the slow part).
  const peer = async (u: string) => peers.get(u)!;
  const newRoom = () => `s${++roomSeq}@conference.${d}`;
  const ok = async (p: SlixMuc, cmd: Record<string, unknown>) => {
    const r = await p.request(cmd);
    assert.equal(r.event, 'result', `${JSON.stringify(cmd)} failed: ${JSON.stringify(r)}`);
    return r;
  };

  before(async () => {
    server = await startServer();
    d = server.domain;
    await addUsers(server, ['ann', 'bob', 'cid', 'dee']);
    await Promise.all(['ann', 'bob', 'cid', 'dee'].map(async (u) => peers.set(u, await startSlixMuc({ port: server.ports.c2s, jid: `${u}@${d}/slix`, password: `${u}-secret` }))));
  });
  after(async () => {
    await Promise.all([...peers.values()].map((p) => p.quit()));
    await server?.stop();
  });

  test('create, three occupants, groupchat with stanza-id and occupant-id, nick conflict', async () => {
    const room = newRoom();
    const [ann, bob, cid, dee] = await Promise.all([peer('ann'), peer('bob'), peer('cid'), peer('dee')]);
    const created = await ok(ann, { op: 'create', room, nick: 'Ann' });
    const self = created.self as { codes: string[]; affiliation: string; role: string; occupant_id: string };
    assert.ok(self.codes.includes('201') && self.codes.includes('110'), JSON.stringify(self));
    assert.equal(self.affiliation, 'owner');
    const b = await ok(bob, { op: 'join', room, nick: 'Bob' });
    assert.deepEqual(b.occupants, ['Ann']);
    const c = await ok(cid, { op: 'join', room, nick: 'Cid' });
    assert.deepEqual(c.occupants, ['Ann', 'Bob'], 'occupants in (rank, seq) order: owner, then by join');
    const conflict = await dee.request({ op: 'join', room, nick: 'bob' });
    assert.equal(conflict.event, 'error');
    assert.equal(conflict.condition, 'conflict');

    await ok(bob, { op: 'message', room, body: 'hi from slixmpp', id: 'sx1' });
    const got = await Promise.all([ann, bob, cid].map((p) => p.waitForEvent('groupchat', 10_000, (e) => e.id === 'sx1')));
    assert.equal(new Set(got.map((g) => g.stanza_id)).size, 1);
    assert.ok(got[0].stanza_id);
    const bobId = (b.self as { occupant_id: string }).occupant_id;
    for (const g of got) assert.equal(g.occupant_id, bobId);
  });

  test('members-only admission, kick 307, ban 301 and history maxstanzas', async () => {
    const room = newRoom();
    const [ann, bob, cid] = await Promise.all([peer('ann'), peer('bob'), peer('cid')]);
    await ok(ann, { op: 'create', room, nick: 'Ann' });
    await ok(ann, { op: 'configure', room, fields: { 'muc#roomconfig_membersonly': true } });
    const refused = await bob.request({ op: 'join', room, nick: 'Bob' });
    assert.equal(refused.condition, 'registration-required');
    await ok(ann, { op: 'set_affiliation', room, jid: `bob@${d}`, affiliation: 'member' });
    await ok(ann, { op: 'set_affiliation', room, jid: `cid@${d}`, affiliation: 'member' });
    assert.deepEqual((await ok(ann, { op: 'affiliations', room, affiliation: 'member' })).jids, [`bob@${d}`, `cid@${d}`]);
    for (let i = 1; i <= 4; i++) await ok(ann, { op: 'message', room, body: `old ${i}` });
    await ann.waitForEvent('groupchat', 10_000, (e) => e.body === 'old 4');
    const b = await ok(bob, { op: 'join', room, nick: 'Bob', maxstanzas: 2 });
    assert.deepEqual(b.history, ['old 3', 'old 4']);
    await ok(cid, { op: 'join', room, nick: 'Cid', maxstanzas: 0 });

    await ok(ann, { op: 'set_role', room, nick: 'Cid', role: 'none', reason: 'calm down' });
    const kicked = await bob.waitForEvent('muc_presence', 10_000, (e) => e.from === `${room}/Cid` && e.type === 'unavailable');
    assert.deepEqual(kicked.codes, ['307']);
    await ok(ann, { op: 'set_affiliation', room, jid: `bob@${d}`, affiliation: 'outcast' });
    const banned = await ann.waitForEvent('muc_presence', 10_000, (e) => e.from === `${room}/Bob` && e.type === 'unavailable');
    assert.deepEqual(banned.codes, ['301']);
    assert.equal(banned.affiliation, 'outcast');
    assert.equal((await bob.request({ op: 'join', room, nick: 'Bob' })).condition, 'forbidden');
  });

  test('a mediated invitation carries the inviter and the room password', async () => {
    const room = newRoom();
    const [ann, dee] = await Promise.all([peer('ann'), peer('dee')]);
    await ok(ann, { op: 'create', room, nick: 'Ann' });
    await ok(ann, { op: 'configure', room, fields: { 'muc#roomconfig_passwordprotectedroom': true, 'muc#roomconfig_roomsecret': 'kettle' } });
    // (slixmpp drops invitations to rooms it has tried to join, so the invitation comes first.)
    await ok(ann, { op: 'invite', room, jid: `dee@${d}`, reason: 'tea?' });
    const inv = await dee.waitForEvent('invite', 10_000);
    assert.equal(inv.room, room);
    assert.equal(inv.from, `ann@${d}`);
    assert.equal(inv.reason, 'tea?');
    assert.equal(inv.password, 'kettle');
    assert.equal((await dee.request({ op: 'join', room, nick: 'Dee' })).condition, 'not-authorized');
    await ok(dee, { op: 'join', room, nick: 'Dee', password: 'kettle' });
  });
});
