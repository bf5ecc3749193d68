// parley export / import (XEP-0227): a SQLite server's accounts with their data go to a file and
// into a PostgreSQL storage, where the users log in with the same passwords and find their roster,
// vCard, private XML, offline messages and archive; a second import changes nothing; a Prosody-
// style file (SCRAM keys, a plaintext password, unprefixed stanzas) imports into SQLite.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'smol-toml';
import { startServer, type RunningServer } from '../helpers/server.ts';
import { RawXmpp } from '../helpers/raw.ts';
import { runParley } from '../helpers/parley-cli.ts';
import { dropSchema, freshSchemaName, pgTestUrl } from '../helpers/postgres.ts';
import { skipUnless } from '../helpers/services.ts';
import { deriveScramCredentials } from '../../src/sasl/index.ts';

const login = (s: RunningServer, username: string, password: string, resource = 'r') =>
  RawXmpp.login({ port: s.ports.c2s, domain: 'localhost', username, password, bind: true, resource });

async function iq(c: RawXmpp, id: string, body: string, type = 'get'): Promise<string> {
  c.write(`<iq type='${type}' id='${id}'>${body}</iq>`);
  return c.waitFor(new RegExp(`<iq[^>]*id=["']${id}["'][^>]*(/>|>[\\s\\S]*?</iq>)`));
}

describe('XEP-0227 export and import', () => {
  const dir = mkdtempSync(join(tmpdir(), 'parley-pie-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  describe('SQLite -> file -> PostgreSQL', { skip: skipUnless('postgres') }, () => {
    let a: RunningServer;
    let b: RunningServer | undefined;
    const schema = freshSchemaName('parley_pie');
    const file = join(dir, 'export.xml');
    const storage = { driver: 'postgres', url: pgTestUrl, schema };

    before(async () => {
      a = await startServer();
      await a.adduser('alice', 'alice-pw');
      await a.adduser('bob', 'bob-pw');
      const alice = await login(a, 'alice', 'alice-pw');
      try {
        await iq(alice, 'r1', `<query xmlns='jabber:iq:roster'><item jid='bob@localhost' name='Bobby'><group>Friends</group></item></query>`, 'set');
        await iq(alice, 'v1', `<vCard xmlns='vcard-temp'><FN>Alice Liddell</FN></vCard>`, 'set');
        await iq(alice, 'p1', `<query xmlns='jabber:iq:private'><notes xmlns='urn:example:notes'>keep me</notes></query>`, 'set');
        alice.write(`<message to='bob@localhost' type='chat' id='m1'><body>while you were out</body></message>`);
        // Bob is offline: the message waits for him and is in Alice's archive.
        await iq(alice, 'ping', `<ping xmlns='urn:xmpp:ping'/>`);
      } finally {
        alice.destroy();
      }
    });
    after(async () => {
      await a?.stop();
      await b?.stop();
      await dropSchema(schema);
    });

    test('export writes every account with its data', async () => {
      const r = await a.cli(['export', file]);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stderr, /exported 2 accounts of localhost/);
      const text = readFileSync(file, 'utf8');
      assert.match(text, /^<\?xml[^>]*>\n<server-data xmlns='urn:xmpp:pie:0'>/);
      assert.equal((text.match(/<scram-credentials xmlns="urn:xmpp:pie:0#scram" mechanism="SCRAM-SHA-(1|256|512)">/g) ?? []).length, 6);
      assert.match(text, /<item jid="bob@localhost" name="Bobby" subscription="none"><group>Friends<\/group><\/item>/);
      assert.match(text, /<FN>Alice Liddell<\/FN>/);
      assert.match(text, /<notes xmlns="urn:example:notes">keep me<\/notes>/);
      assert.match(text, /<user name="bob">[\s\S]*<offline-messages><message[^>]*>[\s\S]*while you were out/);
      assert.match(text, /<archive xmlns="urn:xmpp:pie:0#mam"><result xmlns="urn:xmpp:mam:2" id="[^"]+"><forwarded xmlns="urn:xmpp:forward:0"><delay xmlns="urn:xmpp:delay" stamp="[^"]+"\/><message/);
      assert.doesNotMatch(text, /alice-pw|bob-pw/, 'no password in the file');
    });

    test('import into PostgreSQL is idempotent and users log in with their passwords', async () => {
      const cfg = join(dir, 'pg.toml');
      writeFileSync(cfg, stringify({ domains: ['localhost'], data_dir: join(dir, 'pgdata'), storage, auth: { scram_iterations: 4096 } }));
      const first = await runParley(['import', file, '--config', cfg]);
      assert.equal(first.code, 0, first.stderr);
      assert.match(first.stdout, /imported: 2 created, 0 updated/);
      const again = await runParley(['import', file, '--config', cfg]);
      assert.equal(again.code, 0, again.stderr);
      assert.match(again.stdout, /imported: 0 created, 2 updated/);
      // Resuming: accounts listed in the state file are not written again.
      writeFileSync(`${file}.import-state`, 'alice@localhost\n');
      const resumed = await runParley(['import', file, '--config', cfg]);
      assert.match(resumed.stderr, /resuming: 1 accounts/);
      assert.match(resumed.stdout, /0 created, 1 updated, 0 skipped \(existing\), 1 done before/);

      b = await startServer({ config: { storage } });
      const alice = await login(b, 'alice', 'alice-pw');
      try {
        assert.match(await iq(alice, 'r', `<query xmlns='jabber:iq:roster'/>`), /<item[^>]*jid=["']bob@localhost["'][^>]*>\s*<group>Friends<\/group>/);
        assert.match(await iq(alice, 'v', `<vCard xmlns='vcard-temp'/>`), /<FN>Alice Liddell<\/FN>/);
        assert.match(await iq(alice, 'p', `<query xmlns='jabber:iq:private'><notes xmlns='urn:example:notes'/></query>`), /keep me/);
        alice.write(`<iq type='set' id='mam'><query xmlns='urn:xmpp:mam:2' queryid='q1'/></iq>`);
        const mam = await alice.waitFor(/<iq[^>]*id=["']mam["'][\s\S]*?<\/iq>/);
        assert.match(mam, /<result xmlns=["']urn:xmpp:mam:2["'] queryid=["']q1["'][\s\S]*while you were out/);
      } finally {
        alice.destroy();
      }
      const bob = await login(b, 'bob', 'bob-pw');
      try {
        bob.write(`<presence/>`);
        await bob.waitFor(/<body>while you were out<\/body>/);
      } finally {
        bob.destroy();
      }
      const wrong = await RawXmpp.login({ port: b.ports.c2s, domain: 'localhost', username: 'alice', password: 'nope' }).then((c) => (c.destroy(), 'ok'), () => 'refused');
      assert.equal(wrong, 'refused');
    });
  });

  test('a Prosody-style file imports: SCRAM keys, a plaintext password, roster, pending request, offline, PEP, archive', async () => {
    const c = await deriveScramCredentials('juliet-pw', 'SHA-1', 4096);
    const file = join(dir, 'prosody.xml');
    writeFileSync(file, `<?xml version='1.0' encoding='UTF-8'?>
<server-data xmlns='urn:xmpp:pie:0'>
  <host jid='localhost'>
    <user name='juliet'>
      <scram-credentials xmlns='urn:xmpp:pie:0#scram' mechanism='SCRAM-SHA-1'>
        <iter-count>${c.iterations}</iter-count>
        <salt>${c.salt}</salt>
        <server-key>${c.serverKey}</server-key>
        <stored-key>${c.storedKey}</stored-key>
      </scram-credentials>
      <query xmlns='jabber:iq:roster'>
        <item jid='romeo@localhost' name='Romeo' subscription='both'><group>Montague</group></item>
        <item jid='nurse@example.org' subscription='none' ask='subscribe'/>
      </query>
      <presence from='tybalt@example.org' to='juliet@localhost' type='subscribe'/>
      <vCard xmlns='vcard-temp'><FN>Juliet Capulet</FN></vCard>
      <query xmlns='jabber:iq:private'><storage xmlns='storage:bookmarks'><conference jid='balcony@conference.localhost' autojoin='true'/></storage></query>
      <offline-messages>
        <message from='romeo@localhost/orchard' to='juliet@localhost' type='chat'><body>Wherefore art thou?</body><delay xmlns='urn:xmpp:delay' stamp='2010-01-01T10:00:00Z'/></message>
      </offline-messages>
      <pubsub xmlns='http://jabber.org/protocol/pubsub#owner'><configure node='urn:xmpp:avatar:metadata'><x xmlns='jabber:x:data' type='submit'><field var='pubsub#access_model'><value>presence</value></field></x></configure></pubsub>
      <pubsub xmlns='http://jabber.org/protocol/pubsub'><items node='urn:xmpp:avatar:metadata'><item id='abc'><metadata xmlns='urn:xmpp:avatar:metadata'/></item></items></pubsub>
      <archive xmlns='urn:xmpp:pie:0#mam'>
        <result xmlns='urn:xmpp:mam:2' id='28482-98726-73623'><forwarded xmlns='urn:xmpp:forward:0'><delay xmlns='urn:xmpp:delay' stamp='2010-07-10T23:08:25Z'/><message xmlns='jabber:client' from='juliet@localhost/balcony' to='romeo@localhost' type='chat'><body>Call me but love</body></message></forwarded></result>
      </archive>
      <x xmlns='urn:example:unknown'>ignored</x>
    </user>
    <user name='romeo' password='romeo-pw'/>
  </host>
  <host jid='elsewhere.example'><user name='mercutio' password='x'/></host>
</server-data>
`);
    const s = await startServer();
    try {
      const r = await s.cli(['import', file]);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /imported: 2 created, 0 updated/);
      assert.match(r.stderr, /1 accounts of domains this server does not serve were left out: elsewhere\.example/);
      const romeo = await login(s, 'romeo', 'romeo-pw');
      romeo.destroy();
      const juliet = await login(s, 'juliet', 'juliet-pw');
      try {
        const roster = await iq(juliet, 'r', `<query xmlns='jabber:iq:roster'/>`);
        assert.match(roster, /jid=["']romeo@localhost["'][^>]*subscription=["']both["']|subscription=["']both["'][^>]*jid=["']romeo@localhost["']/);
        assert.match(roster, /jid=["']nurse@example\.org["'][^>]*ask=["']subscribe["']|ask=["']subscribe["'][^>]*jid=["']nurse@example\.org["']/);
        assert.match(await iq(juliet, 'b', `<query xmlns='jabber:iq:private'><storage xmlns='storage:bookmarks'/></query>`), /balcony@conference\.localhost/);
        assert.match(await iq(juliet, 'v', `<vCard xmlns='vcard-temp'/>`), /Juliet Capulet/);
        assert.match(await iq(juliet, 'pep', `<pubsub xmlns='http://jabber.org/protocol/pubsub'><items node='urn:xmpp:avatar:metadata'/></pubsub>`), /<item id=["']abc["']>\s*<metadata xmlns=["']urn:xmpp:avatar:metadata["']/);
        juliet.write(`<iq type='set' id='mam'><query xmlns='urn:xmpp:mam:2' queryid='q'/></iq>`);
        assert.match(await juliet.waitFor(/<iq[^>]*id=["']mam["'][\s\S]*?<\/iq>/), /Call me but love[\s\S]*stamp=["']2010-07-10T23:08:25/);
        juliet.write(`<presence/>`);
        await juliet.waitFor(/<message[^>]*from=["']romeo@localhost\/orchard["'][\s\S]*Wherefore art thou\?/);
        await juliet.waitFor(/<presence[^>]*from=["']tybalt@example\.org["'][^>]*type=["']subscribe["']|<presence[^>]*type=["']subscribe["'][^>]*from=["']tybalt@example\.org["']/);
      } finally {
        juliet.destroy();
      }
    } finally {
      await s.stop();
    }
  });

  test('a file that is not XEP-0227 is refused with a reason', async () => {
    const file = join(dir, 'bad.xml');
    writeFileSync(file, `<roster xmlns='jabber:iq:roster'/>`);
    const s = await startServer();
    try {
      const r = await s.cli(['import', file]);
      assert.equal(r.code, 1);
      assert.match(r.stderr, /not a XEP-0227 file: root <roster>/);
    } finally {
      await s.stop();
    }
  });
});
