// XEP-0049 Private XML Storage: each account keeps XML fragments on the server, one document per
// namespace, readable and writable only by the account itself (kv store 'private', key = namespace).
// Config: [modules.private] max_bytes_per_namespace, max_bytes. Features: jabber:iq:private (host, account).
// Iq: get/set jabber:iq:private (own bare JID).
import { z } from 'zod';
import { defineModule } from '../types.ts';
import type { IqRequest } from '../../router/iq.ts';
import { StanzaError } from '../../stanza/errors.ts';
import { xml, type Element } from '../../xml/element.ts';
import { NS } from '../../xml/namespaces.ts';
import { parseElement } from '../../xml/parse-element.ts';
import { checkNamespace, detach, groupByNamespace } from './fragments.ts';

const STORE = 'private';

/** XEP-0049 §3: another user's private data is not theirs to read or write; <forbidden/> is "preferable". */
function owner(req: IqRequest): { u: string; d: string } {
  if (!req.from.bare().equals(req.to.bare())) throw new StanzaError('forbidden', 'Private XML belongs to its account only');
  return { u: req.to.local, d: req.to.domain };
}

export default defineModule({
  name: 'private',
  description: 'XEP-0049 private XML storage',
  options: z.object({
    max_bytes_per_namespace: z.number().int().min(1024).default(64 * 1024).describe('Largest document stored under one namespace, in bytes'),
    max_bytes: z.number().int().min(1024).default(1024 * 1024).describe('Most private XML one account may store, in bytes'),
  }).strict(),
  start(ctx) {
    // XEP-0049 defines no disco feature; servers commonly list the namespace (Prosody on the host).
    ctx.disco.addFeature(NS.privateXml, 'host');
    ctx.disco.addFeature(NS.privateXml, 'account');
    const kv = ctx.storage.kv;
    const { max_bytes_per_namespace: perNs, max_bytes: total } = ctx.options;

    ctx.iq.handle(NS.privateXml, 'get', async (req): Promise<Element> => {
      const { u, d } = owner(req);
      const asked = req.payload.getChildElements();
      // XEP-0049 §2.2 / §3: one namespace per get; an empty get is a "Bad Format" (bad-request).
      if (asked.length !== 1) throw new StanzaError('bad-request', asked.length === 0 ? 'Name the namespace to retrieve with an empty child element' : 'Retrieve one namespace per request (XEP-0049 §2)');
      const ns = checkNamespace(asked[0].getNS());
      const stored = await kv.get(u, d, STORE, ns);
      const doc = stored === null ? null : parseElement(stored);
      if (doc) return doc;
      // Nothing stored: the result echoes the empty element asked for (XEP-0049 §2.2 example).
      return xml('query', { xmlns: NS.privateXml }, detach(asked[0]));
    }, { scope: 'bare' });

    ctx.iq.handle(NS.privateXml, 'set', async (req) => {
      const { u, d } = owner(req);
      const groups = groupByNamespace(req.payload);
      const docs = new Map<string, string>();
      for (const [ns, els] of groups) {
        const doc = xml('query', { xmlns: NS.privateXml }, els).toString();
        if (Buffer.byteLength(doc) > perNs) throw new StanzaError('not-acceptable', `Private XML in ${ns} is larger than ${perNs} bytes`);
        docs.set(ns, doc);
      }
      // The account's total after this set, counting what stays under other namespaces.
      let after = 0;
      for (const key of await kv.keys(u, d, STORE)) if (!docs.has(key)) after += Buffer.byteLength((await kv.get(u, d, STORE, key)) ?? '');
      for (const doc of docs.values()) after += Buffer.byteLength(doc);
      if (after > total) throw new StanzaError('not-acceptable', `Private XML storage is limited to ${total} bytes per account`);
      for (const [ns, doc] of docs) await kv.set(u, d, STORE, ns, doc);
    }, { scope: 'bare' });
  },
});
