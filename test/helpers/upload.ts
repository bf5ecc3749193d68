// XEP-0363 steps over an @xmpp/client session: ask for a slot (or for the error), and PUT.
import { nextId, send, expectStanza, type Client } from './xmppjs.ts';
import { httpReq, type HttpReply } from './https-request.ts';
import type { Element } from 'ltx';

export const NS_UPLOAD = 'urn:xmpp:http:upload:0';

export interface Slot {
  put: string;
  get: string;
  headers: Record<string, string>;
}

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');

/** The iq reply (result or error) to a slot request; `extra` is XML inside <request/> (a purpose). */
export async function requestSlotReply(c: Client, service: string, file: { name: string; size: number; type?: string }, extra = ''): Promise<Element> {
  const id = nextId('slot');
  const ct = file.type !== undefined ? ` content-type="${esc(file.type)}"` : '';
  await send(c, `<iq type="get" id="${id}" to="${service}"><request xmlns="${NS_UPLOAD}" filename="${esc(file.name)}" size="${file.size}"${ct}>${extra}</request></iq>`);
  return expectStanza(c, (el) => el.name === 'iq' && el.attrs.id === id && (el.attrs.type === 'result' || el.attrs.type === 'error'));
}

export async function requestSlot(c: Client, service: string, file: { name: string; size: number; type?: string }, extra = ''): Promise<Slot> {
  const reply = await requestSlotReply(c, service, file, extra);
  if (reply.attrs.type !== 'result') throw new Error(`slot request failed: ${reply.toString()}`);
  const slot = reply.getChild('slot', NS_UPLOAD)!;
  const put = slot.getChild('put')!;
  const headers: Record<string, string> = {};
  for (const h of put.getChildren('header')) headers[h.attrs.name] = h.getText();
  return { put: put.attrs.url, get: slot.getChild('get')!.attrs.url, headers };
}

export function putFile(slot: Slot, body: Buffer, type?: string): Promise<HttpReply> {
  return httpReq(slot.put, { method: 'PUT', body, headers: { ...slot.headers, ...(type ? { 'content-type': type } : {}) } });
}

/** The stanza error condition of an iq error reply. */
export function errorCondition(reply: Element): { type: string; condition: string; app?: Element } {
  const err = reply.getChild('error')!;
  const cond = err.children.find((c) => typeof c !== 'string' && c.attrs.xmlns === 'urn:ietf:params:xml:ns:xmpp-stanzas' && c.name !== 'text') as Element;
  const app = err.children.find((c) => typeof c !== 'string' && c.attrs.xmlns !== 'urn:ietf:params:xml:ns:xmpp-stanzas') as Element | undefined;
  return { type: err.attrs.type, condition: cond?.name, app };
}
