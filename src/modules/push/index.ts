// XEP-0357 Push Notifications: clients register app servers (enable/disable, §5); when a message
// arrives for a user with no connected session (all offline, or hibernating for XEP-0198
// resumption) the server publishes a urn:xmpp:push:summary notification to each (§6) and drops
// registrations the app server rejects (§7).
// Config: [modules.push] include_body, include_sender, max_registrations, publish_timeout.
// Features: urn:xmpp:push:0 (account). Iq: set urn:xmpp:push:0 enable/disable (bare).
// Hooks: message/offline and message/delivered (to a hibernating session) trigger notifications;
// session/bound and session/resumed reset the pending count.
import { z } from 'zod';
import { defineModule } from '../types.ts';
import { NS } from '../../xml/namespaces.ts';
import type { Element } from '../../xml/element.ts';
import { parseJid, type Jid } from '../../jid/index.ts';
import { StanzaError } from '../../stanza/errors.ts';
import { FormError, formTypeOf, parseForm, type Field } from '../../forms/index.ts';
import { PushRegistrations, type PushRegistration } from './registrations.ts';
import { disablesRegistration, publishIq, warrantsNotification, type Summary } from './notification.ts';

const MAX_OPTION_FIELDS = 32;
const MAX_OPTION_VALUE = 1024;
/** Users with notifications pending since their last session (bounded: oldest forgotten first). */
const MAX_PENDING_USERS = 100_000;
/** Message keys remembered per user to notify once per message (a message can reach both triggers). */
const MAX_SEEN = 256;

interface Pending {
  count: number;
  seen: Set<string>;
}

export default defineModule({
  name: 'push',
  description: 'XEP-0357 push notifications for users who are offline or hibernating',
  options: z.object({
    include_body: z.boolean().default(false).describe('Put the last message body in notifications (it passes through the app server and its push service: off for privacy)'),
    include_sender: z.boolean().default(true).describe('Put the last message sender in notifications'),
    max_registrations: z.number().int().min(1).max(1000).default(10).describe('Most push services (JID and node pairs) one account may enable'),
    publish_timeout: z.number().positive().max(600).default(30).describe('Seconds to wait for an app server to answer a notification'),
  }).strict(),
  start(ctx) {
    const o = ctx.options;
    const regs = new PushRegistrations(ctx.storage.kv);
    const pending = new Map<string, Pending>();
    /** One publish in flight per registration; newer summaries wait and only the latest is sent. */
    const inFlight = new Map<string, { next: Summary | null }>();

    ctx.disco.addFeature(NS.push, 'account');

    ctx.iq.handle(NS.push, 'set', async ({ payload, from, to }) => {
      // §5: a client manages its own account's registrations.
      if (!from.bare().equals(to.bare())) throw new StanzaError('service-unavailable');
      const service = serviceJid(payload);
      if (payload.localName === 'enable') {
        const reg: PushRegistration = { jid: service, node: payload.attrs.node ?? '', options: publishOptions(payload) };
        const known = await regs.has(to.local, to.domain, reg);
        if (!known && (await regs.list(to.local, to.domain)).length >= o.max_registrations) {
          throw new StanzaError('resource-constraint', `At most ${o.max_registrations} push services per account`);
        }
        await regs.put(to.local, to.domain, reg);
        ctx.log.info({ user: to.bare().toString(), service, node: reg.node }, 'push enabled');
        return;
      }
      if (payload.localName === 'disable') {
        await regs.remove(to.local, to.domain, service, payload.attrs.node);
        return;
      }
      throw new StanzaError('bad-request', 'Expected <enable/> or <disable/>');
    }, { scope: 'bare' });

    const publish = async (user: Jid, reg: PushRegistration, summary: Summary): Promise<void> => {
      const key = `${user.toString()}\u0000${reg.jid}\u0000${reg.node}`;
      const flight = inFlight.get(key);
      if (flight) {
        flight.next = summary;
        return;
      }
      const mine = { next: null as Summary | null };
      inFlight.set(key, mine);
      try {
        let next: Summary | null = summary;
        while (next) {
          const reply = await ctx.router.sendIq(publishIq(user.domain, reg, next), o.publish_timeout * 1000);
          next = mine.next;
          mine.next = null;
          if (disablesRegistration(reply)) {
            await regs.remove(user.local, user.domain, reg.jid, reg.node);
            ctx.log.info({ user: user.toString(), service: reg.jid, node: reg.node }, 'push service refused a notification: registration disabled');
            return;
          }
          if (reply.attrs.type === 'error') ctx.log.warn({ user: user.toString(), service: reg.jid, error: reply.getChild('error')?.toString() }, 'push notification failed');
        }
      } finally {
        inFlight.delete(key);
      }
    };

    const notify = async (user: Jid, m: Element): Promise<void> => {
      if (!warrantsNotification(m)) return;
      const list = await regs.list(user.local, user.domain);
      if (list.length === 0) return;
      const k = user.toString();
      let p = pending.get(k);
      if (!p) {
        if (pending.size >= MAX_PENDING_USERS) pending.delete(pending.keys().next().value!);
        pending.set(k, (p = { count: 0, seen: new Set() }));
      }
      const id = m.attrs.id === undefined ? undefined : `${m.attrs.from ?? ''}\u0000${m.attrs.id}`;
      if (id !== undefined) {
        if (p.seen.has(id)) return;
        if (p.seen.size >= MAX_SEEN) p.seen.delete(p.seen.values().next().value!);
        p.seen.add(id);
      }
      p.count++;
      const summary: Summary = {
        messageCount: p.count,
        lastSender: o.include_sender ? m.attrs.from : undefined,
        lastBody: o.include_body ? m.getChildText('body') : undefined,
      };
      for (const reg of list) void publish(user, reg, summary).catch((err) => ctx.log.error({ err }, 'push publish failed'));
    };
    const notifyLater = (user: Jid, m: Element) => void notify(user, m).catch((err) => ctx.log.error({ err }, 'push notification failed'));

    // Observe only (priority above offline storage, never consuming): the message is stored or bounced as usual.
    const offOffline = ctx.hooks.on('message/offline', ({ stanza, to }) => {
      notifyLater(to.bare(), stanza);
      return false;
    }, 100);
    const offDelivered = ctx.hooks.on('message/delivered', ({ stanza, session }) => {
      if (session.connected) return;
      const bare = session.jid.bare();
      // Another device is online and gets it: nobody needs waking.
      if (ctx.router.sessions.resources(bare).some((s) => s.connected)) return;
      notifyLater(bare, stanza);
    });
    const reset = ({ session }: { session: { jid: Jid } }) => void pending.delete(session.jid.bare().toString());
    const offBound = ctx.hooks.on('session/bound', reset);
    const offResumed = ctx.hooks.on('session/resumed', reset);

    return () => {
      offOffline();
      offDelivered();
      offBound();
      offResumed();
    };
  },
});

/** §5: 'jid' is required and names the push service. */
function serviceJid(payload: Element): string {
  const raw = payload.attrs.jid;
  if (!raw) throw new StanzaError('bad-request', `<${payload.localName}/> needs a jid attribute (XEP-0357 §5)`);
  try {
    return parseJid(raw).toString();
  } catch {
    throw new StanzaError('jid-malformed', 'The push service jid is not a valid JID');
  }
}

/** §5: an optional publish-options form (XEP-0060 §7.1.5) to send with every notification. */
function publishOptions(payload: Element): Field[] {
  const x = payload.getChild('x', NS.dataForms);
  if (!x) return [];
  let fields: Field[];
  try {
    const form = parseForm(x);
    if (form.type !== 'submit' || formTypeOf(form) !== NS.pubsubPublishOptions) throw new FormError('expected a submitted publish-options form');
    fields = form.fields.filter((f) => f.var !== 'FORM_TYPE');
  } catch (e) {
    if (e instanceof FormError) throw new StanzaError('bad-request', `Publish options: ${e.message}`);
    throw e;
  }
  if (fields.length > MAX_OPTION_FIELDS || fields.some((f) => f.values.length > 8 || f.values.some((v) => v.length > MAX_OPTION_VALUE))) {
    throw new StanzaError('not-acceptable', 'Publish options too large');
  }
  return fields.map((f) => ({ var: f.var, values: f.values }));
}
