// XEP-0313 queries from an @xmpp/client test peer, as transcripts: build the <query/> from a few
// fields, send it, and gather the result messages (which precede the iq result, XEP-0313 §4) and
// the <fin/>. A new helper beside xmppjs.ts, which it builds on.
import type { Element } from 'ltx';
import { expectStanza, nextId, received, send, type Client } from './xmppjs.ts';

export const MAM = 'urn:xmpp:mam:2';
const RSM = 'http://jabber.org/protocol/rsm';

export interface MamQuery {
  to?: string;
  with?: string;
  start?: string;
  end?: string;
  afterId?: string;
  beforeId?: string;
  ids?: string[];
  /** Extra raw <field/> elements (to test unknown fields). */
  rawFields?: string;
  max?: number;
  after?: string;
  /** '' for an empty <before/> (the last page). */
  before?: string;
  index?: number;
  flip?: boolean;
}

export interface MamResult {
  id: string;
  stamp: string;
  from: string | undefined;
  /** The forwarded original. */
  message: Element;
  body: string | undefined;
  /** The <message/> that carried the result. */
  carrier: Element;
}

export interface MamFin {
  complete: string | undefined;
  first: string | undefined;
  firstIndex: string | undefined;
  last: string | undefined;
  count: string | undefined;
}

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/"/g, '&quot;');

export function queryXml(q: MamQuery, iqId: string, queryId: string): string {
  const field = (v: string, values: string[]) => `<field var="${v}">${values.map((x) => `<value>${esc(x)}</value>`).join('')}</field>`;
  const fields = [
    q.with !== undefined ? field('with', [q.with]) : '',
    q.start !== undefined ? field('start', [q.start]) : '',
    q.end !== undefined ? field('end', [q.end]) : '',
    q.afterId !== undefined ? field('after-id', [q.afterId]) : '',
    q.beforeId !== undefined ? field('before-id', [q.beforeId]) : '',
    q.ids !== undefined ? field('ids', q.ids) : '',
    q.rawFields ?? '',
  ].join('');
  const form = fields ? `<x xmlns="jabber:x:data" type="submit"><field var="FORM_TYPE" type="hidden"><value>${MAM}</value></field>${fields}</x>` : '';
  const rsmParts = [
    q.max !== undefined ? `<max>${q.max}</max>` : '',
    q.after !== undefined ? `<after>${esc(q.after)}</after>` : '',
    q.before !== undefined ? (q.before === '' ? '<before/>' : `<before>${esc(q.before)}</before>`) : '',
    q.index !== undefined ? `<index>${q.index}</index>` : '',
  ].join('');
  const rsm = rsmParts ? `<set xmlns="${RSM}">${rsmParts}</set>` : '';
  const to = q.to !== undefined ? ` to="${esc(q.to)}"` : '';
  return `<iq type="set" id="${iqId}"${to}><query xmlns="${MAM}" queryid="${queryId}">${form}${rsm}${q.flip ? '<flip-page/>' : ''}</query></iq>`;
}

/** Run a query that must succeed; results in the order received. */
export async function mamQuery(c: Client, q: MamQuery = {}, timeoutMs = 5000): Promise<{ results: MamResult[]; fin: MamFin; iq: Element }> {
  const iqId = nextId('mam');
  const queryId = nextId('q');
  const before = new Set(received(c));
  await send(c, queryXml(q, iqId, queryId));
  const iq = await expectStanza(c, (el) => el.name === 'iq' && el.attrs.id === iqId, timeoutMs);
  if (iq.attrs.type !== 'result') throw new Error(`MAM query failed: ${iq.toString()}`);
  const results = received(c)
    .filter((el) => !before.has(el) && el.name === 'message' && el.getChild('result', MAM)?.attrs.queryid === queryId)
    .map((carrier) => {
      const result = carrier.getChild('result', MAM)!;
      const fwd = result.getChild('forwarded', 'urn:xmpp:forward:0')!;
      const message = fwd.getChild('message')!;
      return {
        id: result.attrs.id as string,
        stamp: fwd.getChild('delay', 'urn:xmpp:delay')?.attrs.stamp as string,
        from: carrier.attrs.from as string | undefined,
        message,
        body: message.getChildText('body') ?? undefined,
        carrier,
      };
    });
  const fin = iq.getChild('fin', MAM);
  if (!fin) throw new Error(`MAM result without <fin/>: ${iq.toString()}`);
  const set = fin.getChild('set', RSM);
  return {
    results,
    iq,
    fin: {
      complete: fin.attrs.complete,
      first: set?.getChildText('first') ?? undefined,
      firstIndex: set?.getChild('first')?.attrs.index,
      last: set?.getChildText('last') ?? undefined,
      count: set?.getChildText('count') ?? undefined,
    },
  };
}

/** Run a query that must fail; returns the error condition. */
export async function mamQueryError(c: Client, q: MamQuery, timeoutMs = 5000): Promise<string> {
  const iqId = nextId('mam');
  await send(c, queryXml(q, iqId, nextId('q')));
  const iq = await expectStanza(c, (el) => el.name === 'iq' && el.attrs.id === iqId, timeoutMs);
  if (iq.attrs.type !== 'error') throw new Error(`MAM query was expected to fail: ${iq.toString()}`);
  const cond = iq.getChild('error')?.children.find((ch): ch is Element => typeof ch !== 'string' && ch.attrs.xmlns === 'urn:ietf:params:xml:ns:xmpp-stanzas' && ch.name !== 'text');
  return cond?.name ?? 'unknown';
}

/** An iq get/set with one payload; resolves with the reply (result or error). */
export async function iq(c: Client, type: 'get' | 'set', payload: string, to?: string, timeoutMs = 5000): Promise<Element> {
  const id = nextId('iq');
  await send(c, `<iq type="${type}" id="${id}"${to ? ` to="${esc(to)}"` : ''}>${payload}</iq>`);
  return expectStanza(c, (el) => el.name === 'iq' && el.attrs.id === id, timeoutMs);
}

/** The <stanza-id xmlns='urn:xmpp:sid:0'/> elements of a received stanza. */
export function stanzaIds(el: Element): Array<{ by: string; id: string }> {
  return el.getChildren('stanza-id', 'urn:xmpp:sid:0').map((s) => ({ by: s.attrs.by as string, id: s.attrs.id as string }));
}
