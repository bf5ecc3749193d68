// The XEP-0191 commands: blocklist retrieval (§3.2), block (§3.3), unblock (§3.4) and unblock-all
// (§3.5), with pushes to the resources that asked for the blocklist.
import { tryParseJid, type Jid } from '../../jid/index.ts';
import type { IqRequest } from '../../router/iq.ts';
import type { LocalSession } from '../../router/session.ts';
import { StanzaError } from '../../stanza/errors.ts';
import { xml, type Element } from '../../xml/element.ts';
import { NS } from '../../xml/namespaces.ts';
import type { ModuleContext } from '../types.ts';
import type { BlocklistCache } from './cache.ts';
import { parseItems } from './match.ts';
import { sendCurrentPresence, sendUnavailable } from './presence.ts';

/** session.features key: this resource retrieved the blocklist, so it gets pushes (§3.3). */
export const REQUESTED = 'blocking:requested';

export interface CommandDeps {
  ctx: ModuleContext;
  lists: BlocklistCache;
  exempt: WeakSet<Element>;
  maxItems: number;
}

let pushSeq = 0;

/** Only the account itself manages its blocklist (the requests carry no 'to', §3.2). */
function owner(req: IqRequest): Jid {
  if (!req.from.bare().equals(req.to.bare())) throw new StanzaError('service-unavailable');
  return req.to.bare();
}

const itemEls = (jids: readonly Jid[]) => jids.map((j) => xml('item', { jid: j.toString() }));

export async function getBlocklist(deps: CommandDeps, req: IqRequest): Promise<Element> {
  const me = owner(req);
  if (!req.payload.is('blocklist', NS.blocking)) throw new StanzaError('bad-request', 'Retrieve the list with <blocklist/>');
  req.origin?.features.set(REQUESTED, true);
  return xml('blocklist', { xmlns: NS.blocking }, itemEls(await deps.lists.get(me.local, me.domain)));
}

export async function setBlocklist(deps: CommandDeps, req: IqRequest): Promise<void> {
  const me = owner(req);
  const { ctx, lists } = deps;
  const cmd = req.payload;
  if (cmd.is('block', NS.blocking)) {
    const jids = parseItems(cmd);
    if (jids.length === 0) throw new StanzaError('bad-request', '<block/> needs at least one <item/> (XEP-0191 §3.3)');
    const current = await lists.get(me.local, me.domain);
    const known = new Set(current.map((j) => j.toString()));
    const fresh = jids.filter((j) => !known.has(j.toString()));
    if (current.length + fresh.length > deps.maxItems) throw new StanzaError('policy-violation', `At most ${deps.maxItems} JIDs can be blocked`);
    await ctx.storage.blocklist.add(me.local, me.domain, fresh.map((j) => j.toString()));
    lists.invalidate(me.local, me.domain);
    afterReply(ctx, me, xml('block', { xmlns: NS.blocking }, itemEls(jids)), () => sendUnavailable(ctx, me, fresh, deps.exempt));
    return;
  }
  if (cmd.is('unblock', NS.blocking)) {
    const jids = parseItems(cmd);
    const removed = jids.length === 0
      ? await ctx.storage.blocklist.clear(me.local, me.domain) // §3.5: an empty <unblock/> unblocks everyone
      : await ctx.storage.blocklist.remove(me.local, me.domain, jids.map((j) => j.toString()));
    lists.invalidate(me.local, me.domain);
    const unblocked = removed.map((s) => tryParseJid(s)).filter((j): j is Jid => j !== null);
    afterReply(ctx, me, xml('unblock', { xmlns: NS.blocking }, itemEls(jids)), () => sendCurrentPresence(ctx, me, unblocked));
    return;
  }
  throw new StanzaError('bad-request', 'Expected <block/> or <unblock/>');
}

/**
 * The iq result goes out when the handler returns; pushes and presence follow it on the next turn,
 * so the requesting resource sees its result before the push (§3.3 lists them in that order).
 */
function afterReply(ctx: ModuleContext, me: Jid, push: Element, presence: () => Promise<void>): void {
  setImmediate(() => {
    for (const s of ctx.router.sessions.resources(me)) if (s.features.get(REQUESTED) === true) sendPush(s, push);
    presence().catch((err) => ctx.log.warn({ err }, 'presence after a blocklist change failed'));
  });
}

function sendPush(s: LocalSession, payload: Element): void {
  s.send(xml('iq', { xmlns: NS.client, type: 'set', id: `block-push-${++pushSeq}`, to: s.jid.toString() }, payload.clone()));
}
