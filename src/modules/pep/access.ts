// Who may read a PEP node: XEP-0060 §6.5.2 per access model, with the pubsub error each refusal
// carries (§6.5.9.6-§6.5.9.8). The owner may always (§6.5.2 "MUST always allow the node owner").
import type { Jid } from '../../jid/index.ts';
import type { RosterService } from '../../core/services.ts';
import { StanzaError } from '../../stanza/errors.ts';
import { xml } from '../../xml/element.ts';
import type { NodeConfig } from './config.ts';

export const NS_PUBSUB_ERRORS = 'http://jabber.org/protocol/pubsub#errors';

/** Affiliations that put a JID on a whitelist node's list (XEP-0060 §4.1). */
const WHITELISTED = new Set(['owner', 'publisher', 'publish-only', 'member']);

export interface AccessContext {
  owner: Jid;
  config: NodeConfig;
  /** The node's affiliations: bare JID → affiliation. */
  affiliations(): Promise<Map<string, string>>;
  roster: RosterService | undefined;
}

export function pubsubError(condition: ConstructorParameters<typeof StanzaError>[0], app: string, text?: string, attrs?: Record<string, string>): StanzaError {
  return new StanzaError(condition, text, undefined, xml(app, { xmlns: NS_PUBSUB_ERRORS, ...attrs }));
}

/** Resolves when `requester` may retrieve items (and receive notifications); otherwise throws the §6.5.9 error. */
export async function checkAccess(a: AccessContext, requester: Jid): Promise<void> {
  const bare = requester.bare();
  if (bare.equals(a.owner)) return;
  const affiliation = (await a.affiliations()).get(bare.toString());
  // §4.1 outcast: blocked whatever the access model.
  if (affiliation === 'outcast') throw new StanzaError('forbidden');
  switch (a.config.accessModel) {
    case 'open':
      return;
    case 'presence': {
      const ok = (await a.roster?.isSubscribedTo(a.owner.local, a.owner.domain, bare)) ?? false;
      if (!ok) throw pubsubError('not-authorized', 'presence-subscription-required');
      return;
    }
    case 'roster': {
      const item = await a.roster?.item(a.owner.local, a.owner.domain, bare);
      const subscribed = item !== null && item !== undefined && (item.subscription === 'from' || item.subscription === 'both');
      if (!subscribed || !item.groups.some((g) => a.config.rosterGroupsAllowed.includes(g))) throw pubsubError('not-authorized', 'not-in-roster-group');
      return;
    }
    case 'whitelist':
      if (affiliation === undefined || !WHITELISTED.has(affiliation)) throw pubsubError('not-allowed', 'closed-node');
      return;
  }
}

export async function mayAccess(a: AccessContext, requester: Jid): Promise<boolean> {
  try {
    await checkAccess(a, requester);
    return true;
  } catch (e) {
    if (e instanceof StanzaError) return false;
    throw e;
  }
}
