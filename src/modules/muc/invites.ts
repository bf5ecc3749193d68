// Mediated invitations and declines (XEP-0045 §7.8.2): the room forwards an <invite/> to the
// invitee on the inviter's behalf (adding the room password), and a <decline/> back to the
// inviter. In a members-only room an invitation by someone allowed to invite adds the invitee to
// the member list (§9.5). Direct invitations (XEP-0249) go user to user and never reach the room.
import type { Routed } from '../../hooks/events.ts';
import { JidError, parseJid, type Jid } from '../../jid/index.ts';
import { StanzaError } from '../../stanza/errors.ts';
import { xml, type Element } from '../../xml/element.ts';
import { NS } from '../../xml/namespaces.ts';
import { actorOf } from './admin.ts';
import type { MucCtx } from './context.ts';
import { inviteDenial, inviteGrantsMembership } from './permissions.ts';
import type { Room } from './room.ts';
import { NS_MUC_USER } from './xep0045.ts';

const MAX_INVITES = 20;

function jidAttr(el: Element, what: string): Jid {
  const raw = el.attrs.to;
  if (raw === undefined) throw new StanzaError('bad-request', `A ${what} needs a 'to' address`);
  try {
    return parseJid(raw);
  } catch (e) {
    if (e instanceof JidError) throw new StanzaError('jid-malformed', `Not a valid JID: ${raw}`);
    throw e;
  }
}

/** Whether the message is a muc#user invite or decline addressed to the room. */
export function isInviteOrDecline(m: Element): boolean {
  const x = m.getChild('x', NS_MUC_USER);
  return !!x && (!!x.getChild('invite') || !!x.getChild('decline'));
}

export async function handleInvites(ctx: MucCtx, room: Room, r: Routed): Promise<void> {
  const x = r.stanza.getChild('x', NS_MUC_USER)!;
  const invites = x.getChildren('invite');
  const declines = x.getChildren('decline');
  if (invites.length > MAX_INVITES) throw new StanzaError('policy-violation', `At most ${MAX_INVITES} invitations at once`);
  if (invites.length) {
    const actor = actorOf(room, r.from);
    const d = inviteDenial(actor.affiliation, actor.role, room.config);
    if (d) throw new StanzaError(d.condition, d.text);
    const targets = invites.map((i) => ({ to: jidAttr(i, 'invitation'), reason: i.getChildText('reason') ?? undefined, el: i }));
    const added: string[] = [];
    for (const t of targets) {
      const bare = t.to.bare().toString();
      if (room.affiliationOf(t.to.bare()) === 'outcast') throw new StanzaError('not-allowed', `${bare} is banned from this room`);
      if (inviteGrantsMembership(room.config) && room.affiliationOf(t.to.bare()) === 'none') {
        room.setAffiliation(bare, 'member');
        added.push(bare);
      }
    }
    if (added.length) await ctx.rooms.saveAffiliations(room, added);
    for (const t of targets) {
      const invite = xml('invite', { from: actor.bare.toString() }, t.reason !== undefined ? xml('reason', {}, t.reason) : undefined);
      const body = `${actor.bare.toString()} invites you to the room ${room.jid.toString()}${t.reason ? ` (${t.reason})` : ''}`;
      await ctx.route(xml('message', { xmlns: NS.client, from: room.jid.toString(), to: t.to.toString(), id: r.stanza.attrs.id },
        xml('x', { xmlns: NS_MUC_USER }, invite, room.config.passwordProtected ? xml('password', {}, room.config.password) : undefined),
        xml('body', {}, body)));
    }
  }
  for (const dcl of declines) {
    const to = jidAttr(dcl, 'decline');
    const reason = dcl.getChildText('reason') ?? undefined;
    await ctx.route(xml('message', { xmlns: NS.client, from: room.jid.toString(), to: to.toString(), id: r.stanza.attrs.id },
      xml('x', { xmlns: NS_MUC_USER }, xml('decline', { from: r.from.bare().toString() }, reason !== undefined ? xml('reason', {}, reason) : undefined))));
  }
}
