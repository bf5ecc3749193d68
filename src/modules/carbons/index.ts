// XEP-0280 Message Carbons (v1.0.1): copies of one-to-one messages to the account's other
// carbon-enabled resources, so every device sees both sides of each conversation.
// Config: none. Features: urn:xmpp:carbons:2 (host). Session state: session.features 'carbons'.
// Iq: set urn:xmpp:carbons:2 <enable/> / <disable/> (host and bare).
// Hooks: 'message/delivered' (received carbons, §6.2), 'client/stanza' (sent carbons, §6.3).
import { defineModule } from '../types.ts';
import { NS } from '../../xml/namespaces.ts';
import { StanzaError } from '../../stanza/errors.ts';
import type { Element } from '../../xml/element.ts';
import type { Jid } from '../../jid/index.ts';
import type { LocalSession } from '../../router/session.ts';
import { isEligible } from './eligibility.ts';
import { carbonCopy } from './wrap.ts';

const ENABLED = 'carbons';

export default defineModule({
  name: 'carbons',
  description: 'XEP-0280 message carbons',
  start(ctx) {
    ctx.disco.addFeature(NS.carbons);
    const enabled = (s: LocalSession) => s.features.get(ENABLED) === true;

    // §4, §5: enable/disable for the requesting resource; repeats are not errors (§8).
    ctx.iq.handle(NS.carbons, 'set', ({ payload, from, to, origin }) => {
      // §4: only the client itself, connected here, may switch its carbons (sent to its server or its own account).
      const toSelf = !to.local || to.bare().equals(from.bare());
      if (!origin || !from.equals(origin.jid) || !toSelf) throw new StanzaError('not-allowed');
      if (payload.name === 'enable') origin.features.set(ENABLED, true);
      else if (payload.name === 'disable') origin.features.delete(ENABLED);
      else throw new StanzaError('bad-request', 'Expected <enable/> or <disable/>');
    }, { scope: 'both' });

    const copyTo = (direction: 'sent' | 'received', stanza: Element, owner: Jid, skip: Set<LocalSession>) => {
      for (const s of ctx.router.sessions.resources(owner)) {
        if (skip.has(s) || !enabled(s)) continue;
        s.send(carbonCopy(direction, stanza, owner, s.jid));
      }
    };

    // §6.2: after RFC 6121 delivery, every carbon-enabled resource of the recipient that did not
    // get the message receives a copy. A bare-JID message can reach several resources, each
    // reported separately, so deliveries of one stanza are gathered and copied once, after the
    // router's synchronous delivery loop. Highest priority: the handler must run inside that loop.
    const pending = new Map<Element, { owner: Jid; got: Set<LocalSession> }>();
    const unhookDelivered = ctx.hooks.on('message/delivered', ({ stanza, session }) => {
      let entry = pending.get(stanza);
      if (!entry) {
        if (!isEligible(stanza, 'received')) return;
        entry = { owner: session.jid.bare(), got: new Set() };
        pending.set(stanza, entry);
        const e = entry;
        queueMicrotask(() => {
          pending.delete(stanza);
          copyTo('received', stanza, e.owner, e.got);
        });
      }
      entry.got.add(session);
    }, 1000);

    // §6.3: what a client sends goes, as a copy, to its account's other carbon-enabled resources.
    // Low priority: blocking, rate limits and the like decide first whether it is sent at all.
    const unhookSent = ctx.hooks.on('client/stanza', ({ stanza, session }) => {
      if (stanza.name !== 'message' || !isEligible(stanza, 'sent')) return;
      const owner = session.jid.bare();
      const skip = new Set<LocalSession>([session]);
      // A message to one of the user's own resources reaches it as the original (§6.2 rule).
      const to = stanza.attrs.to;
      if (to !== undefined) for (const s of ctx.router.sessions.resources(owner)) if (s.jid.toString() === to) skip.add(s);
      copyTo('sent', stanza, owner, skip);
    }, -100);

    return () => {
      unhookDelivered();
      unhookSent();
      ctx.disco.removeFeature(NS.carbons);
    };
  },
});
