// XEP-0313 Message Archive Management (urn:xmpp:mam:2 and #extended) for user archives, with
// XEP-0441 preferences, XEP-0359 stanza ids and XEP-0059 paging.
// Config: [modules.mam] default_policy, retention_days, retention_interval, retention_batch_size,
//   default_page_size, max_page_size, rsm_count_limit, max_pref_jids.
// Features (account): urn:xmpp:mam:2, urn:xmpp:mam:2#extended, urn:xmpp:sid:0,
//   urn:xmpp:mam:2#groupchat-field, and urn:xmpp:mam:2#groupchat-available unless muc-pam (which
//   archives groupchat of rooms joined with the bare JID) is disabled. Query field
//   'include-groupchat' (§4.1.4): groupchat is left out of results unless it is true.
// Iq (own bare JID): set <query/> (results as messages, then <fin/>), get <query/> (the form),
//   get <metadata/>, get/set <prefs/>.
// Hooks: client/stanza (-50: sender's copy, after blocking, before sent carbons; strips forged
//   stanza-ids), message/bare + message/full (50: recipient's copy and <stanza-id/> before
//   delivery, after blocking), message/offline (500: same, before offline storage keeps it).
// Service: 'archive' (ArchiveService). Background: retention job (unref'd timer).
import client from 'prom-client';
import { z } from 'zod';
import { defineModule } from '../types.ts';
import type { Jid } from '../../jid/index.ts';
import type { Routed } from '../../hooks/events.ts';
import { StanzaError } from '../../stanza/errors.ts';
import { tryParseJid } from '../../jid/index.ts';
import { xml, type Element } from '../../xml/element.ts';
import { NS } from '../../xml/namespaces.ts';
import { Archiver } from './archiver.ts';
import { isArchivable } from './policy.ts';
import { queryFormTemplate } from './form.ts';
import { allowedByPrefs, buildPrefs, parsePrefs } from './prefs.ts';
import { runQuery, type QueryLimits } from './query.ts';
import { startRetention } from './retention.ts';
import { stampStanzaId, stripStanzaIds } from './stanza-id.ts';
import { reloadLive } from '../reload.ts';

const GROUPCHAT_FIELD = 'urn:xmpp:mam:2#groupchat-field';
const GROUPCHAT_AVAILABLE = 'urn:xmpp:mam:2#groupchat-available';
const PRIORITY_SENT = -50;
const PRIORITY_RECEIVED = 50;
const PRIORITY_OFFLINE = 500;

export default defineModule({
  name: 'mam',
  description: 'XEP-0313 message archive management with XEP-0359 stanza ids',
  options: z.object({
    default_policy: z.enum(['always', 'never', 'roster']).default('always').describe('What is archived for accounts that set no preferences (XEP-0441 default): always, never, or only contacts in the roster'),
    retention_days: z.number().int().min(0).default(0).describe('Delete archived messages older than this many days, oldest first (0 keeps them forever)'),
    retention_interval: z.number().int().min(60).default(3600).describe('Seconds between retention runs'),
    retention_batch_size: z.number().int().min(1).max(100_000).default(1000).describe('Messages deleted per transaction by a retention run'),
    default_page_size: z.number().int().min(1).max(1000).default(50).describe('Results per page when a query gives no RSM max'),
    max_page_size: z.number().int().min(1).max(1000).default(250).describe('Most results per page (and ids per query), whatever a query asks'),
    rsm_count_limit: z.number().int().min(0).default(10_000).describe('Send RSM count and first index only for result sets of at most this many messages: counting walks the index (about 0.2 s per million messages, see bench/mam.ts), so larger sets get none, as XEP-0059 allows; 0 never counts'),
    max_pref_jids: z.number().int().min(0).max(100_000).default(1000).describe('Most JIDs in each of the always/never preference lists'),
  }).strict(),
  start(ctx) {
    const o = ctx.options;
    // XEP-0313 §7: #groupchat-field for understanding 'include-groupchat'; #groupchat-available
    // when groupchat is stored in user archives, which only muc-pam does.
    const features = [NS.mam, NS.mamExtended, NS.stanzaId, GROUPCHAT_FIELD];
    if (!ctx.config.modules.disabled.includes('muc-pam')) features.push(GROUPCHAT_AVAILABLE);
    for (const f of features) ctx.disco.addFeature(f, 'account');

    const archivedTotal = new client.Counter({ name: 'parley_mam_archived_total', help: 'Messages archived, by direction seen from the archive owner', labelNames: ['direction'] as const, registers: [ctx.metrics.registry] });
    const timed = async <T>(op: string, fn: () => Promise<T>): Promise<T> => {
      const end = ctx.metrics.storageLatency.startTimer({ store: 'archive', op });
      try {
        return await fn();
      } finally {
        end();
      }
    };

    let warnedNoRoster = false;
    const archiver = new Archiver({
      archive: ctx.storage.archive,
      kv: ctx.storage.kv,
      get defaultPref() {
        return o.default_policy; // read per message: a config reload changes it at once
      },
      allowed: allowedByPrefs,
      async inRoster(owner, remote) {
        const roster = ctx.services.get('roster');
        if (!roster) {
          if (!warnedNoRoster) ctx.log.warn('archiving preference "roster" needs the roster module; treating every contact as not in the roster');
          warnedNoRoster = true;
          return false;
        }
        return (await roster.item(owner.local, owner.domain, remote.bare())) !== null;
      },
      onArchived: (direction) => archivedTotal.inc({ direction }),
    });
    const limits = (): QueryLimits => ({ defaultPageSize: Math.min(o.default_page_size, o.max_page_size), maxPageSize: o.max_page_size, countLimit: o.rsm_count_limit });
    // The service's query serves room archives (muc); the user's own iq below passes userArchive.
    const query = async (owner: Jid, payload: Element, opts: { to: Jid; send: (m: Element) => void }, userArchive = false) => {
      const { messages, fin } = await timed('query', () => runQuery(payload, { store: ctx.storage.archive, owner: owner.bare(), to: opts.to, userArchive }, limits()));
      for (const m of messages) opts.send(m);
      return fin;
    };
    ctx.services.provide('archive', {
      archive: (owner, stanza, opts) => archiver.archive(owner, stanza, opts),
      archivedId: (stanza, owner) => archiver.archivedId(stanza, owner),
      query,
    });

    // XEP-0359 §5: a client may not hand us a stanza-id that claims to come from us or our users.
    const isOurs = (by: Jid) => ctx.router.isLocal(by.domain);

    // The sender's copy (XEP-0313 §6.1.1: messages a user sends). A message without 'to' or to
    // the user's own JID is archived once, as received.
    const offSent = ctx.hooks.on('client/stanza', async ({ stanza, session }) => {
      if (stanza.name !== 'message') return;
      stripStanzaIds(stanza, isOurs);
      const to = stanza.attrs.to === undefined ? null : tryParseJid(stanza.attrs.to);
      const owner = session.jid.bare();
      if (!to || to.bare().equals(owner)) return;
      await archiver.archive(owner, stanza, { with: to, direction: 'out' });
    }, PRIORITY_SENT);

    // The recipient's copy, before delivery or offline storage, with the <stanza-id/> its
    // clients see (XEP-0313 §3.5). Only the archive owner's own claim is stripped here: a room's
    // stanza-id on a groupchat message, for one, is the room's to give.
    const onReceived = async (r: Routed): Promise<void> => {
      if (r.stanza.name !== 'message') return;
      const owner = r.to.bare();
      if (!owner.local || archiver.seen(r.stanza, owner)) return;
      const claimsOwner = (by: Jid) => by.bare().equals(owner) || (!by.local && by.domain === owner.domain);
      const claims = r.stanza.getChildren('stanza-id', NS.stanzaId).filter((s) => {
        const by = tryParseJid(s.attrs.by ?? '');
        return by !== null && claimsOwner(by);
      });
      // A copy of a message we archived and stamped, routed again: keep it as it is.
      const claimedId = claims.length === 1 && tryParseJid(claims[0].attrs.by ?? '')?.equals(owner) ? claims[0].attrs.id : undefined;
      if (claimedId !== undefined && (await archiver.isOwnStamp(owner, r.stanza, claimedId))) return archiver.markArchived(r.stanza, owner, claimedId);
      stripStanzaIds(r.stanza, claimsOwner);
      // Groupchat, headlines, errors and content-less messages never reach a user archive: skip the
      // account lookup for them (a room's fan-out routes one message per occupant through here).
      if (!isArchivable(r.stanza) || !(await ctx.accounts.exists(owner.local, owner.domain))) return;
      const id = await timed('append', () => archiver.archive(owner, r.stanza, { with: r.from, direction: 'in' }));
      if (id) stampStanzaId(r.stanza, owner, id);
    };
    const offReceived = [
      ctx.hooks.on('message/bare', onReceived, PRIORITY_RECEIVED),
      ctx.hooks.on('message/full', onReceived, PRIORITY_RECEIVED),
      ctx.hooks.on('message/offline', onReceived, PRIORITY_OFFLINE),
    ];

    // One handler per iq type: <query/>, <prefs/> and <metadata/> share the namespace.
    // XEP-0313 §8.1: a user's archive is the user's alone.
    const ownerOf = (from: Jid, to: Jid): Jid => {
      if (!from.bare().equals(to.bare())) throw new StanzaError('forbidden', 'Only the owner may use this archive');
      return to.bare();
    };

    ctx.iq.handle(NS.mam, 'set', async ({ payload, from, to, origin }) => {
      const owner = ownerOf(from, to);
      if (payload.name === 'query') {
        const session = origin && origin.jid.equals(from) ? origin : ctx.router.sessions.get(from);
        // Results go straight to the querying session, so they all precede the iq result.
        return query(owner, payload, { to: from, send: (m) => session?.send(m) }, true);
      }
      if (payload.name === 'prefs') {
        const prefs = parsePrefs(payload, o.max_pref_jids);
        await archiver.setPrefs(owner, prefs);
        return buildPrefs(prefs);
      }
      throw new StanzaError('feature-not-implemented', `<${payload.name}/> is not a MAM request`);
    }, { scope: 'bare' });

    ctx.iq.handle(NS.mam, 'get', async ({ payload, from, to }) => {
      const owner = ownerOf(from, to);
      if (payload.name === 'query') return xml('query', { xmlns: NS.mam }, queryFormTemplate());
      if (payload.name === 'prefs') return buildPrefs(await archiver.prefs(owner));
      if (payload.name === 'metadata') {
        // XEP-0313 §5: first and last message, or an empty <metadata/> for an empty archive.
        const b = await timed('bounds', () => ctx.storage.archive.bounds({ username: owner.local, domain: owner.domain }));
        const stamp = (t: number) => new Date(t).toISOString();
        return xml('metadata', { xmlns: NS.mam },
          b ? xml('start', { id: b.first.id, timestamp: stamp(b.first.timestamp) }) : undefined,
          b ? xml('end', { id: b.last.id, timestamp: stamp(b.last.timestamp) }) : undefined);
      }
      throw new StanzaError('feature-not-implemented', `<${payload.name}/> is not a MAM request`);
    }, { scope: 'bare' });

    const stopRetention = startRetention(ctx.storage.archive, {
      days: o.retention_days,
      intervalMs: o.retention_interval * 1000,
      batchSize: o.retention_batch_size,
      maxBatches: 1000,
    }, ctx.log);

    return () => {
      stopRetention();
      offSent();
      offReceived.forEach((off) => off());
      for (const f of features) ctx.disco.removeFeature(f, 'account');
      ctx.metrics.registry.removeSingleMetric('parley_mam_archived_total');
    };
  },
  // Config reload: the default policy, paging and preference limits apply to the next message or
  // query; the retention job keeps its schedule until a restart.
  reload: reloadLive(['default_policy', 'default_page_size', 'max_page_size', 'rsm_count_limit', 'max_pref_jids']),
});
