// XEP-0049 Private XML Storage, end to end with @xmpp/client: a round trip per namespace that
// outlives the session, isolation between accounts (§3 forbidden), reserved namespaces and
// malformed requests, and the per-namespace size limit with the session carrying on.
import { after, afterEach, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, type RunningServer } from '../helpers/server.ts';
import { skipUnless } from '../helpers/services.ts';
import { startSlixOps } from '../helpers/slix-ops.ts';
import { connectXmppjs, disconnect, expectStanza, nextId, send, sync, type Client } from '../helpers/xmppjs.ts';

const STANZAS = 'urn:ietf:params:xml:ns:xmpp-stanzas';
const PRIVATE = 'jabber:iq:private';
const PER_NAMESPACE = 2048;

describe('XEP-0049 private XML storage', () => {
  let server: RunningServer;
  let d: string;
  let open: Client[] = [];
  const login = async (username: string): Promise<Client> => {
    const c = await connectXmppjs({ port: server.ports.c2s, domain: d, username, password: `${username}-secret`, mechanism: 'PLAIN' });
    open.push(c);
    return c;
  };
  const request = async (c: Client, type: 'get' | 'set', inner: string, to?: string) => {
    const id = nextId('priv');
    await send(c, `<iq type="${type}" id="${id}"${to ? ` to="${to}"` : ''}><query xmlns="${PRIVATE}">${inner}</query></iq>`);
    return expectStanza(c, (el) => el.name === 'iq' && el.attrs.id === id && el.attrs.type !== 'get' && el.attrs.type !== 'set');
  };
  const errorCondition = (iq: { getChild(n: string): { getChildElements(): Array<{ name: string; getNS(): string | undefined }> } | undefined }) =>
    iq.getChild('error')?.getChildElements().find((e) => e.getNS() === STANZAS && e.name !== 'text')?.name;

  before(async () => {
    server = await startServer({ config: { modules: { private: { max_bytes_per_namespace: PER_NAMESPACE } } } });
    d = server.domain;
    for (const u of ['hamlet', 'macbeth']) await server.adduser(u, `${u}-secret`);
  });
  afterEach(async () => {
    await Promise.all(open.map(disconnect));
    open = [];
  });
  after(async () => {
    await server?.stop();
  });

  test('stored data comes back per namespace, also in a later session (XEP-0049 §2)', async () => {
    const hamlet = await login('hamlet');
    const set = await request(hamlet, 'set', `<exodus:prefs xmlns:exodus="exodus:prefs"><exodus:defaultnick>Hamlet</exodus:defaultnick></exodus:prefs><notes xmlns="storage:rosternotes"><note jid="ophelia@${d}">nice</note></notes>`);
    assert.equal(set.attrs.type, 'result', set.toString());
    await disconnect(hamlet);

    const again = await login('hamlet');
    const prefs = await request(again, 'get', `<exodus:prefs xmlns:exodus="exodus:prefs"/>`);
    assert.equal(prefs.attrs.type, 'result', prefs.toString());
    const q = prefs.getChild('query', PRIVATE)!;
    assert.equal(q.getChildElements().length, 1, 'only the namespace asked for');
    const stored = q.getChildElements()[0];
    assert.equal(stored.getNS(), 'exodus:prefs');
    assert.equal(stored.getChildElements()[0].getNS(), 'exodus:prefs');
    assert.equal(stored.getChildElements()[0].getText(), 'Hamlet');

    const notes = await request(again, 'get', `<notes xmlns="storage:rosternotes"/>`);
    assert.equal(notes.getChild('query', PRIVATE)!.getChild('notes', 'storage:rosternotes')!.getChildText('note'), 'nice');

    // A set replaces what that namespace held, and leaves the others alone.
    await request(again, 'set', `<notes xmlns="storage:rosternotes"/>`);
    const emptied = await request(again, 'get', `<notes xmlns="storage:rosternotes"/>`);
    assert.equal(emptied.getChild('query', PRIVATE)!.getChild('notes', 'storage:rosternotes')!.getChildElements().length, 0);
    const kept = await request(again, 'get', `<exodus:prefs xmlns:exodus="exodus:prefs"/>`);
    assert.equal(kept.getChild('query', PRIVATE)!.getChildElements()[0].getChildElements()[0].getText(), 'Hamlet');
  });

  test('a namespace with nothing stored answers with the empty element asked for', async () => {
    const hamlet = await login('hamlet');
    const r = await request(hamlet, 'get', `<nothing xmlns="urn:example:nothing-here"/>`);
    assert.equal(r.attrs.type, 'result');
    const q = r.getChild('query', PRIVATE)!;
    assert.equal(q.getChildElements().length, 1);
    assert.equal(q.getChildElements()[0].getNS(), 'urn:example:nothing-here');
    assert.equal(q.getChildElements()[0].getChildElements().length, 0);
  });

  test('another account can neither read nor write it: <forbidden/> (XEP-0049 §3)', async () => {
    const hamlet = await login('hamlet');
    await request(hamlet, 'set', `<secret xmlns="urn:example:secret">only mine</secret>`);
    const macbeth = await login('macbeth');
    const read = await request(macbeth, 'get', `<secret xmlns="urn:example:secret"/>`, `hamlet@${d}`);
    assert.equal(read.attrs.type, 'error');
    assert.equal(errorCondition(read), 'forbidden');
    assert.doesNotMatch(read.toString(), /only mine/);
    const write = await request(macbeth, 'set', `<secret xmlns="urn:example:secret">overwritten</secret>`, `hamlet@${d}`);
    assert.equal(errorCondition(write), 'forbidden');
    // macbeth's own storage of the same namespace is his, and empty.
    const own = await request(macbeth, 'get', `<secret xmlns="urn:example:secret"/>`);
    assert.equal(own.getChild('query', PRIVATE)!.getChildElements()[0].getText(), '');
    const still = await request(hamlet, 'get', `<secret xmlns="urn:example:secret"/>`);
    assert.equal(still.getChild('query', PRIVATE)!.getChildElements()[0].getText(), 'only mine');
  });

  test('reserved namespaces and malformed requests are refused', async () => {
    const hamlet = await login('hamlet');
    // A child without a namespace of its own is in jabber:iq:private: refused (XEP-0049 §3).
    assert.equal(errorCondition(await request(hamlet, 'set', `<prefs>x</prefs>`)), 'not-acceptable');
    assert.equal(errorCondition(await request(hamlet, 'set', `<message xmlns="jabber:client"/>`)), 'not-acceptable');
    assert.equal(errorCondition(await request(hamlet, 'get', `<x xmlns="jabber:server"/>`)), 'not-acceptable');
    // §2.1: a set must carry something; a get names exactly one namespace.
    assert.equal(errorCondition(await request(hamlet, 'set', '')), 'not-acceptable');
    assert.equal(errorCondition(await request(hamlet, 'get', '')), 'bad-request');
    assert.equal(errorCondition(await request(hamlet, 'get', `<a xmlns="urn:a"/><b xmlns="urn:b"/>`)), 'bad-request');
  });

  test(`a document over ${PER_NAMESPACE} bytes is refused with <not-acceptable/>, nothing changes, the session goes on`, async () => {
    const hamlet = await login('hamlet');
    await request(hamlet, 'set', `<big xmlns="urn:example:big">small</big>`);
    const r = await request(hamlet, 'set', `<big xmlns="urn:example:big">${'x'.repeat(PER_NAMESPACE + 100)}</big>`);
    assert.equal(r.attrs.type, 'error');
    assert.equal(errorCondition(r), 'not-acceptable');
    await sync(hamlet, d);
    const kept = await request(hamlet, 'get', `<big xmlns="urn:example:big"/>`);
    assert.equal(kept.getChild('query', PRIVATE)!.getChildElements()[0].getText(), 'small');
  });

  test('slixmpp: stores and reads private XML that @xmpp/client sees too; another account\'s is forbidden', { skip: skipUnless('slixmpp') }, async () => {
    const hamlet = await login('hamlet');
    await request(hamlet, 'set', `<bm xmlns="urn:example:shared">from xmpp.js</bm>`);
    const slix = await startSlixOps({ port: server.ports.c2s, jid: `hamlet@${d}`, password: 'hamlet-secret' });
    try {
      const set = await slix.request({ op: 'iq', type: 'set', xml: `<query xmlns="${PRIVATE}"><notes xmlns="urn:example:slix"><note>from slixmpp</note></notes></query>` });
      assert.equal(set.event, 'result', slix.transcript());
      const get = await slix.request({ op: 'iq', type: 'get', xml: `<query xmlns="${PRIVATE}"><bm xmlns="urn:example:shared"/></query>` });
      assert.equal(get.event, 'result', slix.transcript());
      assert.match(String(get.xml), /from xmpp\.js/);
      const theirs = await slix.request({ op: 'iq', type: 'get', to: `macbeth@${d}`, xml: `<query xmlns="${PRIVATE}"><bm xmlns="urn:example:shared"/></query>` });
      assert.equal(theirs.event, 'iq_error', slix.transcript());
      assert.equal(theirs.condition, 'forbidden');
    } finally {
      await slix.quit();
    }
    const back = await request(hamlet, 'get', `<notes xmlns="urn:example:slix"/>`);
    assert.equal(back.getChild('query', PRIVATE)!.getChild('notes', 'urn:example:slix')!.getChildText('note'), 'from slixmpp');
  });
});
