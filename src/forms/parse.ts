// Reading a <x xmlns='jabber:x:data'/> element into a DataForm (XEP-0004 §3). Strict where the
// XEP says MUST (form type, field types, option structure) so that a malformed form is reported
// with the field at fault instead of being half-understood.
import type { Element } from '../xml/element.ts';
import { FIELD_TYPES, FORM_TYPES, FORM_TYPE_VAR, FormError, type DataForm, type Field, type FieldType, type FormType } from './types.ts';

export const NS_DATA = 'jabber:x:data';

/** The first data form child of `parent`, optionally only one whose FORM_TYPE is `formType`. */
export function findFormElement(parent: Element, formType?: string): Element | undefined {
  for (const x of parent.getChildren('x', NS_DATA)) {
    if (formType === undefined) return x;
    const ft = x.getChildren('field').find((f) => f.attrs.var === FORM_TYPE_VAR);
    if (ft?.getChildText('value') === formType) return x;
  }
  return undefined;
}

function parseField(el: Element, where: string): Field {
  const type = el.attrs.type;
  if (type !== undefined && !FIELD_TYPES.includes(type as FieldType)) throw new FormError(`${where}: unknown field type '${type}'`, el.attrs.var);
  const field: Field = { values: el.getChildren('value').map((v) => v.getText()) };
  if (el.attrs.var !== undefined) field.var = el.attrs.var;
  if (type !== undefined) field.type = type as FieldType;
  // §3.2: every field but 'fixed' needs a var.
  if (field.var === undefined && type !== 'fixed') throw new FormError(`${where}: a field without var must be of type fixed`);
  if (el.attrs.label !== undefined) field.label = el.attrs.label;
  const desc = el.getChildText('desc');
  if (desc !== undefined) field.desc = desc;
  if (el.getChild('required')) field.required = true;
  const options = el.getChildren('option');
  if (options.length) {
    if (type !== undefined && type !== 'list-single' && type !== 'list-multi') throw new FormError(`${where}: only list fields have options`, field.var);
    field.options = options.map((o) => {
      const values = o.getChildren('value');
      // §3.2: an option has exactly one <value/>.
      if (values.length !== 1) throw new FormError(`${where}: an option needs exactly one value`, field.var);
      return o.attrs.label !== undefined ? { label: o.attrs.label, value: values[0].getText() } : { value: values[0].getText() };
    });
  }
  return field;
}

function parseFields(parent: Element, where: string): Field[] {
  const fields = parent.getChildren('field').map((f) => parseField(f, where));
  const seen = new Set<string>();
  for (const f of fields) {
    if (f.var === undefined) continue;
    // §3.2: var "uniquely identifies the field in the context of the form".
    if (seen.has(f.var)) throw new FormError(`${where}: field '${f.var}' appears twice`, f.var);
    seen.add(f.var);
  }
  return fields;
}

export function parseForm(x: Element): DataForm {
  if (!x.is('x', NS_DATA)) throw new FormError(`not a data form: <${x.name}/> in ${x.getNS() ?? 'no namespace'}`);
  const type = x.attrs.type;
  if (!FORM_TYPES.includes(type as FormType)) throw new FormError(`unknown form type '${type ?? ''}'`);
  const form: DataForm = { type: type as FormType, fields: parseFields(x, 'form') };
  const title = x.getChildText('title');
  if (title !== undefined) form.title = title;
  const instructions = x.getChildren('instructions').map((i) => i.getText());
  if (instructions.length) form.instructions = instructions;
  const reported = x.getChild('reported');
  if (reported) form.reported = parseFields(reported, 'reported');
  const items = x.getChildren('item');
  if (items.length) form.items = items.map((i, n) => parseFields(i, `item ${n + 1}`));
  return form;
}

/** The value of the hidden FORM_TYPE field, if any. */
export function formTypeOf(form: DataForm): string | undefined {
  return form.fields.find((f) => f.var === FORM_TYPE_VAR)?.values[0];
}
