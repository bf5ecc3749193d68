// MUC2-PAM (proto-XEP §MUC2-PAM; new-muc.md §1): the user-server side of New MUC bare-JID
// sessions, as the 'muc-pam' module.
// Features: urn:xmpp:muc:pam:0 on each domain and account bare JID.
// Iq (own bare JID): set <join xmlns='urn:xmpp:muc:0' room='…'> / <leave room='…'/>: the server sends
//   the join (leave) to the room from the bare JID and answers the client once the room has.
// Hooks: message/bare (45, after mam's 50): groupchat from a joined room is archived in the user's
//   MAM, delivered to each available resource not itself in the room (directed presence), and to
//   push (message/offline, which stores no groupchat) when no client is connected; groupchat from
//   other rooms is dropped and logged, never bounced. presence/bare (100): self-presence from
//   joined rooms (kick, ban, leave) ends the membership. client/stanza + presence/full: directed
//   presence per session. session/closed, account/deleted: forget.
import { z } from 'zod';
import { tryParseJid, type Jid } from '../../../jid/index.ts';
import type { Routed } from '../../../hooks/events.ts';
import { StanzaError, type ErrorType, type StanzaErrorCondition } from '../../../stanza/errors.ts';
import { xml, type Element } from '../../../xml/element.ts';
import { NS } from '../../../xml/namespaces.ts';
import { defineModule } from '../../types.ts';
import { NS_MUC_USER } from '../xep0045.ts';
import { NS_MUC2, NS_MUC2_PAM } from './ns.ts';
import { DirectedPresence, JoinedRooms } from './pam-rooms.ts';

const STANZAS = 'urn:ietf:params:xml:ns:xmpp-stanzas';

/** The room's error, relayed to the client as it was (new-muc.md §5: e.g. registration-required). */
function relayedError(answer: Element): StanzaError {
  const err = answer.getChild('error');
  const cond = err?.getChildElements().find((c) => c.getNS() === STANZAS && c.localName !== 'text')?.localName ?? 'internal-server-error';
  return new StanzaError(cond as StanzaErrorCondition, err?.getChildText('text', STANZAS), err?.attrs.type as ErrorType | undefined);
}

const isSelfPresence = (p: Element) => !!p.getChild('x', NS_MUC_USER)?.getChildren('status').some((s) => s.attrs.code === '110');
/** The room is gone (XEP-0045 §10.9): the unavailable presence carries <destroy/> and no 110. */
const isDestroyed = (p: Element) => !!p.getChild('x', NS_MUC_USER)?.getChild('destroy');

export default defineModule({
  name: 'muc-pam',
  description: 'New MUC PAM: bare-JID room memberships for accounts (urn:xmpp:muc:pam:0), their groupchat archived and delivered',
  options: z.object({
    join_timeout: z.number().int().min(1).max(600).default(30).describe('Seconds to wait for a room to answer a join or leave sent for an account'),
  }).strict(),
  start(ctx) {
    const joined = new JoinedRooms(ctx.storage.kv);
    const directed = new DirectedPresence();
    ctx.disco.addFeature(NS_MUC2_PAM, 'host');
    ctx.disco.addFeature(NS_MUC2_PAM, 'account');

    const roomOf = (payload: Element): Jid => {
      const raw = payload.attrs.room;
      if (raw === undefined) throw new StanzaError('bad-request', "Name the room in a 'room' attribute");
      const room = tryParseJid(raw);
      if (!room || !room.local || room.resource) throw new StanzaError('jid-malformed', 'The room must be a bare JID');
      return room;
    };

    ctx.iq.handle(NS_MUC2, 'set', async ({ payload, from, to }) => {
      if (!from.bare().equals(to.bare())) throw new StanzaError('forbidden', 'Only the account itself may join rooms for it');
      if (payload.localName !== 'join' && payload.localName !== 'leave') throw new StanzaError('feature-not-implemented', `<${payload.localName}/> is not a New MUC request`);
      const room = roomOf(payload);
      const owner = to.bare();
      const key = room.toString();
      const request = xml(payload.localName, { xmlns: NS_MUC2 }, payload.getChildElements().map((c) => c.clone()));
      const send = () => ctx.router.sendIq(xml('iq', { type: 'set', from: owner.toString(), to: key }, request), ctx.options.join_timeout * 1000);
      if (payload.localName === 'join') {
        const was = await joined.has(owner.local, owner.domain, key);
        // The room sends the subject before its result: accept it already.
        await joined.add(owner.local, owner.domain, key);
        const answer = await send();
        if (answer.attrs.type !== 'result') {
          if (!was) await joined.remove(owner.local, owner.domain, key);
          throw relayedError(answer);
        }
        const nick = answer.getChild('join', NS_MUC2)?.getChildText('nickname', NS_MUC2) ?? answer.getChild('join', NS_MUC2)?.getChildText('nickname');
        return xml('join', { xmlns: NS_MUC2, room: key }, nick !== undefined ? xml('nickname', {}, nick) : undefined);
      }
      const answer = await send();
      const cond = answer.attrs.type === 'result' ? null : relayedError(answer);
      if (!cond || cond.condition === 'item-not-found') await joined.remove(owner.local, owner.domain, key);
      if (cond) throw cond;
      return undefined;
    }, { scope: 'bare' });

    const onGroupchat = async (r: Routed): Promise<boolean> => {
      const { stanza } = r;
      if (stanza.name !== 'message' || stanza.attrs.type !== 'groupchat') return false;
      const owner = r.to.bare();
      const room = r.from.bare().toString();
      if (!owner.local || !(await joined.has(owner.local, owner.domain, room))) {
        ctx.log.debug({ to: owner.toString(), from: r.from.toString() }, 'groupchat to a bare JID from a room it has not joined: dropped');
        return true;
      }
      if (stanza.getChild('body') || stanza.getChild('subject')) {
        // The user's own archive (XEP-0313 §6.1.1 leaves groupchat to the server): with = the room.
        const copy = stanza.clone();
        const [rec] = await ctx.storage.archive.append([{ owner: { username: owner.local, domain: owner.domain }, with: room, stanza: copy.toString(), direction: 'in' }]);
        stanza.removeChildren((c) => c.is('stanza-id', NS.stanzaId) && c.attrs.by === owner.toString());
        stanza.append(xml('stanza-id', { xmlns: NS.stanzaId, by: owner.toString(), id: rec.id }));
      }
      let connected = false;
      for (const s of ctx.router.sessions.resources(owner)) {
        if (s.connected) connected = true;
        if (s.presence === null || directed.has(s.jid.toString(), room)) continue;
        ctx.router.deliver(s, r);
      }
      // Push (XEP-0357) wakes a device; offline storage keeps no groupchat (its policy), so nothing is stored twice.
      if (!connected) await ctx.hooks.fire('message/offline', r);
      return true;
    };

    const offs = [
      ctx.hooks.on('message/bare', onGroupchat, 45),
      ctx.hooks.on('presence/bare', async ({ stanza, from, to }) => {
        if (!stanza.getChild('x', NS_MUC_USER) || !to.local) return false;
        const room = from.bare().toString();
        const member = await joined.has(to.local, to.domain, room);
        if (!member && !isSelfPresence(stanza)) return false;
        if (member && stanza.attrs.type === 'unavailable' && (isSelfPresence(stanza) || isDestroyed(stanza))) {
          // The room ended the bare-JID session (kick, ban, member removal, leave): forget it, and
          // tell the account's clients that are not in the room themselves.
          await joined.remove(to.local, to.domain, room);
          for (const s of ctx.router.sessions.available(to)) if (!directed.has(s.jid.toString(), room)) ctx.router.deliver(s, { stanza, from, to });
        }
        return true;
      }, 100),
      ctx.hooks.on('client/stanza', ({ stanza, session }) => {
        if (stanza.name !== 'presence' || stanza.attrs.to === undefined) return false;
        const type = stanza.attrs.type;
        if (type !== undefined && type !== 'unavailable') return false;
        const target = tryParseJid(stanza.attrs.to);
        if (target?.local) directed.sent(session.jid.toString(), target.bare().toString(), type === undefined);
        return false;
      }, -100),
      ctx.hooks.on('presence/full', ({ stanza, from, to }) => {
        // A refused join, or removal from the room: that resource no longer gets the room's copies.
        if (stanza.attrs.type === 'error' || (stanza.attrs.type === 'unavailable' && isSelfPresence(stanza))) directed.sent(to.toString(), from.bare().toString(), false);
        return false;
      }, 100),
      ctx.hooks.on('session/closed', ({ session }) => directed.closed(session.jid.toString())),
      ctx.hooks.on('account/deleted', ({ username, domain }) => joined.forgetAccount(username, domain)),
    ];
    return () => {
      for (const off of offs) off();
      ctx.disco.removeFeature(NS_MUC2_PAM, 'host');
      ctx.disco.removeFeature(NS_MUC2_PAM, 'account');
    };
  },
});
