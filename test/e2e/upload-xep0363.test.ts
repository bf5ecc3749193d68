// XEP-0363 HTTP File Upload end to end: @xmpp/client asks for slots over XMPP, the bytes go over
// HTTPS with PUT, another account fetches them with GET (Range, conditional, CORS, headers).
// Scanning runs against a real clamd when installed (EICAR assembled at run time).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { startServer, type RunningServer } from '../helpers/server.ts';
import { connectXmppjs, disconnect, expectStanza, nextId, send, type Client } from '../helpers/xmppjs.ts';
import { httpReq } from '../helpers/https-request.ts';
import { errorCondition, putFile, requestSlot, requestSlotReply, NS_UPLOAD } from '../helpers/upload.ts';
import { skipUnless } from '../helpers/services.ts';
import { eicar, startClamd, type RunningClamd } from '../helpers/clamd.ts';

const service = 'upload.localhost';

describe('XEP-0363 HTTP File Upload', () => {
  let server: RunningServer;
  let clamd: RunningClamd | undefined;
  let alice: Client;
  let bob: Client;

  before(async () => {
    if (!skipUnless('clamd')) clamd = await startClamd();
    server = await startServer({
      config: { admins: ['alice@localhost'], modules: { upload: { max_file_size: 64 * 1024, quota_bytes: 200 * 1024, rate_slots: 12, ...(clamd ? { clamd: clamd.address } : {}) } } },
    });
    await server.adduser('alice', 'pw-a');
    await server.adduser('bob', 'pw-b');
    alice = await connectXmppjs({ port: server.ports.c2s, domain: 'localhost', username: 'alice', password: 'pw-a' });
    bob = await connectXmppjs({ port: server.ports.c2s, domain: 'localhost', username: 'bob', password: 'pw-b' });
  });

  after(async () => {
    if (alice) await disconnect(alice);
    if (bob) await disconnect(bob);
    await server?.stop();
    await clamd?.dispose();
  });

  test('the service is listed on the host and describes itself (XEP-0363 §3)', async () => {
    const id = nextId('items');
    await send(alice, `<iq type="get" id="${id}" to="localhost"><query xmlns="http://jabber.org/protocol/disco#items"/></iq>`);
    const items = await expectStanza(alice, `<iq type="result" id="${id}"/>`);
    assert.ok(items.getChild('query')!.getChildren('item').some((i) => i.attrs.jid === service));
    const id2 = nextId('info');
    await send(alice, `<iq type="get" id="${id2}" to="${service}"><query xmlns="http://jabber.org/protocol/disco#info"/></iq>`);
    const info = (await expectStanza(alice, `<iq type="result" id="${id2}"/>`)).getChild('query')!;
    assert.ok(info.getChildren('identity').some((i) => i.attrs.category === 'store' && i.attrs.type === 'file'));
    const features = info.getChildren('feature').map((f) => f.attrs.var);
    for (const f of [NS_UPLOAD, 'urn:xmpp:http:upload:purpose:0#message', 'urn:xmpp:http:upload:purpose:0#profile', 'urn:xmpp:http:upload:purpose:0#ephemeral']) assert.ok(features.includes(f), f);
    assert.ok(!features.includes('urn:xmpp:http:upload:purpose:0#permanent'), 'permanent is off unless configured');
    const form = info.getChild('x', 'jabber:x:data')!;
    const field = form.getChildren('field').find((f) => f.attrs.var === 'max-file-size');
    assert.equal(field?.getChildText('value'), String(64 * 1024));
  });

  test('a slot: percent-encoded name with its extension, one path for PUT and GET, Authorization header', async () => {
    const slot = await requestSlot(alice, service, { name: 'très cool.jpg', size: 100, type: 'image/jpeg' });
    assert.equal(slot.put, slot.get);
    assert.match(slot.get, /^https:\/\/localhost:\d+\/upload\/[A-Za-z0-9_-]{22}\/tr%C3%A8s%20cool\.jpg$/);
    assert.match(slot.headers.Authorization, /^Bearer /);
  });

  test('upload, then the other account downloads identical bytes with a matching ETag', async () => {
    const bytes = randomBytes(5000);
    const slot = await requestSlot(alice, service, { name: 'data.bin', size: bytes.length, type: 'application/octet-stream' });
    const put = await putFile(slot, bytes, 'application/octet-stream');
    assert.equal(put.status, 201, put.body.toString());
    const again = await putFile(slot, bytes, 'application/octet-stream');
    assert.equal(again.status, 409, 'a second PUT to the same slot is refused');
    const get = await httpReq(slot.get, { headers: { 'user-agent': 'bob-test' } });
    assert.equal(get.status, 200);
    assert.ok(get.body.equals(bytes), 'same bytes');
    assert.equal(get.headers.etag, `"${createHash('sha256').update(bytes).digest('hex')}"`);
    assert.equal(get.headers['content-disposition']?.startsWith('attachment'), true);
    assert.equal(get.headers['x-content-type-options'], 'nosniff');
    assert.equal(get.headers['access-control-allow-origin'], '*');
    assert.equal(get.headers['access-control-allow-credentials'], undefined);
  });

  test('PUT checks: no auth 403, wrong length 400, chunked 411, type mismatch 415', async () => {
    const bytes = randomBytes(300);
    const slot = await requestSlot(alice, service, { name: 'p.png', size: bytes.length, type: 'image/png' });
    assert.equal((await httpReq(slot.put, { method: 'PUT', body: bytes, headers: { 'content-type': 'image/png' } })).status, 403);
    assert.equal((await httpReq(slot.put, { method: 'PUT', body: bytes, headers: { authorization: 'Bearer AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA', 'content-type': 'image/png' } })).status, 403);
    assert.equal((await httpReq(slot.put, { method: 'PUT', body: bytes.subarray(0, 299), headers: { ...slot.headers, 'content-type': 'image/png' } })).status, 400);
    assert.equal((await httpReq(slot.put, { method: 'PUT', body: bytes, chunked: true, headers: { ...slot.headers, 'content-type': 'image/png' } })).status, 411);
    assert.equal((await putFile(slot, bytes, 'text/html')).status, 415);
    // The refusals left the slot usable.
    assert.equal((await putFile(slot, bytes, 'image/png')).status, 201);
    assert.equal((await httpReq(slot.get)).headers['content-disposition']?.startsWith('inline'), true, 'png is shown inline');
  });

  test('GET and HEAD: ranges, conditional requests, identical headers', async () => {
    const bytes = Buffer.from('0123456789abcdefghijklmnopqrstuvwxyz');
    const slot = await requestSlot(alice, service, { name: 'r.txt', size: bytes.length, type: 'text/plain' });
    assert.equal((await putFile(slot, bytes, 'text/plain')).status, 201);
    const r1 = await httpReq(slot.get, { headers: { range: 'bytes=0-9' } });
    assert.equal(r1.status, 206);
    assert.equal(r1.body.toString(), '0123456789');
    assert.equal(r1.headers['content-range'], `bytes 0-9/${bytes.length}`);
    const r2 = await httpReq(slot.get, { headers: { range: 'bytes=-5' } });
    assert.equal(r2.status, 206);
    assert.equal(r2.body.toString(), 'vwxyz');
    const r3 = await httpReq(slot.get, { headers: { range: 'bytes=999999999-' } });
    assert.equal(r3.status, 416);
    assert.equal(r3.headers['content-range'], `bytes */${bytes.length}`);
    const r4 = await httpReq(slot.get, { headers: { range: 'bytes=0-1,4-5' } });
    assert.equal(r4.status, 200, 'several ranges: the whole file');
    assert.ok(r4.body.equals(bytes));
    const full = await httpReq(slot.get);
    const c = await httpReq(slot.get, { headers: { 'if-none-match': full.headers.etag as string } });
    assert.equal(c.status, 304);
    const head = await httpReq(slot.get, { method: 'HEAD' });
    assert.equal(head.status, 200);
    assert.equal(head.body.length, 0);
    for (const h of ['content-type', 'content-length', 'etag', 'content-disposition', 'content-security-policy', 'cache-control', 'accept-ranges']) assert.equal(head.headers[h], full.headers[h], h);
    assert.equal(full.headers['content-disposition']?.startsWith('attachment'), true, 'text is a download');
  });

  test('svg and html are served as attachments in a sandbox', async () => {
    for (const [name, type] of [['x.svg', 'image/svg+xml'], ['x.html', 'text/html']]) {
      const body = Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>');
      const slot = await requestSlot(alice, service, { name, size: body.length, type });
      assert.equal((await putFile(slot, body, type)).status, 201);
      const get = await httpReq(slot.get);
      assert.match(String(get.headers['content-disposition']), /^attachment;/);
      assert.match(String(get.headers['content-security-policy']), /sandbox/);
      assert.equal(get.headers['x-content-type-options'], 'nosniff');
    }
  });

  test('CORS preflight for a PUT with Authorization, never with credentials', async () => {
    const slot = await requestSlot(alice, service, { name: 'c.bin', size: 10 });
    const pre = await httpReq(slot.put, { method: 'OPTIONS', headers: { origin: 'https://web.test', 'access-control-request-method': 'PUT', 'access-control-request-headers': 'authorization, content-type' } });
    assert.equal(pre.status, 204);
    assert.equal(pre.headers['access-control-allow-origin'], '*');
    assert.match(String(pre.headers['access-control-allow-methods']), /PUT/);
    assert.match(String(pre.headers['access-control-allow-headers']), /Authorization/);
    assert.equal(pre.headers['access-control-allow-credentials'], undefined);
  });

  test('too large: not-acceptable with <file-too-large><max-file-size/> (XEP-0363 §6)', async () => {
    const reply = await requestSlotReply(alice, service, { name: 'big.bin', size: 64 * 1024 + 1 });
    const e = errorCondition(reply);
    assert.equal(e.type, 'modify');
    assert.equal(e.condition, 'not-acceptable');
    assert.equal(e.app?.name, 'file-too-large');
    assert.equal(e.app?.attrs.xmlns, NS_UPLOAD);
    assert.equal(e.app?.getChildText('max-file-size'), String(64 * 1024));
  });

  test('bad requests: no filename, zero size, malformed type, past ephemeral stamp', async () => {
    for (const [file, extra] of [
      [{ name: '', size: 10 }, ''],
      [{ name: 'a', size: 0 }, ''],
      [{ name: 'a', size: 10, type: 'not a type' }, ''],
      [{ name: 'a', size: 10 }, '<ephemeral xmlns="urn:xmpp:http:upload:purpose:0" expire-before="2001-01-01T00:00:00Z"/>'],
    ] as const) {
      const e = errorCondition(await requestSlotReply(alice, service, file, extra));
      assert.equal(e.condition, 'bad-request', JSON.stringify(file) + extra);
    }
  });

  test('over quota: wait / resource-constraint with a UTC retry stamp', async () => {
    // bob has 200 KiB; three open 64 KiB slots reserve 192 KiB until their PUT deadline.
    for (let i = 0; i < 3; i++) await requestSlot(bob, service, { name: `q${i}.bin`, size: 64 * 1024 });
    const reply = await requestSlotReply(bob, service, { name: 'q3.bin', size: 64 * 1024 });
    const e = errorCondition(reply);
    assert.equal(e.type, 'wait');
    assert.equal(e.condition, 'resource-constraint');
    assert.equal(e.app?.name, 'retry');
    assert.match(e.app?.attrs.stamp ?? '', /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
    assert.ok(Date.parse(e.app!.attrs.stamp) > Date.now(), 'the stamp is in the future');
  });

  test('rate: more slots than allowed in the window get wait + retry', async () => {
    // alice has used some of her 12 slots above; ask until refused (bounded).
    let refused: ReturnType<typeof errorCondition> | null = null;
    for (let i = 0; i < 13 && !refused; i++) {
      const reply = await requestSlotReply(alice, service, { name: `r${i}.bin`, size: 1 });
      if (reply.attrs.type === 'error') refused = errorCondition(reply);
    }
    assert.ok(refused, 'the 13th slot at the latest is refused');
    assert.equal(refused.condition, 'resource-constraint');
    assert.equal(refused.app?.name, 'retry');
  });

  describe('malware scanning', { skip: skipUnless('clamd') }, () => {
    let carol: Client;
    let eicarUrl = '';
    before(async () => {
      await server.adduser('carol', 'pw-c');
      carol = await connectXmppjs({ port: server.ports.c2s, domain: 'localhost', username: 'carol', password: 'pw-c' });
    });
    after(async () => carol && disconnect(carol));

    test('the EICAR test file is refused with 422 and never served', async () => {
      const body = eicar();
      const slot = await requestSlot(carol, service, { name: 'eicar.com', size: body.length, type: 'application/octet-stream' });
      const put = await putFile(slot, body, 'application/octet-stream');
      eicarUrl = slot.get;
      assert.equal(put.status, 422);
      assert.match(put.body.toString(), /Parley\.Test\.EICAR/);
      assert.equal((await httpReq(slot.get)).status, 404);
      await server.waitForLog(/upload quarantined: malware detected/, 5000);
    });

    test('an admin lists the quarantine and releases the file with ad-hoc commands (XEP-0050)', async () => {
      const NS_CMD = 'http://jabber.org/protocol/commands';
      const NODE = 'urn:parley:files:admin:0';
      const run = async (c: Client, inner: string) => {
        const id = nextId('cmd');
        await send(c, `<iq type="set" id="${id}" to="localhost">${inner}</iq>`);
        return expectStanza(c, (el) => el.name === 'iq' && el.attrs.id === id);
      };
      const denied = await run(bob, `<command xmlns="${NS_CMD}" node="${NODE}#quarantine-list" action="execute"/>`);
      assert.equal(denied.attrs.type, 'error', 'not for non-admins');
      const list = await run(alice, `<command xmlns="${NS_CMD}" node="${NODE}#quarantine-list" action="execute"/>`);
      const items = list.getChild('command')!.getChild('x', 'jabber:x:data')!.getChildren('item');
      const field = (item: (typeof items)[number], v: string) => item.getChildren('field').find((f) => f.attrs.var === v)?.getChildText('value');
      const eicarItem = items.find((i) => field(i, 'name') === 'eicar.com');
      assert.ok(eicarItem, list.toString());
      assert.equal(field(eicarItem, 'signature'), 'Parley.Test.EICAR.UNOFFICIAL');
      const first = await run(alice, `<command xmlns="${NS_CMD}" node="${NODE}#quarantine-release" action="execute"/>`);
      const sid = first.getChild('command')!.attrs.sessionid;
      const done = await run(alice, `<command xmlns="${NS_CMD}" node="${NODE}#quarantine-release" sessionid="${sid}" action="complete"><x xmlns="jabber:x:data" type="submit">
        <field var="FORM_TYPE"><value>${NODE}</value></field><field var="id"><value>${field(eicarItem, 'id')}</value></field></x></command>`);
      assert.equal(done.getChild('command')?.attrs.status, 'completed', done.toString());
      assert.equal((await httpReq(eicarUrl)).body.toString('latin1'), eicar().toString('latin1'), 'the released file is served again');
    });

    test('clamd down: 503 with Retry-After (fail closed); the same slot works once clamd is back', async () => {
      const body = randomBytes(1000);
      const slot = await requestSlot(carol, service, { name: 'later.bin', size: body.length });
      await clamd!.stop();
      try {
        const put = await putFile(slot, body);
        assert.equal(put.status, 503);
        assert.equal(put.headers['retry-after'], '60');
        assert.equal((await httpReq(slot.get)).status, 404);
      } finally {
        await clamd!.start();
      }
      const retry = await putFile(slot, body);
      assert.equal(retry.status, 201, retry.body.toString());
      assert.ok((await httpReq(slot.get)).body.equals(body));
    });
  });
});
