// Streams a XEP-0227 file one <user/> at a time (a whole server's archives do not fit in memory
// as one tree): saxes parses, this builds only the current <user/> element and hands it over with
// its host. Namespace declarations of the ancestors are copied onto it, so it stands alone.
import { createReadStream } from 'node:fs';
import { SaxesParser, type SaxesTagPlain } from 'saxes';
import { Element } from '../xml/element.ts';
import { FormatError, NS_PIE } from './xep0227.ts';

export interface UserRecord {
  host: string;
  user: Element;
}

/** Count <user/> elements cheaply (for the progress bar's total) without building them. */
export async function countUsers(path: string): Promise<number> {
  let n = 0;
  let tail = '';
  for await (const chunk of createReadStream(path, { encoding: 'utf8', highWaterMark: 1 << 20 })) {
    const text = tail + (chunk as string);
    n += (text.match(/<user[\s/>]/g) ?? []).length;
    tail = text.slice(-6);
    // The tail is searched again with the next chunk; drop a match it already holds.
    if (/<user[\s/>]/.test(tail)) n--;
  }
  return n;
}

export async function* readUsers(path: string): AsyncGenerator<UserRecord> {
  const parser = new SaxesParser({ xmlns: false, position: false });
  const scopes: Array<Record<string, string>> = [];
  const ready: UserRecord[] = [];
  let host: string | null = null;
  let current: Element | null = null;
  let rootSeen = false;
  let error: Error | null = null;

  parser.on('error', (e) => {
    error ??= e;
  });
  parser.on('doctype', () => {
    error ??= new FormatError('a DOCTYPE is not allowed in a XEP-0227 file');
  });
  parser.on('opentag', (tag: SaxesTagPlain) => {
    const attrs = tag.attributes as Record<string, string>;
    const decls: Record<string, string> = { ...(scopes.at(-1) ?? {}) };
    for (const [k, v] of Object.entries(attrs)) if (k === 'xmlns' || k.startsWith('xmlns:')) decls[k] = v;
    scopes.push(decls);
    const depth = scopes.length;
    if (depth === 1) {
      if (tag.name !== 'server-data' || decls.xmlns !== NS_PIE) error ??= new FormatError(`not a XEP-0227 file: root <${tag.name}> in ${decls.xmlns ?? 'no namespace'}`);
      rootSeen = true;
    } else if (depth === 2 && tag.name === 'host') {
      host = attrs.jid ?? null;
      if (!host) error ??= new FormatError('a <host/> has no jid');
    } else if (depth === 3 && tag.name === 'user' && host) {
      current = new Element('user', { ...decls, ...attrs });
    } else if (current) {
      const el = new Element(tag.name, attrs);
      current.append(el);
      current = el;
    }
  });
  parser.on('text', (t) => {
    if (current && scopes.length > 3) current.append(t);
  });
  parser.on('cdata', (t) => {
    if (current) current.append(t);
  });
  parser.on('closetag', () => {
    const depth = scopes.length;
    scopes.pop();
    if (!current) return;
    if (depth === 3) {
      ready.push({ host: host!, user: current });
      current = null;
    } else current = current.parent;
  });

  for await (const chunk of createReadStream(path, { encoding: 'utf8', highWaterMark: 256 * 1024 })) {
    parser.write(chunk as string);
    if (error) throw error;
    while (ready.length) yield ready.shift()!;
  }
  parser.close();
  if (error) throw error;
  if (!rootSeen) throw new FormatError('empty file');
  while (ready.length) yield ready.shift()!;
}
