// XEP-0054 vcard-temp: each account stores one vCard (iq set without 'to'); anyone may read it at
// the account's bare JID, the server answering on the account's behalf. Stores fire 'vcard/updated'
// with the XEP-0153 photo hash, which is also stamped into the account's available presence.
// Config: [modules.vcard] max_bytes, presence_photo_hash. Features: vcard-temp (host, account).
// Iq: get/set vcard-temp (bare JIDs). Hooks: presence/broadcast + client/stanza (XEP-0153 stamp),
// account/deleted (cache).
import { z } from 'zod';
import { defineModule } from '../types.ts';
import { StanzaError } from '../../stanza/errors.ts';
import { xml, type Element } from '../../xml/element.ts';
import { NS } from '../../xml/namespaces.ts';
import { parseElement } from '../../xml/parse-element.ts';
import { jid } from '../../jid/index.ts';
import { PhotoHashes, stampPresence } from './avatar-presence.ts';
import { isEmptyVcard, photoHash } from './photo.ts';

export default defineModule({
  name: 'vcard',
  description: 'XEP-0054 vcard-temp storage and retrieval, XEP-0153 photo hash in presence',
  options: z.object({
    max_bytes: z.number().int().min(1024).default(64 * 1024).describe('Largest vCard stored, in bytes of XML (keep it below limits.max_stanza_size)'),
    presence_photo_hash: z.boolean().default(true).describe('Add the XEP-0153 vCard photo hash to available presence that lacks one'),
  }).strict(),
  start(ctx) {
    ctx.disco.addFeature(NS.vcard, 'host');
    ctx.disco.addFeature(NS.vcard, 'account');
    const store = ctx.storage.vcard;
    const hashes = new PhotoHashes(store);
    const empty = () => xml('vCard', { xmlns: NS.vcard });

    ctx.iq.handle(NS.vcard, 'get', async ({ payload, from, to }): Promise<Element> => {
      if (!payload.is('vCard', NS.vcard)) throw new StanzaError('bad-request', 'Expected <vCard xmlns="vcard-temp"/>');
      const stored = await store.get(to.local, to.domain);
      const vcard = stored ? parseElement(stored.vcard) : null;
      if (vcard) return vcard;
      // XEP-0054 §3.1: for the owner, "an IQ-result containing an empty <vCard/>" (clients then edit it).
      if (from.bare().equals(to.bare())) return empty();
      // XEP-0054 §3.3: no vCard and no such account get the same answer, <service-unavailable/>.
      throw new StanzaError('service-unavailable');
    }, { scope: 'bare' });

    ctx.iq.handle(NS.vcard, 'set', async ({ payload, from, to }) => {
      // XEP-0054 §3.2: only the account itself sets its vCard.
      if (!from.bare().equals(to.bare())) throw new StanzaError('forbidden', 'You can only set your own vCard');
      if (!payload.is('vCard', NS.vcard)) throw new StanzaError('bad-request', 'Expected <vCard xmlns="vcard-temp"/>');
      const text = payload.clone().toString();
      const bytes = Buffer.byteLength(text);
      // A local size policy: <not-acceptable/> ("does not meet criteria defined by the server",
      // RFC 6120 §8.3.3.9), as XEP-0060 §7.1.3.5 does for a payload that is too big. Nothing is stored.
      if (bytes > ctx.options.max_bytes) throw new StanzaError('not-acceptable', `The vCard is ${bytes} bytes; at most ${ctx.options.max_bytes} are accepted`);
      const owner = jid(to.local, to.domain);
      if (isEmptyVcard(payload)) {
        // Setting an empty vCard removes it (as Prosody does); the owner then reads an empty one.
        await store.set(to.local, to.domain, null);
        hashes.set(owner, undefined);
        await ctx.hooks.fire('vcard/updated', { username: to.local, domain: to.domain, vcard: null, photoHash: null });
        return;
      }
      const hash = photoHash(payload);
      await store.set(to.local, to.domain, { vcard: text, photoHash: hash, updatedAt: Date.now() });
      hashes.set(owner, hash);
      await ctx.hooks.fire('vcard/updated', { username: to.local, domain: to.domain, vcard: payload.clone(), photoHash: hash });
    }, { scope: 'bare' });

    const offs: Array<() => void> = [
      ctx.hooks.on('account/deleted', ({ username, domain }) => void hashes.forget(jid(username, domain))),
    ];
    if (ctx.options.presence_photo_hash) {
      // Highest priority: the stamp must be on the stanza before presence is broadcast or stored.
      offs.push(
        ctx.hooks.on('presence/broadcast', ({ stanza, session }) => stampPresence(stanza, session.jid, hashes), 1000),
        ctx.hooks.on('client/stanza', async ({ stanza, session }) => {
          if (stanza.name === 'presence' && stanza.attrs.to !== undefined) await stampPresence(stanza, session.jid, hashes);
        }, 1000),
      );
    }
    return () => offs.forEach((off) => off());
  },
});
