// muc#owner (XEP-0045 §10): the configuration form (get), its submission or cancellation (set)
// — which also completes creation of a locked room (§10.1.2 instant, §10.1.3 reserved) — and
// room destruction with an optional alternate venue and reason (§10.9).
import { tryParseJid } from '../../jid/index.ts';
import { StanzaError } from '../../stanza/errors.ts';
import { xml, type Element } from '../../xml/element.ts';
import { NS_DATA } from '../../forms/index.ts';
import { removeOccupant, type Actor } from './admin.ts';
import { buildOccupantPresence, messageToAll } from './broadcast.ts';
import { applyConfigForm, configChangeCodes, configFormElement, type FormLimits } from './config-form.ts';
import type { MucCtx } from './context.ts';
import { ownerDenial } from './permissions.ts';
import type { Room } from './room.ts';
import { AFFILIATION_POWER } from './types.ts';
import { mucUserX, NS_MUC_OWNER, STATUS } from './xep0045.ts';

export function formLimits(ctx: MucCtx): FormLimits {
  return { maxUsersLimit: ctx.options.max_users_limit, maxHistoryLimit: ctx.options.max_history };
}

function requireOwner(actor: Actor): void {
  const d = ownerDenial(actor.affiliation);
  if (d) throw new StanzaError(d.condition, d.text);
}

export function ownerGet(ctx: MucCtx, room: Room, actor: Actor): Element {
  requireOwner(actor);
  return xml('query', { xmlns: NS_MUC_OWNER }, configFormElement({ jid: room.jid.toString(), config: room.config }, formLimits(ctx)));
}

/** muc#owner set: a submitted or cancelled form, or <destroy/>. Returns steps to run after the result. */
export async function ownerSet(ctx: MucCtx, room: Room, actor: Actor, payload: Element): Promise<Array<() => Promise<void>>> {
  requireOwner(actor);
  const destroy = payload.getChild('destroy');
  if (destroy) {
    const alt = destroy.attrs.jid;
    if (alt !== undefined && !tryParseJid(alt)) throw new StanzaError('jid-malformed', 'The alternate venue is not a valid JID');
    await destroyRoom(ctx, room, { jid: alt, reason: destroy.getChildText('reason') ?? undefined, password: destroy.getChildText('password') ?? undefined });
    return [];
  }
  const x = payload.getChild('x', NS_DATA);
  if (!x) throw new StanzaError('bad-request', 'Expected a data form or <destroy/>');
  if (x.attrs.type === 'cancel') {
    // §10.1.3: cancelling the initial configuration destroys the new room.
    if (room.locked) await destroyRoom(ctx, room, {});
    return [];
  }
  const before = room.config;
  const next = applyConfigForm(x, before, formLimits(ctx));
  const wasLocked = room.locked;
  room.config = next;
  room.locked = false;
  await ctx.rooms.saveConfig(room, before.persistent);
  const after: Array<() => Promise<void>> = [];
  // §9.4 / 1.35.0: turning members-only on removes non-members with 322.
  if (next.membersOnly && !before.membersOnly) {
    for (const e of room.occupantEntries()) {
      if (AFFILIATION_POWER[e.affiliation] < AFFILIATION_POWER.member) after.push(await removeOccupant(ctx, room, e, [STATUS.membersOnly]));
    }
  }
  const codes = configChangeCodes(before, next);
  if (codes.length && !wasLocked) after.push(() => messageToAll(ctx, room, () => xml('message', { type: 'groupchat', id: `config-${Date.now().toString(36)}` }, mucUserX(null, codes))));
  if (!next.persistent && room.isEmpty()) after.push(() => ctx.rooms.remove(room));
  return after;
}

/** §10.9: one unavailable presence with <destroy/> to each occupant, then the room is gone (stored state and archive too). */
export async function destroyRoom(ctx: MucCtx, room: Room, d: { jid?: string; reason?: string; password?: string }): Promise<void> {
  const destroyEl = xml('destroy', { jid: d.jid }, d.reason !== undefined ? xml('reason', {}, d.reason) : undefined, d.password !== undefined ? xml('password', {}, d.password) : undefined);
  const sends: Promise<void>[] = [];
  for (const e of room.occupantEntries()) {
    for (const s of e.occupant!.sessions.values()) {
      const p = buildOccupantPresence(room, e, s.jid.toString(), false, false, { type: 'unavailable', item: { affiliation: 'none', role: 'none' }, extra: [destroyEl] });
      sends.push(ctx.route(p));
    }
  }
  await Promise.all(sends);
  room.destroyed = true;
  await ctx.rooms.remove(room);
}
