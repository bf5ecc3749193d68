// Pure XEP-0049 helpers: which namespaces may be stored, grouping a <query/>'s children by
// namespace, and detaching a child so its serialized form stands alone.
import { StanzaError } from '../../stanza/errors.ts';
import type { Element } from '../../xml/element.ts';
import { NS } from '../../xml/namespaces.ts';

/**
 * XEP-0049 §3 lets a server refuse reserved namespaces with <not-acceptable/>. Parley refuses the
 * stanza namespaces (a stored fragment must not read as a stanza) and jabber:iq:private itself
 * (the unqualified children of <query/> inherit it, i.e. the client forgot its own namespace), and
 * accepts the rest of 'jabber:*', which clients do use for their own data.
 */
const RESERVED = new Set<string>([NS.client, NS.server, NS.privateXml]);

export function checkNamespace(ns: string | undefined): string {
  if (ns === undefined || ns === '' || RESERVED.has(ns)) {
    throw new StanzaError('not-acceptable', `Private XML needs a namespace of its own${ns ? ` (not ${ns})` : ''} (XEP-0049 §3)`);
  }
  return ns;
}

/** A deep copy whose root declares every namespace prefix in scope where it stood. */
export function detach(el: Element): Element {
  const copy = el.clone();
  for (let up = el.parent; up; up = up.parent) {
    for (const [k, v] of Object.entries(up.attrs)) if (k.startsWith('xmlns:') && !(k in copy.attrs)) copy.attrs[k] = v;
  }
  return copy;
}

/** The children of a set's <query/>, grouped by namespace in document order (XEP-0049 §2.1). */
export function groupByNamespace(query: Element): Map<string, Element[]> {
  const children = query.getChildElements();
  // XEP-0049 §2.1: "At least one child element with a proper namespace MUST be included; otherwise
  // the server MUST respond with a Not Acceptable error".
  if (children.length === 0) throw new StanzaError('not-acceptable', 'Nothing to store: <query/> is empty');
  const groups = new Map<string, Element[]>();
  for (const child of children) {
    const ns = checkNamespace(child.getNS());
    const list = groups.get(ns) ?? [];
    list.push(detach(child));
    groups.set(ns, list);
  }
  return groups;
}
