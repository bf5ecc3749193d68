// The XEP-0345 application form's rules and the exports for a vote (pure parts of the module).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { validateSubmission, type DataForm } from '../../../src/forms/index.ts';
import { StanzaError } from '../../../src/stanza/errors.ts';
import { applicationForm, changedFields, displayName, parseApplication } from '../../../src/modules/membership/form.ts';
import { privateCsv, publicMarkdown } from '../../../src/modules/membership/export.ts';
import { PrivateBox } from '../../../src/modules/membership/private-box.ts';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const submit = (fields: Record<string, string | string[]>): DataForm => ({ type: 'submit', fields: Object.entries(fields).map(([k, v]) => ({ var: k, values: Array.isArray(v) ? v : [v] })) });
const base = { contact_email: 'a@example.org', contact_jid: 'a@example.org', affiliations: 'none', legal_name: 'Ada Lovelace', publish_legal_name: '0', public_identifier: 'ada', own_application: '1' };
const parse = (f: Record<string, string | string[]>) => parseApplication(validateSubmission(applicationForm('a@example.org'), submit(f)));

test('an unpublished legal name stays in the private part; the membership sees the public identifier', () => {
  const app = parse(base);
  assert.equal(app.pub.legal_name, undefined);
  assert.equal(app.priv.legal_name, 'Ada Lovelace');
  assert.equal(displayName(app.pub), 'ada');
  const published = parse({ ...base, publish_legal_name: '1', public_identifier: '' });
  assert.equal(published.pub.legal_name, 'Ada Lovelace');
  assert.equal(published.priv.legal_name, undefined);
  assert.equal(displayName(published.pub), 'Ada Lovelace');
});

test('refusals: no identifier for a private name, not one\'s own, bad email, full JID', () => {
  for (const [f, re] of [
    [{ ...base, public_identifier: '' }, /public_identifier/],
    [{ ...base, own_application: '0' }, /own_application/],
    [{ ...base, contact_email: 'nope' }, /email/],
    [{ ...base, contact_jid: 'a@example.org/res' }, /bare JID/],
  ] as const) {
    assert.throws(() => parse(f), (e: unknown) => e instanceof StanzaError && e.condition === 'bad-request' && re.test(e.message ?? ''));
  }
});

test('exports: markdown never holds an unpublished name; CSV quotes and defuses formulas', () => {
  const app = parse({ ...base, reasons: ['=HYPERLINK("x")', 'line two'] });
  const row = { applicant: 'a@example.org', status: 'voting', version: 1, app };
  const md = publicMarkdown([row], 'Applications');
  assert.match(md, /## ada/);
  assert.ok(!md.includes('Lovelace'));
  const csv = privateCsv([row]);
  assert.match(csv, /a@example\.org,voting,1,Ada Lovelace,no,ada,/);
  assert.match(csv, /"'=HYPERLINK\(""x""\)\nline two"/);
  assert.deepEqual(changedFields(app.pub, { ...app.pub, reasons: 'other' }), ['reasons']);
});

test('the private box refuses a record moved to another account', () => {
  const box = PrivateBox.open(join(mkdtempSync(join(tmpdir(), 'parley-box-')), 'k'));
  const sealed = box.seal('{"legal_name":"Ada"}', 'a@example.org');
  assert.equal(box.open(sealed, 'a@example.org'), '{"legal_name":"Ada"}');
  assert.throws(() => box.open(sealed, 'b@example.org'));
});
