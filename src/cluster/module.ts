// Cluster mode (docs/clustering.md): several Parley nodes share one PostgreSQL database and one
// Redis. Each node registers its sessions (full JID -> node) with heartbeats; the router sees the
// other nodes' sessions as stand-ins (router/sessions.ts RemoteSessions) whose stanzas go over the
// bus to their node; MUC rooms are owned by one node at a time (rooms.ts). Off unless
// [cluster] redis is set.
// Config: [cluster] redis, node_id, key_prefix, session_ttl, heartbeat_interval, room_lease.
// Hooks: session/bound|closed|hibernated|resumed, presence/broadcast (900), client/stanza (-200)
// (local-sessions.ts); route/component (rooms.ts). Services used: mucCluster (muc module),
// smSessions (sm module); offered: smHandover (XEP-0198 resumption on another node, sm-handover.ts).
import { hostname } from 'node:os';
import client from 'prom-client';
import { tryParseJid } from '../jid/index.ts';
import { defineModule, type ModuleContext } from '../modules/types.ts';
import { StanzaError } from '../stanza/errors.ts';
import { xml, type Element } from '../xml/element.ts';
import { NS } from '../xml/namespaces.ts';
// bus.ts (and ioredis with it) loads only when cluster mode is on.
import type { Bus as BusType } from './bus.ts';
import { RemoteDirectory } from './directory.ts';
import { ClusterKeys } from './keys.ts';
import { Liveness } from './liveness.ts';
import { LocalSessions } from './local-sessions.ts';
import type { BusMessage, ClusterEvent, SessionRecord } from './records.ts';
import { RemoteSession, type RemoteLink } from './remote-session.ts';
import { RoomOwnership } from './rooms.ts';
import { SmHandover } from './sm-handover.ts';
import { fromWire, toWire } from './wire.ts';

const NS_MUC = 'http://jabber.org/protocol/muc';

export default defineModule({
  name: 'cluster',
  description: 'Cluster mode: sessions, stanza routing and MUC rooms shared by several nodes over Redis (on when [cluster] redis is set)',
  async start(ctx: ModuleContext) {
    const c = ctx.config.cluster;
    if (!c.redis) return;
    // Every node must see the same accounts, rosters, archives and rooms.
    if (ctx.config.storage.driver !== 'postgres') throw new Error('cluster.redis is set but storage.driver is not "postgres": the nodes of a cluster share one PostgreSQL database');
    const self = c.node_id ?? `${hostname()}-${process.pid}`;
    const log = ctx.log.child({ node: self });
    const keys = new ClusterKeys(c.key_prefix);
    const { Bus } = await import('./bus.ts');
    const bus: BusType = new Bus(c.redis, keys, self, log);
    const ttlMs = c.session_ttl * 1000;
    const leaseMs = c.room_lease * 1000;

    const registers = [ctx.metrics.registry];
    const busOut = new client.Counter({ name: 'parley_cluster_bus_stanzas_sent_total', help: 'Stanzas published to other nodes for their sessions', registers });
    const busIn = new client.Counter({ name: 'parley_cluster_bus_stanzas_received_total', help: 'Stanzas other nodes published to this node', registers });
    const lost = new client.Counter({ name: 'parley_cluster_bus_undeliverable_total', help: 'Stanzas for another node that nobody received (node dead): routed again here', registers });
    new client.Gauge({ name: 'parley_cluster_remote_sessions', help: 'Sessions bound on the other nodes, as this node knows them', registers, collect() {
      this.set(directory.nodes().reduce((n, node) => n + directory.count(node), 0));
    } });
    const link: RemoteLink = {
      send(node, to, stanza) {
        busOut.inc();
        bus.send(node, { k: 'deliver', to: to.toString(), x: toWire(stanza) }).then(
          (got) => got === 0 && undeliverable(node, stanza),
          () => undeliverable(node, stanza),
        );
      },
      close(node, to, condition, text) {
        void bus.send(node, { k: 'close', to: to.toString(), condition, text }).catch(() => {});
      },
    };
    const directory = new RemoteDirectory(self, link);
    const local = new LocalSessions({ self, bus, keys, hooks: ctx.hooks, log });
    const muc = () => ctx.services.get('mucCluster');
    const smHandover = new SmHandover({ self, bus, directory, router: ctx.router, log, sessions: () => ctx.services.get('smSessions') });
    const rooms = new RoomOwnership({
      self, bus, keys, leaseMs, giveUpMs: leaseMs + ttlMs + 5000, router: ctx.router, hooks: ctx.hooks, log,
      isMucService: (domain) => muc()?.isService(domain) ?? false,
      reload: async (room) => void (await muc()?.reload(room)),
    });

    // Nobody listens on the node's channel: it died before the registry says so. Route the stanza
    // again without that node's sessions (another resource, offline storage, or an error reply).
    const undeliverable = (node: string, stanza: Element) => {
      lost.inc();
      liveness.suspect(node);
      void ctx.router.route(stanza);
    };

    /** RFC 6121 §4.5.2 on behalf of a session whose node died: unavailable to contacts, own resources and directed-presence recipients (rooms among them). */
    const announceGone = async (node: string, jid: string, rec: SessionRecord) => {
      const full = tryParseJid(jid);
      if (!full) return;
      const gone = new RemoteSession(node, full, { ...rec, presence: null }, link);
      if (rec.presence !== null) await ctx.hooks.fire('presence/broadcast', { stanza: xml('presence', { xmlns: NS.client, type: 'unavailable', from: jid }), session: gone, wasAvailable: true });
      for (const to of rec.directed) await ctx.router.route(xml('presence', { xmlns: NS.client, type: 'unavailable', from: jid, to }));
    };

    /** XEP-0045 §7.2: re-enter the local sessions that were in a room another node now owns (no history again). */
    const rejoin = (room: string) => {
      for (const { session, presence } of local.joinsOf(room)) {
        const p = presence.clone();
        let x = p.getChild('x', NS_MUC);
        if (!x) p.append((x = xml('x', { xmlns: NS_MUC })));
        x.children = x.children.filter((ch) => typeof ch === 'string' || ch.name !== 'history');
        x.append(xml('history', { maxstanzas: '0' }));
        void ctx.router.route(p, session);
      }
    };

    const liveness: Liveness = new Liveness({
      self, bus, keys, ttlMs, intervalMs: c.heartbeat_interval * 1000, directory, log,
      reaped: async (node, sessions) => {
        for (const [jid, rec] of sessions) await announceGone(node, jid, rec);
      },
      nodeDown: (node, reaper) => rooms.nodeDown(node, reaper),
      beat: () => rooms.renew(),
      reregistered: async () => local.republish(),
    });

    const onMessage = (m: BusMessage) => {
      busIn.inc();
      if (m.k === 'sm-claim') return smHandover.onClaim(m);
      if (m.k === 'sm-handover') return smHandover.answered(m);
      if (m.k === 'route') {
        const stanza = fromWire(m.x);
        if (stanza) rooms.routeForwarded(stanza, m.hops);
        return;
      }
      const to = tryParseJid(m.to);
      const session = to ? ctx.router.sessions.getLocal(to) : undefined;
      if (m.k === 'close') return session?.close(m.condition, m.text);
      const stanza = fromWire(m.x);
      if (!stanza) return;
      if (session) return session.send(stanza);
      // The session ended after the sender looked it up: RFC 6121 §8.5.3.2 applies here.
      if (stanza.name === 'iq' && (stanza.attrs.type === 'get' || stanza.attrs.type === 'set')) return ctx.router.bounce(stanza, new StanzaError('service-unavailable'));
      if (stanza.name === 'message') void ctx.router.route(stanza);
    };
    let buffered: ClusterEvent[] | null = [];
    const apply = (ev: ClusterEvent) => {
      if (ev.k === 'session') directory.apply(ev.node, ev.jid, ev.rec);
      else if (ev.k === 'node-down') {
        if (ev.node === self) return;
        directory.dropNode(ev.node);
        void rooms.nodeDown(ev.node, false);
      } else if (ev.k === 'room') {
        rooms.ownerChanged(ev.room, ev.node);
        if (ev.takeover) rejoin(ev.room);
      }
    };

    await bus.start({ message: onMessage, event: (ev) => (buffered ? buffered.push(ev) : apply(ev)) });
    // Subscribed first, then read: events that raced the read are applied after it (last write wins).
    await liveness.start();
    for (const ev of buffered) apply(ev);
    buffered = null;
    const offRemote = ctx.router.sessions.setRemote(directory);
    const offLocal = local.start();
    const offRooms = rooms.start();
    ctx.services.provide('smHandover', smHandover);
    log.info({ node: self, nodes: directory.nodes().length + 1 }, 'cluster node joined');

    return async () => {
      offRooms();
      smHandover.stop();
      offLocal();
      offRemote();
      await rooms.release();
      await local.clear();
      await liveness.stop();
      await bus.stop();
      for (const name of ['parley_cluster_bus_stanzas_sent_total', 'parley_cluster_bus_stanzas_received_total', 'parley_cluster_bus_undeliverable_total', 'parley_cluster_remote_sessions']) ctx.metrics.registry.removeSingleMetric(name);
    };
  },
});

