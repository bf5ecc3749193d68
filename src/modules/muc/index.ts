// XEP-0045 Multi-User Chat (1.35.5) as a component on conference.<domain> for every served domain,
// with XEP-0421 occupant ids, XEP-0410 self-ping, XEP-0313 archives on rooms (via the mam
// module's ArchiveService), XEP-0359 stanza ids by the room, XEP-0425 moderation, XEP-0249 direct
// invitations (client to client) beside mediated ones. Design: shared/specs/muc.md.
// Config: [modules.muc] host, name, room_creation, lock_new_rooms, default_max_users,
//   max_users_limit, default_history, max_history, nick_lockdown, iq_timeout, max_rooms_per_page, new_muc.
// New MUC (proto-XEP urn:xmpp:muc:0, newmuc/): the same rooms also speak it where archived; its
//   user-server side is the muc-pam module (newmuc/pam.ts).
// Features (service): disco#info, disco#items, http://jabber.org/protocol/muc, urn:xmpp:occupant-id:0,
//   rsm; rooms add muc_* types, self-ping-optimization, stable_id, sid:0, mam:2 (archived rooms),
//   message-moderate:0/1, muc#request; the host lists each service in its disco#items.
// Routing: ctx.router.registerComponent(service domain) — every stanza for the domain, its rooms and
//   occupant JIDs comes here (service.ts dispatches; each room runs its stanzas in order, mailbox.ts).
// Hooks: session/closed (a vanished session leaves its rooms), account/deleted (drops affiliations).
// Storage: ctx.storage.muc (persistent rooms, affiliations, tombstones); ctx.storage.archive (room archives).
import client from 'prom-client';
import { z } from 'zod';
import { tryParseJid } from '../../jid/index.ts';
import { defineModule } from '../types.ts';
import type { MucOptions } from './context.ts';
import { MucService } from './service.ts';
import { mucAdminService } from './admin-service.ts';
import { reloadLive } from '../reload.ts';

const options = z.object({
  host: z.string().default('conference.{domain}').describe('Address of the MUC service of each served domain; {domain} is replaced by the domain'),
  name: z.string().default('Chatrooms').describe('Name in the service identity (disco#info)'),
  room_creation: z.enum(['anyone', 'local', 'admins']).default('local').describe('Who may create rooms: anyone (also remote users), local (accounts of the served domains) or admins (the top-level admins list)'),
  lock_new_rooms: z.boolean().default(true).describe('XEP-0045 §10.1: keep a new room locked (item-not-found for others) until its owner submits or accepts the configuration form'),
  default_max_users: z.number().int().min(1).default(200).describe('Occupant limit of a new room (owners and admins do not count)'),
  max_users_limit: z.number().int().min(1).default(10_000).describe('Largest occupant limit an owner may configure'),
  default_history: z.number().int().min(0).default(20).describe('History messages sent on join when the client does not ask for a number'),
  max_history: z.number().int().min(0).max(1000).default(100).describe('Most history messages a room sends on join (and keeps in memory when not archived); the largest muc#maxhistoryfetch'),
  nick_lockdown: z.boolean().default(false).describe('Users with a reserved nick always enter with it (rewritten, status 210) and cannot change it (XEP-0045 §17.2.1 item 10)'),
  iq_timeout: z.number().int().min(1).max(600).default(60).describe('Seconds an iq relayed to an occupant waits for its answer'),
  max_rooms_per_page: z.number().int().min(1).max(1000).default(250).describe('Most rooms in one disco#items answer (XEP-0059 paging beyond)'),
  new_muc: z.boolean().default(true).describe('Offer New MUC (proto-XEP urn:xmpp:muc:0: occupant-id addresses, presence levels, bare-JID sessions) in archived rooms, beside XEP-0045'),
}).strict();

export default defineModule({
  name: 'muc',
  description: 'XEP-0045 multi-user chat with occupant ids, self-ping, room archives and moderation',
  options,
  async start(ctx) {
    const o = ctx.options as MucOptions;
    const admins = new Set(ctx.config.admins.map((a) => tryParseJid(a)?.bare().toString()).filter((a): a is string => !!a));
    const rooms = new client.Gauge({ name: 'parley_muc_rooms', help: 'MUC rooms hosted (all services)', registers: [ctx.metrics.registry] });
    const messages = new client.Counter({ name: 'parley_muc_messages_total', help: 'Groupchat messages reflected by MUC rooms', registers: [ctx.metrics.registry] });
    const services = new Map<string, MucService>();
    const countRooms = () => rooms.set([...services.values()].reduce((n, s) => n + s.all().length, 0));

    const offs: Array<() => void> = [];
    for (const domain of ctx.domains) {
      const host = o.host.replaceAll('{domain}', domain).toLowerCase();
      if (!tryParseJid(host) || host.includes('@') || host.includes('/')) throw new Error(`modules.muc.host gives '${host}' for ${domain}, which is not a domain`);
      const svc = new MucService({
        domain: host,
        options: o,
        store: ctx.storage.muc,
        archive: ctx.storage.archive,
        archiveService: () => ctx.services.get('archive'),
        log: ctx.log.child({ service: host }),
        metrics: { messages: () => messages.inc(), roomsChanged: countRooms },
        route: (stanza) => ctx.router.route(stanza),
        isLocalUser: (jid) => ctx.domains.includes(jid.domain),
        isServerAdmin: (jid) => admins.has(jid.bare().toString()),
        paymentGate: async (room, user, affiliation, payment) => ctx.services.get('payments')?.enterRoom({ room, user, affiliation, payment }) ?? null,
        extraRoomFeatures: () => ctx.disco.getFeatures('room'),
        now: Date.now,
      });
      services.set(host, svc);
      const loaded = await svc.load();
      offs.push(ctx.router.registerComponent(host, { handle: (r) => svc.handle(r) }));
      ctx.log.info({ service: host, rooms: loaded }, 'MUC service ready');
    }
    ctx.services.provide('mucAdmin', mucAdminService(services));
    ctx.services.provide('mucCluster', {
      isService: (domain) => services.has(domain),
      reload: async (room) => void (await services.get(room.domain)?.rooms.reload(room.bare())),
    });
    // The host lists its MUC service (XEP-0045 §6.1 discovering a MUC service).
    ctx.disco.addItems((domain) => {
      const host = o.host.replaceAll('{domain}', domain).toLowerCase();
      return services.has(host) ? [{ jid: host, name: o.name }] : [];
    });

    offs.push(ctx.hooks.on('session/closed', ({ session }) => {
      for (const svc of services.values()) svc.sessionClosed(session.jid);
    }));
    offs.push(ctx.hooks.on('account/deleted', ({ username, domain }) => {
      for (const svc of services.values()) svc.accountDeleted(`${username}@${domain}`);
    }));

    return async () => {
      for (const off of offs) off();
      await Promise.all([...services.values()].map((s) => s.shutdown()));
      ctx.metrics.registry.removeSingleMetric('parley_muc_rooms');
      ctx.metrics.registry.removeSingleMetric('parley_muc_messages_total');
    };
  },
  // Config reload: options the rooms read at use time (new rooms, joins, disco). host, iq_timeout,
  // max_history (history rings are sized at start) and new_muc need a restart.
  reload: reloadLive<z.infer<typeof options>>(['name', 'room_creation', 'lock_new_rooms', 'default_max_users', 'max_users_limit', 'default_history', 'nick_lockdown', 'max_rooms_per_page']),
});
