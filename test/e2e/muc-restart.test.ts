// A persistent room survives a server restart (XEP-0045 §10.1.3 muc#roomconfig_persistentroom):
// configuration, subject, affiliations in their order with reserved nicks, the ban list, the
// archive (history) and the occupant-id secret. A temporary room does not.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Accounts } from '../../src/accounts/index.ts';
import { loadConfig } from '../../src/config/loader.ts';
import { createStorage } from '../../src/storage/index.ts';
import { startRestartableServer, type RestartableServer } from '../helpers/server-restart.ts';
import { connectXmppjs, disconnect, expectStanza, send, type Client } from '../helpers/xmppjs.ts';
import { adminSet, affiliationList, configure, createInstantRoom, errorCondition, iqTo, join, joinError, occupantIdOf } from '../helpers/muc.ts';

describe('MUC persistence across a restart', () => {
  let server: RestartableServer;
  let open: Client[] = [];
  const login = async (u: string): Promise<Client> => {
    const c = await connectXmppjs({ port: server.ports.c2s, domain: server.domain, username: u, password: `${u}-secret`, mechanism: 'PLAIN' });
    open.push(c);
    return c;
  };
  const closeAll = async () => {
    await Promise.all(open.map(disconnect));
    open = [];
  };

  before(async () => {
    server = await startRestartableServer();
    const { config } = loadConfig(server.configPath);
    const storage = await createStorage(config);
    try {
      const accounts = new Accounts(storage, config.c2s.scram_hashes, config.auth.scram_iterations);
      for (const u of ['ann', 'bob', 'cid', 'eve']) await accounts.create(u, server.domain, `${u}-secret`);
    } finally {
      await storage.close();
    }
  });
  after(async () => {
    await closeAll();
    await server?.remove();
  });

  test('configuration, subject, affiliations, bans, history and occupant ids come back', async () => {
    const d = server.domain;
    const room = `keep@conference.${d}`;
    const temp = `gone@conference.${d}`;
    const [ann, bob] = await Promise.all([login('ann'), login('bob')]);
    await createInstantRoom(ann, room, 'Ann');
    assert.equal((await configure(ann, room, { 'muc#roomconfig_persistentroom': '1', 'muc#roomconfig_roomname': 'Keeper', 'muc#roomconfig_membersonly': '1' })).attrs.type, 'result');
    assert.equal((await adminSet(ann, room, [{ jid: `bob@${d}`, affiliation: 'member', nick: 'Bee' }, { jid: `cid@${d}`, affiliation: 'admin' }, { jid: `eve@${d}`, affiliation: 'outcast' }])).attrs.type, 'result');
    await send(ann, `<message to="${room}" type="groupchat"><subject>Kept</subject></message>`);
    await expectStanza(ann, `<message from="${room}/Ann"><subject>Kept</subject></message>`);
    const bobId = occupantIdOf((await join(bob, room, 'Bee')).self);
    await send(bob, `<message to="${room}" type="groupchat" id="k1"><body>before restart</body></message>`);
    await expectStanza(bob, `<message from="${room}/Bee" id="k1"/>`);
    await createInstantRoom(ann, temp, 'Ann');
    const membersBefore = await affiliationList(ann, room, 'member');
    await closeAll();

    await server.restart();

    const [ann2, bob2, eve] = await Promise.all([login('ann'), login('bob'), login('eve')]);
    const info = await iqTo(ann2, room, 'get', '<query xmlns="http://jabber.org/protocol/disco#info"/>');
    assert.equal(info.attrs.type, 'result', info.toString());
    assert.equal(info.getChild('query')!.getChild('identity')?.attrs.name, 'Keeper');
    const features = info.getChild('query')!.getChildren('feature').map((f) => f.attrs.var);
    assert.ok(features.includes('muc_persistent') && features.includes('muc_membersonly'));
    assert.deepEqual(await affiliationList(ann2, room, 'member'), membersBefore);
    assert.deepEqual(membersBefore, [{ affiliation: 'member', jid: `bob@${d}`, nick: 'Bee' }]);
    assert.deepEqual(await affiliationList(ann2, room, 'admin'), [{ affiliation: 'admin', jid: `cid@${d}` }]);
    assert.deepEqual((await affiliationList(ann2, room, 'owner')).map((i) => i.jid), [`ann@${d}`]);
    assert.equal(await joinError(eve, room, 'Eve'), 'forbidden');
    const j = await join(bob2, room, 'Bee', { history: { maxstanzas: '5' } });
    assert.equal(occupantIdOf(j.self), bobId, 'the occupant-id secret was stored with the room');
    assert.deepEqual(j.history.map((m) => m.getChildText('body')), ['before restart']);
    assert.equal(j.subject.getChildText('subject'), 'Kept');
    const tempInfo = await iqTo(ann2, temp, 'get', '<query xmlns="http://jabber.org/protocol/disco#info"/>');
    assert.equal(errorCondition(tempInfo), 'item-not-found', 'the temporary room is gone');
  });
});
