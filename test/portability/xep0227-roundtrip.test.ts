// The XEP-0227 conversions without storage: what userElement writes, parseUser reads back the same,
// and the streaming reader hands over each <user/> with its namespaces intact.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseUser, userElement, type UserData } from '../../src/portability/xep0227.ts';
import { countUsers, readUsers } from '../../src/portability/reader.ts';
import { parseElement } from '../../src/xml/parse-element.ts';

const el = (s: string) => parseElement(s)!;

const sample: UserData = {
  username: 'alice',
  domain: 'example.org',
  credentials: { 'SHA-256': { hash: 'SHA-256', iterations: 4096, salt: 'c2FsdA==', storedKey: 'c3RvcmVk', serverKey: 'c2VydmVy' } },
  roster: [{ jid: 'bob@example.org', name: 'Bob', subscription: 'both', ask: false, approved: false, groups: ['Work', 'Friends'] }, { jid: 'carol@example.net', subscription: 'none', ask: true, approved: true, groups: [] }],
  pending: [{ jid: 'dave@example.com', stanza: el(`<presence xmlns='jabber:client' from='dave@example.com' to='alice@example.org' type='subscribe'/>`) }],
  vcard: el(`<vCard xmlns='vcard-temp'><FN>Alice</FN></vCard>`),
  privateXml: [el(`<notes xmlns='urn:example:notes'>n &amp; m</notes>`)],
  offline: [el(`<message xmlns='jabber:client' from='bob@example.org/x' to='alice@example.org' type='chat'><body>hi</body></message>`)],
  pep: [{ node: 'urn:xmpp:avatar:metadata', config: { 'pubsub#access_model': 'presence', 'pubsub#max_items': '1' }, items: [{ id: 'abc', payload: el(`<metadata xmlns='urn:xmpp:avatar:metadata'/>`), publisher: 'alice@example.org/phone' }] }],
  archive: [{ id: 'A1', timestamp: Date.parse('2024-05-06T07:08:09.000Z'), message: el(`<message xmlns='jabber:client' from='alice@example.org/phone' to='bob@example.org' type='chat'><body>yo</body></message>`) }],
  blocklist: ['spam@example.com'],
};

test('userElement and parseUser are inverse', () => {
  const text = userElement(sample).toString();
  const back = parseUser(el(text), 'example.org');
  assert.deepEqual(JSON.parse(JSON.stringify({ ...back, pending: back.pending.map((p) => [p.jid, p.stanza.toString()]), vcard: back.vcard?.toString(), privateXml: back.privateXml.map(String), offline: back.offline.map(String), pep: back.pep.map((n) => ({ ...n, items: n.items.map((i) => ({ ...i, payload: i.payload.toString() })) })), archive: back.archive.map((a) => ({ ...a, message: a.message.toString() })) })),
    JSON.parse(JSON.stringify({ ...sample, pending: sample.pending.map((p) => [p.jid, p.stanza.toString()]), vcard: sample.vcard?.toString(), privateXml: sample.privateXml.map(String), offline: sample.offline.map(String), pep: sample.pep.map((n) => ({ ...n, items: n.items.map((i) => ({ ...i, payload: i.payload.toString() })) })), archive: sample.archive.map((a) => ({ ...a, message: a.message.toString() })) })));
});

test('incomplete SCRAM credentials are an error; unknown mechanisms and extensions are skipped', () => {
  assert.throws(() => parseUser(el(`<user xmlns='urn:xmpp:pie:0' name='x'><scram-credentials xmlns='urn:xmpp:pie:0#scram' mechanism='SCRAM-SHA-1'><iter-count>4096</iter-count></scram-credentials></user>`), 'example.org'), /incomplete SCRAM-SHA-1 credentials/);
  const u = parseUser(el(`<user xmlns='urn:xmpp:pie:0' name='x' password='pw'><scram-credentials xmlns='urn:xmpp:pie:0#scram' mechanism='SCRAM-SHA3-512'/><foo xmlns='urn:example'/></user>`), 'example.org');
  assert.deepEqual(u.credentials, {});
  assert.equal(u.password, 'pw');
});

test('the reader streams users with inherited namespaces and refuses a DOCTYPE', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'pie-'));
  try {
    const file = join(dir, 'a.xml');
    // Offline messages without their own xmlns inherit urn:xmpp:pie:0 and must become jabber:client.
    writeFileSync(file, `<?xml version='1.0'?><server-data xmlns='urn:xmpp:pie:0' xmlns:v='vcard-temp'><host jid='a.example'><user name='u1'><v:vCard><v:FN>One</v:FN></v:vCard><offline-messages><message to='u1@a.example'><body>x</body></message></offline-messages></user><user name='u2'/></host><host jid='b.example'><user name='u3'/></host></server-data>`);
    assert.equal(await countUsers(file), 3);
    const seen = [];
    for await (const r of readUsers(file)) seen.push(parseUser(r.user, r.host));
    assert.deepEqual(seen.map((u) => `${u.username}@${u.domain}`), ['u1@a.example', 'u2@a.example', 'u3@b.example']);
    assert.equal(seen[0].offline[0].getNS(), 'jabber:client');
    assert.equal(seen[0].vcard?.getChildText('FN', 'vcard-temp'), 'One');
    // Stored on its own, the prefixed vCard still declares its prefix.
    assert.equal(parseElement(seen[0].vcard!.toString())?.getChildText('FN', 'vcard-temp'), 'One');
    const evil = join(dir, 'b.xml');
    writeFileSync(evil, `<?xml version='1.0'?><!DOCTYPE x [<!ENTITY e SYSTEM 'file:///etc/passwd'>]><server-data xmlns='urn:xmpp:pie:0'><host jid='a'><user name='&e;'/></host></server-data>`);
    await assert.rejects(async () => {
      for await (const _ of readUsers(evil)) void _;
    }, /DOCTYPE/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
