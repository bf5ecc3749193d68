// Voice requests (XEP-0045 §7.13) and their approval (§8.6): a visitor submits a muc#request form
// to the room; the room sends each moderator an approval form; a moderator who submits it with
// muc#request_allow true gives the visitor the participant role.
import type { Routed } from '../../hooks/events.ts';
import { buildForm, field, findFormElement, formTypeField, formValues, FormError, parseForm } from '../../forms/index.ts';
import { StanzaError } from '../../stanza/errors.ts';
import { xml, type Element } from '../../xml/element.ts';
import { NS } from '../../xml/namespaces.ts';
import { broadcastPresence } from './broadcast.ts';
import type { MucCtx } from './context.ts';
import type { Room } from './room.ts';
import { NS_MUC_REQUEST } from './xep0045.ts';

export function voiceRequestForm(m: Element): Element | undefined {
  return findFormElement(m, NS_MUC_REQUEST);
}

export async function handleVoiceForm(ctx: MucCtx, room: Room, r: Routed, x: Element): Promise<void> {
  let values;
  try {
    values = formValues(parseForm(x));
  } catch (e) {
    if (e instanceof FormError) throw new StanzaError('bad-request', e.message);
    throw e;
  }
  const sender = room.bySessionJid(r.from);
  if (!sender?.occupant) throw new StanzaError('not-acceptable', 'You are not in this room');
  if (values.has('muc#request_allow')) {
    // §8.6: an approval, from a moderator.
    if (sender.occupant.role !== 'moderator') throw new StanzaError('forbidden', 'Only moderators approve voice requests');
    // XEP-0004 §3.3 boolean: '1' or 'true' (formValues has no template, so no normalisation).
    if (!['1', 'true'].includes(values.value('muc#request_allow')?.trim() ?? '')) return;
    const nick = values.value('muc#roomnick');
    const target = nick !== undefined ? room.byNickname(nick) : undefined;
    if (!target?.occupant || target.occupant.role !== 'visitor') return;
    target.occupant.role = 'participant';
    await broadcastPresence(ctx, room, target, { item: { actor: sender.occupant.nick } });
    return;
  }
  // §7.13: a request, from a visitor of a room that allows them.
  if (values.value('muc#role') !== 'participant') throw new StanzaError('bad-request', 'Only voice (participant) can be requested');
  if (!room.config.allowVoiceRequests) throw new StanzaError('forbidden', 'Voice requests are not allowed in this room');
  if (sender.occupant.role !== 'visitor') return;
  const form = buildForm({
    type: 'form',
    title: 'Voice request',
    instructions: ['To approve this request for voice, select the "Grant voice to this person?" checkbox and submit.'],
    fields: [
      formTypeField(NS_MUC_REQUEST),
      field('list-single', 'muc#role', { label: 'Requested role', values: ['participant'], options: [{ value: 'participant' }] }),
      field('jid-single', 'muc#jid', { label: 'User ID', values: [r.from.toString()] }),
      field('text-single', 'muc#roomnick', { label: 'Room Nickname', values: [sender.occupant.nick] }),
      field('boolean', 'muc#request_allow', { label: 'Grant voice to this person?', values: ['false'] }),
    ],
  });
  for (const e of room.occupantEntries()) {
    if (e.occupant!.role !== 'moderator') continue;
    for (const s of e.occupant!.sessions.values()) {
      await ctx.route(xml('message', { xmlns: NS.client, from: room.jid.toString(), to: s.jid.toString(), id: `voice-${Date.now().toString(36)}` }, form.clone()));
    }
  }
}
