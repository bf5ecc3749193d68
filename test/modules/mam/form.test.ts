// The XEP-0313 §4.1 query form: fields, XEP-0082 times, and the errors for bad input.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseDateTime, parseQueryForm, queryFormTemplate } from '../../../src/modules/mam/form.ts';
import { StanzaError } from '../../../src/stanza/errors.ts';
import { parseElement } from '../../../src/xml/parse-element.ts';

const form = (fields: string, type = 'submit') => parseElement(`<x xmlns="jabber:x:data" type="${type}"><field var="FORM_TYPE" type="hidden"><value>urn:xmpp:mam:2</value></field>${fields}</x>`)!;
const field = (v: string, ...values: string[]) => `<field var="${v}">${values.map((x) => `<value>${x}</value>`).join('')}</field>`;
const condition = (fn: () => unknown) => {
  try {
    fn();
  } catch (e) {
    if (e instanceof StanzaError) return e.condition;
    throw e;
  }
  return 'no error';
};

test('XEP-0082 DateTime with Z, offsets and fractions', () => {
  assert.equal(parseDateTime('2010-06-07T00:00:00Z'), Date.UTC(2010, 5, 7));
  assert.equal(parseDateTime('2010-06-07T02:00:00+02:00'), Date.UTC(2010, 5, 7));
  assert.equal(parseDateTime('2010-06-07T00:00:00.123456Z'), Date.UTC(2010, 5, 7) + 123);
  for (const bad of ['2010-06-07', '2010-06-07T00:00:00', 'yesterday', '2010-13-07T00:00:00Z']) assert.equal(parseDateTime(bad), null, bad);
});

test('no form: no filter; every field parses', () => {
  assert.deepEqual(parseQueryForm(undefined, 10), {});
  const f = parseQueryForm(form(field('with', 'Juliet@Capulet.lit/Balcony') + field('start', '2010-06-07T00:00:00Z') + field('end', '2010-07-07T13:23:54Z') +
    field('after-id', 'a') + field('before-id', 'b') + field('ids', 'x', 'y', 'x')), 10);
  assert.equal(f.with?.toString(), 'juliet@capulet.lit/Balcony');
  assert.equal(f.start, Date.UTC(2010, 5, 7));
  assert.equal(f.end, Date.UTC(2010, 6, 7, 13, 23, 54));
  assert.deepEqual([f.afterId, f.beforeId, f.ids], ['a', 'b', ['x', 'y']]);
});

test('§4.1.4 include-groupchat: an XEP-0004 boolean, absent unless given', () => {
  for (const [v, want] of [['true', true], ['1', true], ['false', false], ['0', false]] as const) assert.equal(parseQueryForm(form(field('include-groupchat', v)), 10).includeGroupchat, want, v);
  assert.equal(parseQueryForm(form(field('include-groupchat')), 10).includeGroupchat, undefined);
});

test('empty values count as absent', () => {
  assert.deepEqual(parseQueryForm(form('<field var="with"/>' + field('start', '')), 10), {});
});

test('errors: unknown field, wrong FORM_TYPE, bad JID, bad time, too many ids, not a submit form', () => {
  assert.equal(condition(() => parseQueryForm(form(field('{urn:example}full-text', 'x')), 10)), 'feature-not-implemented');
  assert.equal(condition(() => parseQueryForm(form(field('include-groupchat', 'yes')), 10)), 'bad-request');
  assert.equal(condition(() => parseQueryForm(form(field('include-groupchat', 'true', 'false')), 10)), 'bad-request');
  assert.equal(condition(() => parseQueryForm(parseElement(`<x xmlns="jabber:x:data" type="submit">${field('FORM_TYPE', 'urn:xmpp:mam:1')}</x>`)!, 10)), 'bad-request');
  assert.equal(condition(() => parseQueryForm(form(field('with', '@nope')), 10)), 'jid-malformed');
  assert.equal(condition(() => parseQueryForm(form(field('end', 'soon')), 10)), 'bad-request');
  assert.equal(condition(() => parseQueryForm(form(field('ids', 'a', 'b', 'c')), 2)), 'policy-violation');
  assert.equal(condition(() => parseQueryForm(form('', 'cancel'), 10)), 'bad-request');
  assert.equal(condition(() => parseQueryForm(form(field('start', '2010-06-07T00:00:00Z', '2011-06-07T00:00:00Z')), 10)), 'bad-request');
});

test('§4.1.5 form: the seven fields, ids open list-multi, include-groupchat boolean, nothing required', () => {
  const x = queryFormTemplate();
  const fields = x.getChildren('field');
  assert.deepEqual(fields.map((f) => `${f.attrs.var}:${f.attrs.type}`), ['FORM_TYPE:hidden', 'with:jid-single', 'start:text-single', 'end:text-single', 'before-id:text-single', 'after-id:text-single', 'ids:list-multi', 'include-groupchat:boolean']);
  assert.ok(fields[6].getChild('validate', 'http://jabber.org/protocol/xdata-validate')?.getChild('open'));
  assert.ok(fields.every((f) => !f.getChild('required')));
});
