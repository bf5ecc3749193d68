// XEP-0198 §4: "Before the session state is discarded, implementations SHOULD take alternative
// action regarding any unhandled stanzas ... in the same way that it would treat a stanza sent to
// an unavailable resource, by either returning an error to the sender, delivery to an alternate
// resource, or committing the stanza to offline storage", with a XEP-0203 delay stamp.
import type { ModuleContext } from '../types.ts';
import type { Jid } from '../../jid/index.ts';
import { tryParseJid } from '../../jid/index.ts';
import { highestPriority } from '../../router/delivery.ts';
import { StanzaError } from '../../stanza/errors.ts';
import { xml, type Element } from '../../xml/element.ts';
import { NS } from '../../xml/namespaces.ts';
import type { Unacked } from './ack-queue.ts';

export type Disposition = 'redeliver' | 'bounce' | 'drop';

/**
 * What becomes of a stanza the client never acknowledged, by RFC 6121 §8.5.3.2 (a full JID with no
 * such resource): normal/chat messages go to another resource or offline storage, else back to the
 * sender with an error; groupchat messages and iq requests are answered with an error; errors,
 * headlines and iq responses are dropped as the RFC prescribes, and so are carbon copies and
 * archive query results; presence is state, not data (the roster module re-sends pending
 * subscription requests, RFC 6121 §3.1.3).
 */
export function disposition(stanza: Element): Disposition {
  const type = stanza.attrs.type;
  if (stanza.name === 'message') {
    if (type === 'error' || type === 'headline') return 'drop';
    // Copies, not messages to the user: XEP-0280 carbons (the other resources have the original)
    // and XEP-0313 results (answers to a query of this session, which is gone).
    if (stanza.getChildElements().some((c) => ((c.localName === 'received' || c.localName === 'sent') && c.getNS() === NS.carbons) || (c.localName === 'result' && /^urn:xmpp:mam:/.test(c.getNS() ?? '')))) return 'drop';
    if (type === 'groupchat') return 'bounce';
    return 'redeliver';
  }
  if (stanza.name === 'iq') return type === 'get' || type === 'set' ? 'bounce' : 'drop';
  return 'drop';
}

/** A copy stamped with when we first tried to deliver it (XEP-0198 §4, XEP-0203). */
export function withOriginalDelay(stanza: Element, domain: string, at: number): Element {
  const copy = stanza.clone();
  if (!copy.getChildren('delay', NS.delay).some((d) => d.attrs.from === domain)) {
    copy.append(xml('delay', { xmlns: NS.delay, from: domain, stamp: new Date(at).toISOString() }));
  }
  return copy;
}

const unavailable = () => new StanzaError('service-unavailable', 'The recipient is no longer connected and the message could not be stored');

/** Hand each unacknowledged stanza of an ended session on, in order; never throws. */
export async function rerouteUnacked(ctx: Pick<ModuleContext, 'router' | 'hooks' | 'log'>, owner: Jid, items: Unacked[]): Promise<void> {
  const bare = owner.bare();
  for (const { stanza, at } of items) {
    try {
      const what = disposition(stanza);
      if (what === 'drop') continue;
      if (what === 'bounce') {
        ctx.router.bounce(stanza, new StanzaError('service-unavailable'));
        continue;
      }
      const copy = withOriginalDelay(stanza, owner.domain, at);
      // Another available resource of the account takes it (the session itself is gone from the table).
      const others = highestPriority(ctx.router.sessions.resources(bare));
      if (others.length > 0) {
        for (const s of others) s.send(copy);
        continue;
      }
      const from = tryParseJid(stanza.attrs.from ?? '');
      if (!from) continue;
      let stored = false;
      try {
        stored = await ctx.hooks.fire('message/offline', { stanza: copy, from, to: bare });
      } catch (e) {
        if (e instanceof StanzaError) {
          ctx.router.bounce(stanza, e);
          continue;
        }
        throw e;
      }
      if (!stored) ctx.router.bounce(stanza, unavailable());
    } catch (err) {
      ctx.log.error({ err, stanza: stanza.name }, 'could not hand on an unacknowledged stanza');
    }
  }
}
