// Checking a submitted form against the form that was offered (XEP-0004 §3.3 field types, §4
// "data validation is the responsibility of the form-processing entity"). Unknown fields are
// ignored (§3.1 'submit'), required fields must carry a non-empty value, single-valued types
// carry at most one value, list values come from the options, JIDs parse.
import { tryParseJid, type Jid } from '../jid/index.ts';
import { formTypeOf } from './parse.ts';
import { FORM_TYPE_VAR, FormError, type DataForm, type Field, type FieldType } from './types.ts';

const MULTI: ReadonlySet<FieldType> = new Set(['list-multi', 'jid-multi', 'text-multi', 'hidden']);

/** Submitted values by field var, checked and normalised (booleans as '1'/'0', JIDs canonical). */
export class FormValues {
  constructor(private readonly map: ReadonlyMap<string, string[]>) {}

  has(name: string): boolean {
    return this.map.has(name);
  }
  /** All values (empty when the field was not submitted). */
  values(name: string): string[] {
    return this.map.get(name) ?? [];
  }
  /** The single value, or undefined when absent or empty. */
  value(name: string): string | undefined {
    const v = this.map.get(name)?.[0];
    return v === undefined || v === '' ? undefined : v;
  }
  /** text-multi: the lines joined with newlines. */
  text(name: string): string | undefined {
    const v = this.map.get(name);
    return v && v.length ? v.join('\n') : undefined;
  }
  boolean(name: string, fallback = false): boolean {
    const v = this.value(name);
    return v === undefined ? fallback : v === '1';
  }
  jid(name: string): Jid | undefined {
    const v = this.value(name);
    return v === undefined ? undefined : (tryParseJid(v) ?? undefined);
  }
  jids(name: string): Jid[] {
    return this.values(name).map((v) => tryParseJid(v)).filter((j): j is Jid => j !== null);
  }
  entries(): [string, string[]][] {
    return [...this.map.entries()];
  }
}

/** §3.3 boolean lexical forms; normalised to '1' / '0'. */
function parseBoolean(v: string, name: string): string {
  const t = v.trim();
  if (t === '1' || t === 'true') return '1';
  if (t === '0' || t === 'false') return '0';
  throw new FormError(`field '${name}' must be a boolean (0, 1, true or false)`, name);
}

function checkField(def: Field, submitted: string[], name: string): string[] {
  const type = def.type ?? 'text-single';
  if (!MULTI.has(type) && submitted.length > 1) throw new FormError(`field '${name}' takes one value`, name);
  let values = submitted;
  if (type === 'boolean') values = values.map((v) => parseBoolean(v, name));
  if (type === 'jid-single' || type === 'jid-multi') {
    const out: string[] = [];
    for (const v of values) {
      if (v.trim() === '') continue;
      const j = tryParseJid(v.trim());
      if (!j) throw new FormError(`field '${name}' holds an invalid JID: ${v}`, name);
      // §3.3 jid-multi: duplicates (after normalisation) MUST be ignored.
      if (!out.includes(j.toString())) out.push(j.toString());
    }
    values = out;
  }
  if ((type === 'list-single' || type === 'list-multi') && def.options) {
    const allowed = new Set(def.options.map((o) => o.value));
    // §3.3: the submitter "MUST NOT insert new options".
    for (const v of values) if (!allowed.has(v)) throw new FormError(`field '${name}' does not offer '${v}'`, name);
  }
  if (def.required && values.every((v) => v.trim() === '')) throw new FormError(`field '${name}' is required`, name);
  return values;
}

/**
 * Validate `submitted` (type 'submit') against `offered` (the form that was sent). Throws
 * FormError naming the field at fault; returns only the fields the offered form defines.
 */
export function validateSubmission(offered: DataForm, submitted: DataForm): FormValues {
  if (submitted.type !== 'submit') throw new FormError(`expected a form of type submit, got ${submitted.type}`);
  const expectedType = formTypeOf(offered);
  if (expectedType !== undefined) {
    const got = formTypeOf(submitted);
    // XEP-0068 §4: a submission carries the FORM_TYPE it answers. Tolerate its absence (many
    // clients drop hidden fields), but not a different one.
    if (got !== undefined && got !== expectedType) throw new FormError(`FORM_TYPE is ${got}, expected ${expectedType}`, FORM_TYPE_VAR);
  }
  const given = new Map<string, string[]>();
  for (const f of submitted.fields) if (f.var !== undefined) given.set(f.var, f.values);
  const out = new Map<string, string[]>();
  for (const def of offered.fields) {
    if (def.var === undefined || def.type === 'fixed' || def.var === FORM_TYPE_VAR) continue;
    const sub = given.get(def.var);
    if (sub === undefined) {
      if (def.required) throw new FormError(`field '${def.var}' is required`, def.var);
      continue;
    }
    out.set(def.var, checkField(def, sub, def.var));
  }
  return new FormValues(out);
}

/** Values of a form without a template (e.g. a result or a form of an unknown protocol). */
export function formValues(form: DataForm): FormValues {
  const m = new Map<string, string[]>();
  for (const f of form.fields) if (f.var !== undefined) m.set(f.var, f.values);
  return new FormValues(m);
}
