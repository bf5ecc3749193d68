// XEP-0163 Personal Eventing Protocol: a XEP-0060 pubsub service at every account's bare JID, with
// notifications filtered by XEP-0115 +notify caps, plus what lives on top of it: XEP-0084 avatars
// mirrored from vCard-temp, XEP-0292 vCard4, XEP-0402 bookmarks with XEP-0048/0049 compatibility.
// Config: max_items, max_payload_bytes, max_nodes, vcard_avatar_sync, bookmarks_compat.
// Features (account): pubsub + #publish #publish-options #auto-create #create-nodes #create-and-configure
//   #delete-nodes #purge-nodes #retract-items #delete-items #retrieve-items #item-ids #persistent-items
//   #config-node #retrieve-default #access-open #access-presence #access-roster #access-whitelist
//   #modify-affiliations #last-published #filtered-notifications #presence-notifications #auto-subscribe;
//   identity pubsub/pep; urn:ietf:params:xml:ns:vcard-4.0; urn:xmpp:bookmarks:1#compat, #compat-pep.
// Iq (bare): pubsub get/set, pubsub#owner get/set, vcard-4.0 get/set; via the iq/bare hook:
//   disco#items (node list, a node's items) and disco#info with a node (XEP-0060 §5), and
//   jabber:iq:private for storage:bookmarks. Hooks: presence/broadcast, presence/bare (observe),
//   caps/resolved, session/closed, account/deleted, vcard/updated. Fires: pep/item-published.
// Service: 'pep'.
import { z } from 'zod';
import { defineModule } from '../types.ts';
import { jid as makeJid, type Jid } from '../../jid/index.ts';
import { StanzaError } from '../../stanza/errors.ts';
import { xml } from '../../xml/element.ts';
import { pepDisco } from './disco.ts';
import { BookmarksCompat, NS_BOOKMARKS, NS_LEGACY_BOOKMARKS } from './bookmarks.ts';
import { NS_PUBSUB, NS_PUBSUB_OWNER, ownerGet, ownerSet, pubsubGet, pubsubSet, type HandlerDeps } from './handlers.ts';
import { PepPresence } from './presence.ts';
import { avatarFromVcard, NS_VCARD4, vcard4Get, vcard4Set } from './profile.ts';
import { Recipients } from './recipients.ts';
import { PepServiceImpl } from './service.ts';

const PUBSUB_FEATURES = [
  'publish', 'publish-options', 'auto-create', 'create-nodes', 'create-and-configure', 'delete-nodes', 'purge-nodes',
  'retract-items', 'delete-items', 'retrieve-items', 'item-ids', 'persistent-items', 'config-node', 'retrieve-default',
  'access-open', 'access-presence', 'access-roster', 'access-whitelist', 'modify-affiliations',
  'last-published', 'filtered-notifications', 'presence-notifications', 'auto-subscribe',
];
const NS_PRIVATE = 'jabber:iq:private';

export default defineModule({
  name: 'pep',
  description: 'XEP-0163 personal eventing (PEP) with avatars, vCard4 and bookmarks on top',
  dependencies: ['caps'],
  options: z.object({
    max_items: z.number().int().min(1).max(10_000).default(256).describe('Most items a node keeps; what pubsub#max_items "max" means'),
    max_payload_bytes: z.number().int().min(256).default(128 * 1024).describe('Largest item payload accepted, in bytes of XML (bigger: not-acceptable + payload-too-big)'),
    max_nodes: z.number().int().min(1).default(1000).describe('Most nodes one account may have'),
    vcard_avatar_sync: z.boolean().default(true).describe('Publish the vCard-temp PHOTO as the XEP-0084 avatar when a vCard is stored'),
    bookmarks_compat: z.boolean().default(true).describe('Keep XEP-0402 bookmarks in step with XEP-0048 ones (PEP storage:bookmarks and private XML)'),
  }).strict(),
  start(ctx) {
    const o = ctx.options;
    ctx.disco.addIdentity({ category: 'pubsub', type: 'pep' }, 'account');
    ctx.disco.addFeature(NS_PUBSUB, 'account');
    for (const f of PUBSUB_FEATURES) ctx.disco.addFeature(`${NS_PUBSUB}#${f}`, 'account');
    ctx.disco.addFeature(NS_VCARD4, 'account');
    if (o.bookmarks_compat) {
      ctx.disco.addFeature(`${NS_BOOKMARKS}#compat`, 'account');
      ctx.disco.addFeature(`${NS_BOOKMARKS}#compat-pep`, 'account');
    }

    const local = new Set(ctx.domains.map((d) => d.toLowerCase()));
    const recipients = new Recipients();
    let bookmarks: BookmarksCompat | undefined;
    const service: PepServiceImpl = new PepServiceImpl({
      store: ctx.storage.pep,
      limits: { maxItems: o.max_items, maxPayloadBytes: o.max_payload_bytes, maxNodes: o.max_nodes },
      recipients,
      roster: () => ctx.services.get('roster'),
      caps: () => ctx.services.get('caps'),
      blocking: () => ctx.services.get('blocking'),
      send: (stanza) => void ctx.router.route(stanza),
      async published(ev) {
        await ctx.hooks.fire('pep/item-published', { owner: ev.owner, node: ev.node, itemId: ev.itemId, payload: ev.payload, publisher: ev.publisher });
        if (!bookmarks || ev.sync) return;
        const b = bookmarks;
        if (ev.node === NS_BOOKMARKS) await b.guard('native → legacy', () => b.nativeChanged(ev.owner));
        if (ev.node === NS_LEGACY_BOOKMARKS) await b.guard('legacy → native', () => b.legacyChanged(ev.owner, ev.payload));
      },
      async retracted(ev) {
        const b = bookmarks;
        if (b && !ev.sync && ev.node === NS_BOOKMARKS) await b.guard('native → legacy', () => b.nativeChanged(ev.owner));
      },
    });
    if (o.bookmarks_compat) bookmarks = new BookmarksCompat(service, ctx.log);
    const presence = new PepPresence({
      recipients,
      service,
      roster: () => ctx.services.get('roster'),
      features: (j) => ctx.services.get('caps')?.features(j),
      isLocalDomain: (d) => local.has(d),
    });

    const deps: HandlerDeps = {
      service,
      accountExists: (owner) => ctx.accounts.exists(owner.local, owner.domain),
      rosterGroups: async (owner) => {
        const items = (await ctx.services.get('roster')?.items(owner.local, owner.domain)) ?? [];
        return [...new Set(items.flatMap((i) => i.groups))];
      },
    };
    ctx.iq.handle(NS_PUBSUB, 'get', pubsubGet(deps), { scope: 'bare' });
    ctx.iq.handle(NS_PUBSUB, 'set', pubsubSet(deps), { scope: 'bare' });
    ctx.iq.handle(NS_PUBSUB_OWNER, 'get', ownerGet(deps), { scope: 'bare' });
    ctx.iq.handle(NS_PUBSUB_OWNER, 'set', ownerSet(deps), { scope: 'bare' });
    ctx.iq.handle(NS_VCARD4, 'get', vcard4Get(service, deps.accountExists), { scope: 'bare' });
    ctx.iq.handle(NS_VCARD4, 'set', vcard4Set(service), { scope: 'bare' });

    const logged = (what: string) => (err: unknown) => ctx.log.warn({ err, what }, 'pep step failed');
    const offs = [
      ctx.hooks.on('presence/broadcast', ({ stanza, session }) => {
        void presence.onBroadcast(session, stanza).catch(logged('presence'));
      }, 50),
      // Remote contacts' presence to an account (RFC 6121 §4.2.2); observed, never consumed.
      ctx.hooks.on('presence/bare', ({ stanza, from, to }) => {
        if (from.resource && !local.has(from.domain)) void presence.onInbound(from, to, stanza).catch(logged('inbound presence'));
      }, 90),
      ctx.hooks.on('caps/resolved', ({ jid, features, previous }) => {
        void presence.onCapsResolved(jid, features, previous).catch(logged('caps'));
      }),
      ctx.hooks.on('session/closed', ({ session }) => recipients.removeRecipient(session.jid.toString())),
      ctx.hooks.on('account/deleted', ({ username, domain }) => recipients.removeOwner(makeJid(username, domain).toString())),
    ];
    // XEP-0060 §5.2-§5.5 node discovery, answered before the disco module (which knows no nodes).
    offs.push(ctx.hooks.on('iq/bare', async ({ stanza, from, to }) => {
      const query = stanza.getChildElements()[0];
      if (stanza.attrs.type !== 'get' || !query) return false;
      const answer = await pepDisco(service, to.bare(), from, query, () => deps.accountExists(to.bare()));
      if (!answer) return false;
      await ctx.router.route(xml('iq', { type: 'result', id: stanza.attrs.id, from: stanza.attrs.to ?? to.toString(), to: from.toString() }, answer));
      return true;
    }, 10));
    if (o.vcard_avatar_sync) {
      offs.push(ctx.hooks.on('vcard/updated', async ({ username, domain, vcard }) => {
        await avatarFromVcard(service, makeJid(username, domain), vcard).catch(logged('vCard avatar'));
      }));
    }
    if (bookmarks) {
      const b = bookmarks;
      // XEP-0402 #compat: XEP-0049 private XML for storage:bookmarks is answered from PEP (one copy).
      offs.push(ctx.hooks.on('iq/bare', async ({ stanza, from, to }) => {
        const type = stanza.attrs.type;
        const query = stanza.getChild('query', NS_PRIVATE);
        const storage = query?.getChild('storage', NS_LEGACY_BOOKMARKS);
        if ((type !== 'get' && type !== 'set') || !query || !storage || query.getChildElements().length !== 1) return false;
        if (!from.bare().equals(to.bare())) throw new StanzaError('forbidden', 'Private XML storage is the owner\'s alone');
        const owner: Jid = to.bare();
        const reply = xml('iq', { type: 'result', id: stanza.attrs.id, from: stanza.attrs.to ?? to.toString(), to: from.toString() });
        if (type === 'get') reply.append(xml('query', { xmlns: NS_PRIVATE }, await b.legacyDocument(owner)));
        else await b.storePrivate(owner, storage.clone());
        await ctx.router.route(reply);
        return true;
      }, 10));
    }

    ctx.services.provide('pep', {
      async items(owner, node, opts = {}) {
        if (!(await service.node(owner, node))) return null;
        try {
          const list = await service.items(owner, node, opts.requester ?? owner, { ids: opts.ids, last: opts.last });
          return list.map((i) => ({ id: i.id, payload: i.payload }));
        } catch (e) {
          if (e instanceof StanzaError) return null;
          throw e;
        }
      },
      async publish(owner, node, itemId, payload, config) {
        const createWith = new Map(Object.entries(config ?? {}).map(([k, v]) => [k, [v]]));
        await service.publish(owner, { node, itemId, payload, publisher: owner, createWith });
      },
    });
    return () => offs.forEach((off) => off());
  },
});
