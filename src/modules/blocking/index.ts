// XEP-0191 Blocking Command: per-account blocklists, enforced on every routed stanza.
// Config: [modules.blocking] max_items. Features: urn:xmpp:blocking (host and account).
// Iq: get <blocklist/>, set <block/>/<unblock/> (own bare JID). Service: 'blocking' (isBlocked).
// Hooks (priority 100, before delivery and offline storage): client/stanza (sender side),
// message|presence|iq/bare|full (recipient side), route/remote (server-generated outbound),
// account/deleted (cache).
import { z } from 'zod';
import { defineModule } from '../types.ts';
import { NS } from '../../xml/namespaces.ts';
import type { Element } from '../../xml/element.ts';
import { BlocklistCache } from './cache.ts';
import { getBlocklist, setBlocklist, type CommandDeps } from './commands.ts';
import { filterClient, filterGenerated, filterInbound, type FilterDeps } from './filter.ts';
import type { Jid } from '../../jid/index.ts';

const PRIORITY = 100;

export default defineModule({
  name: 'blocking',
  description: 'XEP-0191 blocking command',
  options: z.object({
    max_items: z.number().int().min(1).max(100_000).default(1000).describe('Most JIDs one account may block'),
  }).strict(),
  start(ctx) {
    ctx.disco.addFeature(NS.blocking, 'host');
    ctx.disco.addFeature(NS.blocking, 'account');
    const lists = new BlocklistCache(ctx.storage.blocklist);
    const exempt = new WeakSet<Element>();
    const blocked = (username: string, domain: string, peer: Jid) => lists.blocks(username, domain, peer);
    ctx.services.provide('blocking', { isBlocked: blocked });

    const commands: CommandDeps = { ctx, lists, exempt, maxItems: ctx.options.max_items };
    ctx.iq.handle(NS.blocking, 'get', (req) => getBlocklist(commands, req), { scope: 'bare' });
    ctx.iq.handle(NS.blocking, 'set', (req) => setBlocklist(commands, req), { scope: 'bare' });

    const filter: FilterDeps = { isBlocked: blocked, isLocalDomain: (d) => ctx.domains.includes(d), exempt };
    const offs = [
      ctx.hooks.on('client/stanza', ({ stanza, session }) => filterClient(stanza, session, filter), PRIORITY),
      ...(['message/bare', 'message/full', 'presence/bare', 'presence/full', 'iq/bare', 'iq/full'] as const).map((event) =>
        ctx.hooks.on(event, (r) => filterInbound(r, filter), PRIORITY),
      ),
      ctx.hooks.on('route/remote', (r) => filterGenerated(r, filter), PRIORITY),
      ctx.hooks.on('account/deleted', ({ username, domain }) => void lists.invalidate(username, domain)),
    ];
    return () => offs.forEach((off) => off());
  },
});
