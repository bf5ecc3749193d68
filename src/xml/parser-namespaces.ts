// Namespaces in XML 1.0 (Third Edition) for the hardened parser: in-scope declarations as a chain
// of small scopes, created only by elements that declare something.
import { XmlParseError } from './stream-parser.ts';
import { isName } from './parser-chars.ts';

export const XML_NS = 'http://www.w3.org/XML/1998/namespace';
export const XMLNS_NS = 'http://www.w3.org/2000/xmlns/';

export interface Scope {
  /** The default namespace in effect (inherited), undefined if none. */
  readonly defaultNS: string | undefined;
  /** The default namespace was declared outside any stanza: a detached stanza must repeat it. */
  readonly defaultOuter: boolean;
  /** Prefixes declared by the element that made this scope. */
  readonly prefixes: Map<string, string> | null;
  readonly parent: Scope | null;
  /** Declared outside any stanza (on the stream root): a detached stanza must repeat it. */
  readonly outer: boolean;
}

export function rootScope(defaultNS: string | undefined): Scope {
  return { defaultNS, defaultOuter: true, prefixes: null, parent: null, outer: true };
}

function notWellFormed(msg: string): never {
  throw new XmlParseError('not-well-formed', msg);
}

/** The scope of an element with xmlns / xmlns:* attributes, checked per Namespaces §3. */
export function declare(parent: Scope, attrs: Record<string, string>, outer: boolean): Scope {
  let defaultNS = parent.defaultNS;
  let defaultOuter = parent.defaultOuter;
  let prefixes: Map<string, string> | null = null;
  for (const name in attrs) {
    if (!name.startsWith('xmlns')) continue;
    const uri = attrs[name];
    if (name.length === 5) {
      if (uri === XML_NS || uri === XMLNS_NS) notWellFormed(`${uri} cannot be the default namespace`);
      defaultNS = uri;
      defaultOuter = outer;
      continue;
    }
    if (name.charCodeAt(5) !== 0x3a /* : */) continue;
    const prefix = name.slice(6);
    if (!isName(prefix) || prefix.includes(':')) notWellFormed(`malformed namespace declaration ${name}`);
    if (prefix === 'xmlns') notWellFormed('the xmlns prefix cannot be declared');
    // Namespaces §3 (XML 1.0 flavour): a prefix cannot be undeclared; blank is no name either.
    if (/^[ \t\r\n]*$/.test(uri)) notWellFormed(`empty namespace name for prefix ${prefix}`);
    if ((prefix === 'xml') !== (uri === XML_NS)) notWellFormed(`the xml prefix and ${XML_NS} belong to each other only`);
    if (uri === XMLNS_NS) notWellFormed(`${XMLNS_NS} cannot be declared`);
    (prefixes ??= new Map()).set(prefix, uri);
  }
  return { defaultNS, defaultOuter, prefixes, parent, outer };
}

/** The scope that binds prefix, or null (the implicit `xml` prefix is the caller's business). */
export function lookup(scope: Scope, prefix: string): Scope | null {
  for (let s: Scope | null = scope; s; s = s.parent) if (s.prefixes?.has(prefix)) return s;
  return null;
}

/** Splits a QName (Namespaces §4) at its colon; -1 means no prefix. */
export function prefixEnd(name: string): number {
  const colon = name.indexOf(':');
  if (colon === -1) return -1;
  if (colon === 0 || colon === name.length - 1 || name.indexOf(':', colon + 1) !== -1) notWellFormed(`malformed qualified name ${JSON.stringify(name.slice(0, 40))}`);
  return colon;
}
