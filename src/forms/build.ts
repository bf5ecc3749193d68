// Building a <x xmlns='jabber:x:data'/> element from a DataForm, plus small constructors for
// the fields protocols use most. Output follows the element order of the XEP-0004 schema.
import { xml, type Element } from '../xml/element.ts';
import { NS_DATA } from './parse.ts';
import { FORM_TYPE_VAR, type DataForm, type Field, type FieldType } from './types.ts';

function fieldElement(f: Field): Element {
  const el = xml('field', { var: f.var, type: f.type, label: f.label });
  if (f.desc !== undefined) el.append(xml('desc', {}, f.desc));
  if (f.required) el.append(xml('required'));
  for (const v of f.values) el.append(xml('value', {}, v));
  for (const o of f.options ?? []) el.append(xml('option', { label: o.label }, xml('value', {}, o.value)));
  return el;
}

export function buildForm(form: DataForm): Element {
  const x = xml('x', { xmlns: NS_DATA, type: form.type });
  if (form.title !== undefined) x.append(xml('title', {}, form.title));
  for (const i of form.instructions ?? []) x.append(xml('instructions', {}, i));
  for (const f of form.fields) x.append(fieldElement(f));
  if (form.reported) x.append(xml('reported', {}, form.reported.map(fieldElement)));
  for (const item of form.items ?? []) x.append(xml('item', {}, item.map(fieldElement)));
  return x;
}

type FieldOpts = Omit<Partial<Field>, 'var' | 'type'>;

/** A field with its values; values default to none. */
export function field(type: FieldType, name: string, opts: FieldOpts = {}): Field {
  return { var: name, type, values: [], ...opts };
}

/** The hidden FORM_TYPE field (XEP-0068) naming the protocol the form belongs to. */
export function formTypeField(ns: string): Field {
  return { var: FORM_TYPE_VAR, type: 'hidden', values: [ns] };
}

/**
 * XEP-0004 §3.3 text-multi: a text block becomes one <value/> per line (values SHOULD NOT hold
 * newlines); the reverse is lines.join('\n').
 */
export function textLines(text: string): string[] {
  return text.split(/\r\n|\r|\n/);
}
