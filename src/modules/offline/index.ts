// XEP-0160 offline messages: chat/normal messages for an account with no available resource are
// stored (with a XEP-0203 delay) under a per-user quota and delivered, in order, when a resource
// next becomes available with a non-negative priority.
// Config: [modules.offline] max_messages, max_bytes. Features: msgoffline (host).
// Hooks: message/offline (store, or bounce when full / not storable), presence/broadcast (deliver).
import { z } from 'zod';
import { defineModule } from '../types.ts';
import { StanzaError } from '../../stanza/errors.ts';
import { highestPriority } from '../../router/delivery.ts';
import { OfflineDelivery } from './deliver.ts';
import { storeVerdict, withDelay } from './policy.ts';
import { reloadLive } from '../reload.ts';

const options = z.object({
  max_messages: z.number().int().min(1).max(1_000_000).default(1000).describe('Most messages stored for one account; further ones are bounced with service-unavailable'),
  max_bytes: z.number().int().min(1024).default(2 * 1024 * 1024).describe('Most bytes of stored messages for one account (keep it below c2s.max_outbound_queue_bytes: they are delivered in one go)'),
}).strict();

export default defineModule({
  name: 'offline',
  description: 'XEP-0160 offline message storage and delivery',
  options,
  start(ctx) {
    ctx.disco.addFeature('msgoffline'); // XEP-0160 §4
    const delivery = new OfflineDelivery(ctx);
    // Read per message so a config reload changes the quotas at once.
    const quota = () => ({ maxMessages: ctx.options.max_messages, maxBytes: ctx.options.max_bytes });

    const offStore = ctx.hooks.on('message/offline', async ({ stanza, to }) => {
      // Not consuming leaves the RFC 6121 §8.5.2.1.1 answer to the router: <service-unavailable/>.
      if (storeVerdict(stanza) !== 'store') return false;
      const now = new Date();
      const stored = await ctx.storage.offline.append(to.local, to.domain, withDelay(stanza, to.domain, now).toString(), now.getTime(), quota());
      // XEP-0160 §2: "if the recipient's offline message queue is full, the server returns a <service-unavailable/> error".
      if (!stored) throw new StanzaError('service-unavailable', `The offline message storage of ${to.bare().toString()} is full`);
      // A resource may have become available while we were storing: it must not wait for its next presence.
      const [online] = highestPriority(ctx.router.sessions.resources(to));
      if (online) void delivery.deliverTo(online);
      return true;
    });

    const offDeliver = ctx.hooks.on('presence/broadcast', ({ session }) => {
      // Any available presence with priority >= 0 (initial, or a change from a negative priority):
      // messages stored meanwhile are waiting for exactly such a resource.
      if (session.presence !== null && session.priority >= 0) void delivery.deliverTo(session);
    });

    return () => {
      offStore();
      offDeliver();
    };
  },
  // Both quotas apply to the next message stored.
  reload: reloadLive<z.infer<typeof options>>(['max_messages', 'max_bytes']),
});
