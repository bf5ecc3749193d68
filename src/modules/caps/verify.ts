// XEP-0115 §5.1 verification string generation and §5.4 well-formedness checks, as pure functions
// over a disco#info <query/>. No server state, so the §5.2/§5.3 examples test it directly.
import { createHash } from 'node:crypto';
import type { Element } from '../../xml/element.ts';

export const NS_CAPS = 'http://jabber.org/protocol/caps';
const NS_DATA = 'jabber:x:data';

/** Hash names from the IANA Hash Function Textual Names registry (XEP-0115 §5.1 step 9) we compute. */
const HASHES: Record<string, string> = { 'sha-1': 'sha1', 'sha-224': 'sha224', 'sha-256': 'sha256', 'sha-384': 'sha384', 'sha-512': 'sha512' };

export function isSupportedHash(name: string | undefined): name is string {
  return name !== undefined && Object.hasOwn(HASHES, name);
}

/**
 * §5.1: "i;octet" collation (RFC 4790 §9.3) orders by UTF-8 bytes, which is code point order. JS
 * string comparison orders UTF-16 code units, which differs only when a surrogate pair meets a
 * character in U+E000..U+FFFF; compare code points there.
 */
function octetCompare(a: string, b: string): number {
  if (a === b) return 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    const cx = a.codePointAt(i)!;
    const cy = b.codePointAt(i)!;
    return cx < cy ? -1 : cx > cy ? 1 : 0;
  }
  return a.length - b.length;
}

function compareTuples(a: string[], b: string[]): number {
  for (let i = 0; i < a.length; i++) {
    const c = octetCompare(a[i], b[i]);
    if (c !== 0) return c;
  }
  return 0;
}

const XML_LANG = 'xml:lang';

/**
 * The string S of XEP-0115 §5.1 for a disco#info result, or null when the result is ill-formed in
 * one of the ways §5.4 step 3.3-3.5 lists (duplicate identity, duplicate feature, two forms with the
 * same FORM_TYPE or a FORM_TYPE with differing values). Forms without a hidden FORM_TYPE are
 * ignored (§5.4 step 3.6).
 */
export function verificationString(query: Element): string | null {
  const identities = query.getChildren('identity').map((i) => [i.attrs.category ?? '', i.attrs.type ?? '', i.attrs[XML_LANG] ?? '', i.attrs.name ?? '']);
  const seenIdentity = new Set<string>();
  for (const id of identities) {
    const key = id.join('/');
    if (seenIdentity.has(key)) return null;
    seenIdentity.add(key);
  }
  // §5.1 step 2: by category, then type, then xml:lang (name only breaks ties of malformed input).
  identities.sort(compareTuples);

  const features = query.getChildren('feature').map((f) => f.attrs.var ?? '');
  if (new Set(features).size !== features.length) return null;
  features.sort(octetCompare);

  const forms: Array<{ formType: string; text: string }> = [];
  for (const x of query.getChildren('x', NS_DATA)) {
    const fields = x.getChildren('field');
    const formTypeField = fields.find((f) => f.attrs.var === 'FORM_TYPE');
    if (!formTypeField) continue;
    const typeValues = formTypeField.getChildren('value').map((v) => v.getText());
    if (new Set(typeValues).size > 1) return null;
    if (formTypeField.attrs.type !== 'hidden' || typeValues.length === 0) continue;
    const formType = typeValues[0];
    if (forms.some((f) => f.formType === formType)) return null;
    let text = `${formType}<`;
    const rest = fields.filter((f) => f.attrs.var !== 'FORM_TYPE').sort((a, b) => octetCompare(a.attrs.var ?? '', b.attrs.var ?? ''));
    for (const f of rest) {
      text += `${f.attrs.var ?? ''}<`;
      for (const v of f.getChildren('value').map((e) => e.getText()).sort(octetCompare)) text += `${v}<`;
    }
    forms.push({ formType, text });
  }
  forms.sort((a, b) => octetCompare(a.formType, b.formType));

  let s = '';
  for (const id of identities) s += `${id.join('/')}<`;
  for (const f of features) s += `${f}<`;
  for (const f of forms) s += f.text;
  return s;
}

/** §5.1 step 9: base64 of the binary digest of the UTF-8 string. */
export function capsHash(hashName: string, s: string): string {
  const algo = HASHES[hashName];
  if (!algo) throw new Error(`unsupported caps hash ${hashName}`);
  return createHash(algo).update(s, 'utf8').digest('base64');
}

/** §5.4 step 3: whether a disco#info result matches the advertised hash and ver. */
export function verifyCaps(hashName: string, ver: string, query: Element): boolean {
  if (!isSupportedHash(hashName)) return false;
  const s = verificationString(query);
  return s !== null && capsHash(hashName, s) === ver;
}

/** The feature vars of a disco#info result. */
export function discoFeatures(query: Element): string[] {
  return query.getChildren('feature').map((f) => f.attrs.var).filter((v): v is string => v !== undefined && v !== '');
}
