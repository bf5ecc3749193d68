// XEP-0345 (v1.1.0) membership applications through the ad-hoc commands of the membership module,
// with @xmpp/client: ann applies keeping her legal name private; the secretary's review shows it,
// the board may read it too, other members' list and the public export never contain it; a form
// missing required fields, or an unpublished name without a public identifier, is refused with
// bad-request + bad-payload and nothing is stored; the confidential export is secretary-only; an
// edit during the vote notifies the secretary without private data.
import { after, afterEach, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Element } from 'ltx';
import { startServer, type RunningServer } from '../helpers/server.ts';
import { becomeAvailable, connectXmppjs, disconnect, expectStanza, nextId, send, type Client } from '../helpers/xmppjs.ts';

const CMD = 'http://jabber.org/protocol/commands';
const NODE = 'urn:parley:membership';
const FORM = 'urn:parley:membership-application:0';
const STANZAS = 'urn:ietf:params:xml:ns:xmpp-stanzas';
const LEGAL = 'Annabelle Quintessa Lee';

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;');
const submitForm = (fields: Record<string, string | string[]>) =>
  `<x xmlns="jabber:x:data" type="submit"><field var="FORM_TYPE" type="hidden"><value>${FORM}</value></field>${
    Object.entries(fields).map(([k, v]) => `<field var="${k}">${(Array.isArray(v) ? v : [v]).map((x) => `<value>${esc(x)}</value>`).join('')}</field>`).join('')}</x>`;

function errorParts(iq: Element): { type?: string; condition?: string; specific?: string } {
  const e = iq.getChild('error');
  const kids = (e?.children ?? []).filter((c): c is Element => typeof c !== 'string');
  return { type: iq.attrs.type, condition: kids.find((c) => c.attrs.xmlns === STANZAS && c.name !== 'text')?.name, specific: kids.find((c) => c.attrs.xmlns === CMD)?.name };
}

/** Items of a multi-item result form as records (var → values joined by newlines). */
function items(x: Element): Array<Record<string, string>> {
  return x.getChildren('item').map((it) => Object.fromEntries(it.getChildren('field').map((f) => [f.attrs.var, f.getChildren('value').map((v) => v.getText()).join('\n')])));
}

describe('XEP-0345 membership applications', () => {
  let server: RunningServer;
  let d: string;
  let open: Client[] = [];
  const login = async (username: string) => {
    const c = await connectXmppjs({ port: server.ports.c2s, domain: d, username, password: `${username}-pw`, mechanism: 'PLAIN' });
    open.push(c);
    return c;
  };
  const command = async (c: Client, name: string, attrs = '', payload = ''): Promise<Element> => {
    const id = nextId('cmd');
    await send(c, `<iq type="set" id="${id}" to="${d}"><command xmlns="${CMD}" node="${NODE}#${name}" ${attrs}>${payload}</command></iq>`);
    return expectStanza(c, (el) => el.name === 'iq' && el.attrs.id === id && (el.attrs.type === 'result' || el.attrs.type === 'error'));
  };
  /** execute, then submit the form in the same session. */
  const run = async (c: Client, name: string, fields?: Record<string, string | string[]>) => {
    const first = await command(c, name, 'action="execute"');
    if (!fields) return { first, done: first };
    const sid = first.getChild('command', CMD)?.attrs.sessionid;
    assert.ok(sid, `no sessionid: ${first}`);
    return { first, done: await command(c, name, `sessionid="${sid}"`, submitForm(fields)) };
  };
  const form = (iq: Element) => iq.getChild('command', CMD)!.getChild('x', 'jabber:x:data')!;
  const annApplication = {
    contact_email: 'ann@example.org', contact_jid: '', affiliations: ['Example GmbH (employer)', 'none other'], legal_name: LEGAL, publish_legal_name: '0',
    public_identifier: 'ann-the-dev', reasons: 'I maintain a client', note_to_secretary: 'Please write to me in German', own_application: '1',
  };

  before(async () => {
    server = await startServer({ readyTimeoutMs: 120_000, config: { modules: { membership: { enabled: true, secretaries: ['sec@localhost'], board: ['brd@localhost'] } } } });
    d = server.domain;
    annApplication.contact_jid = `ann@${d}`;
    for (const u of ['ann', 'sec', 'brd', 'carl', 'dora']) await server.adduser(u, `${u}-pw`);
  });
  afterEach(async () => {
    await Promise.all(open.map(disconnect));
    open = [];
  });
  after(async () => {
    await server?.stop();
  });

  test('the apply form carries the FORM_TYPE and the 1.1.0 fields, contact_jid defaults to the applicant', async () => {
    const ann = await login('ann');
    const { first } = await run(ann, 'apply');
    const x = form(first);
    const fields = Object.fromEntries(x.getChildren('field').map((f) => [f.attrs.var, f]));
    assert.equal(fields.FORM_TYPE.getChildText('value'), FORM);
    for (const v of ['contact_email', 'contact_jid', 'affiliations', 'legal_name', 'publish_legal_name', 'own_application']) assert.ok(fields[v]?.getChild('required'), `${v} required`);
    assert.ok(fields.public_identifier && !fields.public_identifier.getChild('required'), 'public_identifier: required only when the name stays private');
    assert.equal(fields.legal_name.attrs.type, 'text-single');
    assert.equal(fields.contact_jid.getChildText('value'), `ann@${d}`);
    assert.ok(fields.note_to_secretary);
  });

  test('bad input: missing required fields, or a private name without identifier: bad-request/bad-payload, nothing stored', async () => {
    const dora = await login('dora');
    const missing = await run(dora, 'apply', { contact_email: 'dora@example.org', own_application: '1' });
    assert.deepEqual(errorParts(missing.done), { type: 'error', condition: 'bad-request', specific: 'bad-payload' });
    const noId = await run(dora, 'apply', { ...annApplication, contact_jid: `dora@${d}`, public_identifier: '' });
    assert.deepEqual(errorParts(noId.done), { type: 'error', condition: 'bad-request', specific: 'bad-payload' });
    assert.match(noId.done.getChild('error')!.getChildText('text', STANZAS) ?? '', /public_identifier/);
    const sec = await login('sec');
    const { done } = await run(sec, 'review');
    assert.deepEqual(items(form(done)).map((i) => i.applicant), [], 'nothing stored');
  });

  test('ann applies; the secretary and the board see the legal name, another member and the public export do not', async () => {
    const ann = await login('ann');
    const { done } = await run(ann, 'apply', annApplication);
    assert.equal(done.attrs.type, 'result', done.toString());
    assert.equal(done.getChild('command', CMD)!.attrs.status, 'completed');

    for (const reader of ['sec', 'brd']) {
      const c = await login(reader);
      const r = await run(c, 'review');
      const [row] = items(form(r.done));
      assert.equal(row.applicant, `ann@${d}`);
      assert.equal(row.legal_name, LEGAL, `${reader} sees the private legal name`);
      assert.equal(row.note_to_secretary, 'Please write to me in German');
      assert.equal(row.name, 'ann-the-dev');
    }

    const carl = await login('carl');
    const listed = await run(carl, 'list');
    const [row] = items(form(listed.done));
    assert.deepEqual([row.applicant, row.name, row.status, row.affiliations], [`ann@${d}`, 'ann-the-dev', 'submitted', 'Example GmbH (employer)\nnone other']);
    assert.ok(!listed.done.toString().includes('Annabelle'), 'no legal name anywhere in the list');
    assert.ok(!listed.done.toString().includes('German'), 'no note to the secretary');
    const review = await command(carl, 'review', 'action="execute"');
    assert.equal(errorParts(review).condition, 'forbidden');

    const pub = await run(carl, 'export', { format: 'markdown' });
    const text = form(pub.done).getChildren('field').find((f) => f.attrs.var === 'export')!.getChildren('value').map((v) => v.getText()).join('\n');
    assert.match(text, /## ann-the-dev/);
    assert.ok(!text.includes('Annabelle'));
    const conf = await run(carl, 'export', { format: 'csv' });
    assert.equal(errorParts(conf.done).condition, 'bad-request', 'csv is not offered to non-readers');

    const sec = await login('sec');
    const csv = await run(sec, 'export', { format: 'csv' });
    const csvText = form(csv.done).getChildren('field').find((f) => f.attrs.var === 'export')!.getChildren('value').map((v) => v.getText()).join('\n');
    assert.match(csvText, new RegExp(`ann@${d},submitted,1,${LEGAL},no,ann-the-dev`));
  });

  test('the legal name is sealed at rest: not in the database file in clear text', async () => {
    const { readFileSync, readdirSync } = await import('node:fs');
    const { join } = await import('node:path');
    for (const f of readdirSync(server.dataDir).filter((n) => n.startsWith('parley.sqlite'))) {
      assert.ok(!readFileSync(join(server.dataDir, f)).includes(Buffer.from('Annabelle')), f);
    }
  });

  test('voting: an edit notifies the secretary with field names only; set-status is secretary-only', async () => {
    const sec = await login('sec');
    await becomeAvailable(sec, d); // the notice is a normal message to the bare JID
    const carl = await login('carl');
    assert.equal(errorParts(await command(carl, 'set-status', 'action="execute"')).condition, 'forbidden');
    const s = await run(sec, 'set-status', { applicant: `ann@${d}`, status: 'voting' });
    assert.equal(s.done.attrs.type, 'result', s.done.toString());
    const ann = await login('ann');
    const edit = await run(ann, 'apply', { ...annApplication, reasons: 'I maintain two clients', legal_name: 'Annabelle Q. Lee' });
    assert.equal(edit.done.attrs.type, 'result', edit.done.toString());
    const note = await expectStanza(sec, (el) => el.name === 'message' && /edited during the vote/.test(el.getChildText('body') ?? ''));
    assert.match(note.getChildText('body')!, /version 2\); public fields changed: reasons\.$/);
    assert.ok(!note.toString().includes('Annabelle'));
    const [row] = items(form((await run(sec, 'review')).done));
    assert.deepEqual([row.status, row.version, row.legal_name], ['voting', '2', 'Annabelle Q. Lee']);
  });
});
