// XEP-0004 Data Forms library: parsing (§3), building, and validation of submissions (§3.3, §4).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Element } from '../../../src/xml/element.ts';
import { parseXml } from '../../helpers/parse-xml.ts';
import {
  buildForm, field, findFormElement, formTypeField, formTypeOf, formValues, FormError, parseForm, textLines, validateSubmission, type DataForm,
} from '../../../src/forms/index.ts';

const el = (text: string): Element => parseXml(text);

// XEP-0133 §3.1 (add user), the form as the XEP shows it.
const ADD_USER = `<iq type='result' id='a'><command xmlns='http://jabber.org/protocol/commands'>
  <x xmlns='jabber:x:data' type='form'>
    <title>Adding a User</title>
    <instructions>Fill out this form to add a user.</instructions>
    <field type='hidden' var='FORM_TYPE'><value>http://jabber.org/protocol/admin</value></field>
    <field label='The Jabber ID for the account to be added' type='jid-single' var='accountjid'><required/></field>
    <field label='The password for this account' type='text-private' var='password'/>
    <field label='Email address' type='text-single' var='email'><desc>Where we write to</desc></field>
    <field type='list-single' var='max_items'><option label='25'><value>25</value></option><option label='None'><value>none</value></option></field>
    <field type='boolean' var='notify'><value>true</value></field>
    <field type='jid-multi' var='others'/>
    <field type='text-multi' var='note'/>
    <field type='fixed'><value>Section</value></field>
  </x></command></iq>`;

function offered(): DataForm {
  return parseForm(findFormElement(el(ADD_USER).getChildElements()[0])!);
}

function submit(fields: string, formType = 'http://jabber.org/protocol/admin'): DataForm {
  const ft = formType ? `<field var='FORM_TYPE' type='hidden'><value>${formType}</value></field>` : '';
  return parseForm(el(`<message><x xmlns='jabber:x:data' type='submit'>${ft}${fields}</x></message>`).getChildElements()[0]);
}

describe('parseForm (XEP-0004 §3)', () => {
  test('reads type, title, instructions, fields, options, required, desc and values', () => {
    const f = offered();
    assert.equal(f.type, 'form');
    assert.equal(f.title, 'Adding a User');
    assert.deepEqual(f.instructions, ['Fill out this form to add a user.']);
    assert.equal(formTypeOf(f), 'http://jabber.org/protocol/admin');
    const jid = f.fields.find((x) => x.var === 'accountjid')!;
    assert.equal(jid.type, 'jid-single');
    assert.equal(jid.required, true);
    assert.equal(jid.label, 'The Jabber ID for the account to be added');
    assert.equal(f.fields.find((x) => x.var === 'email')!.desc, 'Where we write to');
    assert.deepEqual(f.fields.find((x) => x.var === 'max_items')!.options, [{ label: '25', value: '25' }, { label: 'None', value: 'none' }]);
    assert.deepEqual(f.fields.find((x) => x.type === 'fixed')!.values, ['Section']);
  });

  test('reads reported and items of a multi-item result (§3.4)', () => {
    const f = parseForm(el(`<message><x xmlns='jabber:x:data' type='result'>
      <reported><field var='jid' type='jid-single' label='JID'/></reported>
      <item><field var='jid'><value>a@example.org</value></field></item>
      <item><field var='jid'><value>b@example.org</value></field></item></x></message>`).getChildElements()[0]);
    assert.deepEqual(f.reported?.map((r) => r.var), ['jid']);
    assert.deepEqual(f.items?.map((i) => i[0].values[0]), ['a@example.org', 'b@example.org']);
  });

  const malformed: Array<[string, string]> = [
    ['an unknown form type', `<x xmlns='jabber:x:data' type='questionnaire'/>`],
    ['a missing form type', `<x xmlns='jabber:x:data'/>`],
    ['an unknown field type', `<x xmlns='jabber:x:data' type='form'><field var='a' type='color'/></x>`],
    ['a non-fixed field without var', `<x xmlns='jabber:x:data' type='form'><field type='text-single'/></x>`],
    ['options on a text field', `<x xmlns='jabber:x:data' type='form'><field var='a' type='text-single'><option><value>1</value></option></field></x>`],
    ['an option with two values', `<x xmlns='jabber:x:data' type='form'><field var='a' type='list-single'><option><value>1</value><value>2</value></option></field></x>`],
    ['a duplicate var', `<x xmlns='jabber:x:data' type='form'><field var='a'/><field var='a'/></x>`],
    ['another namespace', `<x xmlns='jabber:x:oob'/>`],
  ];
  for (const [what, xmlText] of malformed) {
    test(`rejects ${what}`, () => {
      assert.throws(() => parseForm(el(`<message>${xmlText}</message>`).getChildElements()[0]), FormError);
    });
  }

  test('findFormElement picks the form with the requested FORM_TYPE', () => {
    const m = el(`<message>
      <x xmlns='jabber:x:data' type='result'><field var='FORM_TYPE' type='hidden'><value>urn:a</value></field></x>
      <x xmlns='jabber:x:data' type='result'><field var='FORM_TYPE' type='hidden'><value>urn:b</value></field></x></message>`);
    assert.equal(formTypeOf(parseForm(findFormElement(m, 'urn:b')!)), 'urn:b');
    assert.equal(findFormElement(m, 'urn:c'), undefined);
    assert.equal(formTypeOf(parseForm(findFormElement(m)!)), 'urn:a');
  });
});

describe('buildForm', () => {
  test('round-trips through parseForm unchanged', () => {
    const f = offered();
    assert.deepEqual(parseForm(el(`<message>${buildForm(f).toString()}</message>`).getChildElements()[0]), f);
  });

  test('writes the XEP-0004 element structure', () => {
    const x = buildForm({
      type: 'form',
      title: 'T',
      instructions: ['one', 'two'],
      fields: [formTypeField('urn:x'), field('list-single', 'l', { required: true, options: [{ label: 'A', value: 'a' }] })],
    });
    assert.equal(
      x.toString(),
      '<x xmlns="jabber:x:data" type="form"><title>T</title><instructions>one</instructions><instructions>two</instructions>' +
        '<field var="FORM_TYPE" type="hidden"><value>urn:x</value></field>' +
        '<field var="l" type="list-single"><required/><option label="A"><value>a</value></option></field></x>',
    );
  });

  test('textLines splits a block into one value per line (§3.3 text-multi)', () => {
    assert.deepEqual(textLines('a\r\nb\nc\rd'), ['a', 'b', 'c', 'd']);
  });
});

describe('validateSubmission (XEP-0004 §3.3, §4)', () => {
  test('accepts a complete submission and normalises values', () => {
    const v = validateSubmission(offered(), submit(`
      <field var='accountjid'><value>Juliet@Shakespeare.LIT</value></field>
      <field var='password'><value>R0m30</value></field>
      <field var='max_items'><value>none</value></field>
      <field var='notify'><value>false</value></field>
      <field var='others'><value>a@x.org</value><value>A@X.org</value><value>b@x.org</value></field>
      <field var='note'><value>line 1</value><value>line 2</value></field>
      <field var='x-unknown'><value>ignored</value></field>`));
    assert.equal(v.value('accountjid'), 'juliet@shakespeare.lit');
    assert.equal(v.jid('accountjid')?.local, 'juliet');
    assert.equal(v.value('password'), 'R0m30');
    assert.equal(v.boolean('notify', true), false);
    // §3.3 jid-multi: duplicate JIDs MUST be ignored.
    assert.deepEqual(v.values('others'), ['a@x.org', 'b@x.org']);
    assert.equal(v.text('note'), 'line 1\nline 2');
    assert.equal(v.has('x-unknown'), false, 'unknown fields are ignored (§3.1 submit)');
    assert.equal(v.has('email'), false);
  });

  test('a submission without FORM_TYPE is tolerated', () => {
    assert.equal(validateSubmission(offered(), submit(`<field var='accountjid'><value>a@b.c</value></field>`, '')).value('accountjid'), 'a@b.c');
  });

  const invalid: Array<[string, string, string?]> = [
    ['a missing required field', `<field var='password'><value>x</value></field>`],
    ['an empty required field', `<field var='accountjid'><value></value></field>`],
    ['a required field without value', `<field var='accountjid'/>`],
    ['an invalid JID', `<field var='accountjid'><value>@nope</value></field>`],
    ['two values in a single-valued field', `<field var='accountjid'><value>a@b.c</value></field><field var='password'><value>1</value><value>2</value></field>`],
    ['an option that was not offered', `<field var='accountjid'><value>a@b.c</value></field><field var='max_items'><value>1000</value></field>`],
    ['a boolean that is not one', `<field var='accountjid'><value>a@b.c</value></field><field var='notify'><value>yes</value></field>`],
    ['another FORM_TYPE', `<field var='accountjid'><value>a@b.c</value></field>`, 'urn:other'],
  ];
  for (const [what, fields, formType] of invalid) {
    test(`rejects ${what} and names the field`, () => {
      assert.throws(() => validateSubmission(offered(), submit(fields, formType)), (e: unknown) => e instanceof FormError && typeof e.field === 'string');
    });
  }

  test('rejects a form that is not of type submit', () => {
    const f = offered();
    assert.throws(() => validateSubmission(f, f), /submit/);
  });

  test('formValues reads any form without a template', () => {
    const v = formValues(submit(`<field var='a'><value>1</value></field>`));
    assert.equal(v.value('a'), '1');
    assert.equal(v.value('FORM_TYPE'), 'http://jabber.org/protocol/admin');
  });
});
