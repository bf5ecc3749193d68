// XEP-0313 Message Archive Management end to end with @xmpp/client: what gets archived (and
// stamped with an XEP-0359 stanza-id), paging with XEP-0059 in both directions, the query form
// filters (with, start/end, #extended ids/after-id/before-id), errors, preferences and metadata.
import { after, afterEach, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, type RunningServer } from '../helpers/server.ts';
import { becomeAvailable, connectXmppjs, disconnect, expectStanza, send, sync, type Client } from '../helpers/xmppjs.ts';
import { iq, MAM, mamQuery, mamQueryError, stanzaIds, type MamResult } from '../helpers/mam.ts';

const SID = 'urn:xmpp:sid:0';

describe('MAM with @xmpp/client', () => {
  let server: RunningServer;
  let d: string;
  let open: Client[] = [];

  const login = async (username: string, resource?: string): Promise<Client> => {
    const c = await connectXmppjs({ port: server.ports.c2s, domain: d, username, password: `${username}-secret`, resource, mechanism: 'PLAIN' });
    open.push(c);
    return c;
  };

  /** Walk the whole archive forwards with RSM max=n; returns every page. Bounded to 50 pages. */
  const walk = async (c: Client, n: number, extra: Parameters<typeof mamQuery>[1] = {}) => {
    const pages: Array<{ ids: string[]; complete: string | undefined; results: MamResult[] }> = [];
    let cursor: string | undefined;
    for (let i = 0; i < 50; i++) {
      const { results, fin } = await mamQuery(c, { ...extra, max: n, after: cursor });
      pages.push({ ids: results.map((r) => r.id), complete: fin.complete, results });
      if (fin.complete === 'true') return pages;
      assert.equal(fin.last, results.at(-1)?.id, 'RSM <last/> names the last result');
      cursor = fin.last;
    }
    throw new Error('archive walk did not end within 50 pages');
  };

  before(async () => {
    server = await startServer();
    d = server.domain;
    await Promise.all(['alice', 'bob', 'carol', 'dave', 'erin'].map((u) => server.adduser(u, `${u}-secret`)));
  });
  afterEach(async () => {
    await Promise.all(open.map(disconnect));
    open = [];
  });
  after(async () => {
    await server?.stop();
  });

  describe('archiving and paging (one conversation of 7 messages)', () => {
    let stamped: string[] = [];
    let aliceJid = '';

    before(async () => {
      const alice = await connectXmppjs({ port: server.ports.c2s, domain: d, username: 'alice', password: 'alice-secret', mechanism: 'PLAIN', resource: 'desk' });
      const bob = await connectXmppjs({ port: server.ports.c2s, domain: d, username: 'bob', password: 'bob-secret', mechanism: 'PLAIN' });
      aliceJid = String(alice.jid);
      await becomeAvailable(bob, d);
      try {
        for (let i = 1; i <= 7; i++) {
          await send(alice, `<message to="bob@${d}" type="chat" id="c${i}"><body>m${i}</body></message>`);
          const got = await expectStanza(bob, `<message id="c${i}"><body>m${i}</body></message>`);
          const ids = stanzaIds(got);
          assert.equal(ids.length, 1, `one stanza-id on ${got.toString()}`);
          assert.equal(ids[0].by, `bob@${d}`);
          stamped.push(ids[0].id);
          // Distinct milliseconds, so time filters below can split the conversation.
          await new Promise((r) => setTimeout(r, 15));
        }
        // Not archived: a chat state alone (§3: state changes) and an XEP-0334 no-store hint.
        await send(alice, `<message to="bob@${d}" type="chat" id="cs"><active xmlns="http://jabber.org/protocol/chatstates"/></message>`);
        await send(alice, `<message to="bob@${d}" type="chat" id="ns"><body>forget me</body><no-store xmlns="urn:xmpp:hints"/></message>`);
        const cs = await expectStanza(bob, `<message id="cs"/>`);
        const ns = await expectStanza(bob, `<message id="ns"/>`);
        assert.deepEqual(stanzaIds(cs), []);
        assert.deepEqual(stanzaIds(ns), []);
      } finally {
        await Promise.all([disconnect(alice), disconnect(bob)]);
      }
    });

    test('RSM max=2 then after= walks the recipient archive once, in order, ending with complete=true', async () => {
      const bob = await login('bob');
      const pages = await walk(bob, 2);
      assert.deepEqual(pages.map((p) => p.ids.length), [2, 2, 2, 1]);
      assert.deepEqual(pages.map((p) => p.complete), ['false', 'false', 'false', 'true']);
      const all = pages.flatMap((p) => p.results);
      assert.deepEqual(all.map((r) => r.body), ['m1', 'm2', 'm3', 'm4', 'm5', 'm6', 'm7']);
      // The stanza-id stamped on delivery is the archive id (XEP-0313 §3.5).
      assert.deepEqual(all.map((r) => r.id), stamped);
      for (const r of all) {
        assert.equal(r.from, `bob@${d}`, 'results come from the archive JID (§8.2)');
        assert.equal(r.message.attrs.from, aliceJid);
        assert.equal(r.message.attrs.to, `bob@${d}`);
        assert.match(r.stamp, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/);
        assert.equal(r.message.attrs.xmlns, 'jabber:client');
      }
    });

    test('the sender has its own copy of each message, with its own ids', async () => {
      const alice = await login('alice');
      const { results, fin } = await mamQuery(alice, { with: `bob@${d}` });
      assert.deepEqual(results.map((r) => r.body), ['m1', 'm2', 'm3', 'm4', 'm5', 'm6', 'm7']);
      assert.equal(fin.complete, 'true');
      assert.equal(fin.count, '7');
      for (const r of results) assert.ok(!stamped.includes(r.id), 'ids belong to one archive');
      // The copy the recipient got carried a stanza-id; the sender's archived copy never does.
      for (const r of results) assert.deepEqual(r.message.getChildren('stanza-id', SID), []);
    });

    test('backwards: an empty <before/> gives the last page, then before= pages back to complete=true', async () => {
      const bob = await login('bob');
      const last = await mamQuery(bob, { max: 3, before: '' });
      assert.deepEqual(last.results.map((r) => r.body), ['m5', 'm6', 'm7']);
      assert.equal(last.fin.complete, 'false');
      assert.equal(last.fin.first, stamped[4]);
      assert.equal(last.fin.firstIndex, '4');
      assert.equal(last.fin.count, '7');
      const mid = await mamQuery(bob, { max: 3, before: last.fin.first });
      assert.deepEqual(mid.results.map((r) => r.body), ['m2', 'm3', 'm4']);
      assert.equal(mid.fin.complete, 'false');
      const first = await mamQuery(bob, { max: 3, before: mid.fin.first });
      assert.deepEqual(first.results.map((r) => r.body), ['m1']);
      assert.equal(first.fin.complete, 'true');
    });

    test('flip-page sends the same page newest first', async () => {
      const bob = await login('bob');
      const { results, fin } = await mamQuery(bob, { max: 3, before: '', flip: true });
      assert.deepEqual(results.map((r) => r.body), ['m7', 'm6', 'm5']);
      assert.equal(fin.first, stamped[4]);
      assert.equal(fin.last, stamped[6]);
    });

    test('start and end select by archive time, both inclusive', async () => {
      const bob = await login('bob');
      const all = (await mamQuery(bob, {})).results;
      const start = all[2].stamp;
      const end = all[4].stamp;
      const { results, fin } = await mamQuery(bob, { start, end });
      assert.deepEqual(results.map((r) => r.body), ['m3', 'm4', 'm5']);
      assert.equal(fin.complete, 'true');
      assert.deepEqual((await mamQuery(bob, { start: all[6].stamp })).results.map((r) => r.body), ['m7']);
      assert.deepEqual((await mamQuery(bob, { end: all[0].stamp })).results.map((r) => r.body), ['m1']);
      assert.deepEqual((await mamQuery(bob, { start: '2000-01-01T00:00:00Z', end: '2000-01-02T00:00:00+02:00' })).results, []);
    });

    test('#extended: ids picks messages; after-id and before-id bound the result set', async () => {
      const bob = await login('bob');
      const picked = await mamQuery(bob, { ids: [stamped[5], stamped[1]] });
      assert.deepEqual(picked.results.map((r) => r.body), ['m2', 'm6']);
      const between = await mamQuery(bob, { afterId: stamped[1], beforeId: stamped[5], max: 2 });
      assert.deepEqual(between.results.map((r) => r.body), ['m3', 'm4']);
      assert.equal(between.fin.complete, 'false');
      assert.equal(between.fin.count, '3');
      const rest = await mamQuery(bob, { afterId: stamped[1], beforeId: stamped[5], max: 2, after: between.fin.last });
      assert.deepEqual(rest.results.map((r) => r.body), ['m5']);
      assert.equal(rest.fin.complete, 'true');
    });

    test('an id the archive does not hold is item-not-found, wherever it is named', async () => {
      const bob = await login('bob');
      const alice = await login('alice');
      const aliceId = (await mamQuery(alice, { max: 1 })).results[0].id;
      assert.equal(await mamQueryError(bob, { max: 2, after: 'no-such-id' }), 'item-not-found');
      assert.equal(await mamQueryError(bob, { max: 2, before: 'no-such-id' }), 'item-not-found');
      assert.equal(await mamQueryError(bob, { afterId: aliceId }), 'item-not-found');
      assert.equal(await mamQueryError(bob, { ids: [stamped[0], 'no-such-id'] }), 'item-not-found');
      // A guessed id: right time part, wrong random part.
      const guessed = stamped[0].slice(0, -1) + (stamped[0].endsWith('0') ? '1' : '0');
      assert.equal(await mamQueryError(bob, { ids: [guessed] }), 'item-not-found');
    });

    test('bad requests: unknown form field, bad time, RSM index, someone else\'s archive', async () => {
      const bob = await login('bob');
      const alice = await login('alice');
      assert.equal(await mamQueryError(bob, { rawFields: '<field var="{urn:example}full-text"><value>x</value></field>' }), 'feature-not-implemented');
      assert.equal(await mamQueryError(bob, { start: 'yesterday' }), 'bad-request');
      assert.equal(await mamQueryError(bob, { max: 2, index: 3 }), 'feature-not-implemented');
      assert.equal(await mamQueryError(alice, { to: `bob@${d}` }), 'forbidden');
    });

    test('RSM max=0 returns the count only', async () => {
      const bob = await login('bob');
      const { results, fin } = await mamQuery(bob, { max: 0 });
      assert.deepEqual(results, []);
      assert.equal(fin.count, '7');
      assert.equal(fin.first, undefined);
    });

    test('metadata gives the first and last message of the archive', async () => {
      const bob = await login('bob');
      const r = await iq(bob, 'get', `<metadata xmlns="${MAM}"/>`);
      assert.equal(r.attrs.type, 'result');
      const md = r.getChild('metadata', MAM)!;
      assert.equal(md.getChild('start')?.attrs.id, stamped[0]);
      assert.equal(md.getChild('end')?.attrs.id, stamped[6]);
      const empty = await iq(await login('erin'), 'get', `<metadata xmlns="${MAM}"/>`);
      assert.equal(empty.getChild('metadata', MAM)?.children.length, 0);
    });
  });

  test('the with filter: bare JID matches all resources, full JID only that resource', async () => {
    const carol = await login('carol', 'phone');
    const alice = await login('alice', 'tablet');
    const dave = await login('dave');
    await becomeAvailable(dave, d);
    await send(carol, `<message to="dave@${d}" type="chat" id="w1"><body>from carol</body></message>`);
    await send(alice, `<message to="dave@${d}" type="chat" id="w2"><body>from alice</body></message>`);
    await send(carol, `<message to="dave@${d}" type="chat" id="w3"><body>carol again</body></message>`);
    for (const id of ['w1', 'w2', 'w3']) await expectStanza(dave, `<message id="${id}"/>`);
    assert.deepEqual((await mamQuery(dave, { with: `carol@${d}` })).results.map((r) => r.body), ['from carol', 'carol again']);
    assert.deepEqual((await mamQuery(dave, { with: `carol@${d}/phone` })).results.map((r) => r.body), ['from carol', 'carol again']);
    assert.deepEqual((await mamQuery(dave, { with: `carol@${d}/laptop` })).results, []);
    assert.deepEqual((await mamQuery(dave, { with: `alice@${d}` })).results.map((r) => r.body), ['from alice']);
    // The sender's side: carol's archive holds what she sent, filtered by the recipient.
    assert.deepEqual((await mamQuery(carol, { with: `dave@${d}` })).results.map((r) => r.body), ['from carol', 'carol again']);
  });

  test('XEP-0359 §5: a client-forged stanza-id is stripped and replaced by the real one', async () => {
    const alice = await login('alice');
    const erin = await login('erin');
    await becomeAvailable(erin, d);
    await send(alice, `<message to="erin@${d}" type="chat" id="forged"><body>trust me</body>` +
      `<stanza-id xmlns="${SID}" by="erin@${d}" id="forged-1"/><stanza-id xmlns="${SID}" by="${d}" id="forged-2"/>` +
      `<stanza-id xmlns="${SID}" by="elsewhere.example" id="theirs"/></message>`);
    const got = await expectStanza(erin, `<message id="forged"/>`);
    const ids = stanzaIds(got);
    const ours = ids.filter((s) => s.by === `erin@${d}`);
    assert.equal(ours.length, 1, got.toString());
    assert.ok(!ids.some((s) => s.id === 'forged-1' || s.id === 'forged-2'), got.toString());
    // Another entity's stanza-id is none of our business and stays.
    assert.ok(ids.some((s) => s.by === 'elsewhere.example' && s.id === 'theirs'), got.toString());
    const { results } = await mamQuery(erin, { ids: [ours[0].id] });
    assert.deepEqual(results.map((r) => r.body), ['trust me']);
  });

  test('preferences: default never stops archiving (and stanza-ids) for that account only', async () => {
    const carol = await login('carol');
    const erin = await login('erin');
    await becomeAvailable(erin, d);
    const set = await iq(erin, 'set', `<prefs xmlns="${MAM}" default="never"><always/><never/></prefs>`);
    assert.equal(set.attrs.type, 'result');
    assert.equal(set.getChild('prefs', MAM)?.attrs.default, 'never');
    const got = await iq(erin, 'get', `<prefs xmlns="${MAM}"/>`);
    assert.equal(got.getChild('prefs', MAM)?.attrs.default, 'never');
    try {
      await send(carol, `<message to="erin@${d}" type="chat" id="p1"><body>off the record</body>` +
        `<stanza-id xmlns="${SID}" by="erin@${d}" id="forged"/></message>`);
      const msg = await expectStanza(erin, `<message id="p1"/>`);
      assert.deepEqual(stanzaIds(msg), [], 'not archived: no stanza-id, and the forged one is gone');
      assert.deepEqual((await mamQuery(erin, { with: `carol@${d}` })).results, []);
      // Carol's own archive follows Carol's preferences (default always).
      assert.deepEqual((await mamQuery(carol, { with: `erin@${d}` })).results.map((r) => r.body), ['off the record']);
      // <always/> overrides the default for one contact.
      await iq(erin, 'set', `<prefs xmlns="${MAM}" default="never"><always><jid>carol@${d}</jid></always></prefs>`);
      await send(carol, `<message to="erin@${d}" type="chat" id="p2"><body>on the record</body></message>`);
      const kept = await expectStanza(erin, `<message id="p2"/>`);
      assert.equal(stanzaIds(kept).length, 1);
      assert.deepEqual((await mamQuery(erin, { with: `carol@${d}` })).results.map((r) => r.body), ['on the record']);
    } finally {
      await iq(erin, 'set', `<prefs xmlns="${MAM}" default="always"/>`);
    }
  });

  test('preferences: default roster archives only messages with contacts in the roster', async () => {
    const alice = await login('alice');
    const carol = await login('carol');
    const dave = await login('dave', 'roster');
    await becomeAvailable(dave, d);
    const added = await iq(dave, 'set', `<query xmlns="jabber:iq:roster"><item jid="carol@${d}"/></query>`);
    assert.equal(added.attrs.type, 'result', added.toString());
    await iq(dave, 'set', `<prefs xmlns="${MAM}" default="roster"/>`);
    try {
      await send(alice, `<message to="dave@${d}" type="chat" id="r1"><body>stranger</body></message>`);
      await send(carol, `<message to="dave@${d}" type="chat" id="r2"><body>contact</body></message>`);
      const stranger = await expectStanza(dave, `<message id="r1"/>`);
      const contact = await expectStanza(dave, `<message id="r2"/>`);
      assert.deepEqual(stanzaIds(stranger), []);
      assert.equal(stanzaIds(contact).length, 1);
      const ids = (await mamQuery(dave, { ids: [stanzaIds(contact)[0].id] })).results.map((r) => r.body);
      assert.deepEqual(ids, ['contact']);
    } finally {
      await iq(dave, 'set', `<prefs xmlns="${MAM}" default="always"/>`);
    }
  });

  test('a message for an offline account is archived for it', async () => {
    const alice = await login('alice');
    await send(alice, `<message to="carol@${d}" type="chat" id="off1"><body>while you were out</body></message>`);
    await sync(alice, d);
    const carol = await login('carol');
    const { results } = await mamQuery(carol, { with: `alice@${d}` });
    assert.deepEqual(results.map((r) => r.body), ['while you were out']);
  });

  test('disco#info on the account lists mam:2, #extended and sid:0; the query form lists the fields', async () => {
    const bob = await login('bob');
    const info = await iq(bob, 'get', '<query xmlns="http://jabber.org/protocol/disco#info"/>', `bob@${d}`);
    const features = info.getChild('query')!.getChildren('feature').map((f) => f.attrs.var);
    for (const f of [MAM, `${MAM}#extended`, SID]) assert.ok(features.includes(f), `${f} in ${features.join(', ')}`);
    const form = await iq(bob, 'get', `<query xmlns="${MAM}"/>`);
    const fields = form.getChild('query', MAM)!.getChild('x', 'jabber:x:data')!.getChildren('field');
    assert.deepEqual(fields.map((f) => f.attrs.var), ['FORM_TYPE', 'with', 'start', 'end', 'before-id', 'after-id', 'ids', 'include-groupchat']);
    assert.ok(fields.every((f) => !f.getChild('required')), 'no field is required (§4.1)');
  });
});
