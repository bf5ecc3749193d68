// A Parley server on the PostgreSQL driver (storage.driver = "postgres", a fresh schema of the
// `test` database): accounts created through the storage layer log in, a chat message goes
// from one client to the other, a message to an offline account waits in PostgreSQL and is
// delivered on its next available presence (XEP-0160), and a roster set (RFC 6121 §2.3) is
// stored in PostgreSQL and still there after logging in again.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { addUsers } from '../helpers/accounts.ts';
import { dropSchema, freshSchemaName, pgTestUrl, withPgClient } from '../helpers/postgres.ts';
import { expectPush, getRoster, setRoster } from '../helpers/roster.ts';
import { startServer, type RunningServer } from '../helpers/server.ts';
import { skipUnless } from '../helpers/services.ts';
import { becomeAvailable, connectXmppjs, disconnect, expectStanza, send, sync, type Client } from '../helpers/xmppjs.ts';

const query = <R>(sql: string, params: unknown[] = []) => withPgClient(async (c) => (await c.query(sql, params)).rows as R[]);

describe('server on the PostgreSQL storage driver', { skip: skipUnless('postgres') }, () => {
  const schema = freshSchemaName('parley_e2e');
  let server: RunningServer;
  let d: string;
  const open: Client[] = [];
  const login = async (username: string, resource?: string) => {
    const c = await connectXmppjs({ port: server.ports.c2s, domain: d, username, password: `${username}-secret`, resource, mechanism: 'PLAIN' });
    open.push(c);
    return c;
  };
  const logout = async (c: Client) => {
    open.splice(open.indexOf(c), 1);
    await disconnect(c);
  };

  before(async () => {
    server = await startServer({ config: { storage: { driver: 'postgres', url: pgTestUrl, schema, pool_size: 4 } } });
    d = server.domain;
    await addUsers(server, ['alice', 'bob']);
  });
  after(async () => {
    await Promise.all(open.map(disconnect));
    await server?.stop();
    await dropSchema(schema);
  });

  test('the accounts live in PostgreSQL (no SQLite file) and log in', async () => {
    const rows = await query<{ username: string }>(`SELECT username FROM ${schema}.accounts WHERE domain = $1 ORDER BY username`, [d]);
    assert.deepEqual(rows.map((r) => r.username), ['alice', 'bob']);
    assert.equal(existsSync(join(server.dataDir, 'parley.sqlite')), false);
    const alice = await login('alice', 'pc');
    await logout(alice);
  });

  test('a chat message goes from alice to bob', async () => {
    const alice = await login('alice', 'pc');
    const bob = await login('bob', 'phone');
    await becomeAvailable(bob, d);
    await send(alice, `<message to="bob@${d}" type="chat" id="pg1"><body>over PostgreSQL</body></message>`);
    await expectStanza(bob, `<message from="alice@${d}/pc" type="chat" id="pg1"><body>over PostgreSQL</body></message>`);
    await logout(alice);
    await logout(bob);
  });

  test('a message to an offline account is stored in PostgreSQL and delivered on its next presence', async () => {
    const alice = await login('alice', 'pc');
    await send(alice, `<message to="bob@${d}" type="chat" id="pg2"><body>while you were out</body></message>`);
    await sync(alice, d);
    const stored = await query<{ stanza: string }>(`SELECT stanza FROM ${schema}.offline WHERE domain = $1 AND username = 'bob'`, [d]);
    assert.equal(stored.length, 1);
    assert.match(stored[0].stanza, /while you were out/);
    const bob = await login('bob', 'phone');
    await becomeAvailable(bob, d);
    await expectStanza(bob, `<message from="alice@${d}/pc" id="pg2"><body>while you were out</body><delay xmlns="urn:xmpp:delay"/></message>`);
    await logout(alice);
    await logout(bob);
  });

  test('a roster set is stored in PostgreSQL and comes back after logging in again', async () => {
    let alice = await login('alice', 'pc');
    await getRoster(alice);
    const res = await setRoster(alice, `<item jid="bob@${d}" name="Bob"><group>Friends</group></item>`);
    assert.equal(res.attrs.type, 'result', res.toString());
    await expectPush(alice, `bob@${d}`, { name: 'Bob', subscription: 'none' });
    const rows = await query<{ jid: string; name: string; groups: string }>(`SELECT jid, name, groups FROM ${schema}.roster_items WHERE domain = $1 AND username = 'alice'`, [d]);
    assert.deepEqual(rows, [{ jid: `bob@${d}`, name: 'Bob', groups: '["Friends"]' }]);
    await logout(alice);
    alice = await login('alice', 'laptop');
    const roster = await getRoster(alice);
    assert.deepEqual(roster.items, [{ jid: `bob@${d}`, name: 'Bob', subscription: 'none', groups: ['Friends'] }]);
    await logout(alice);
  });

  test('no module logged an error on this driver', () => {
    const errors = server.logs().split('\n').filter((l) => /"level":(50|60)/.test(l));
    assert.deepEqual(errors, []);
  });
});
