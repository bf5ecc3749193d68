// XEP-0133 §4.16 number of online users, §4.21 list of online users, §4.5 end user session,
// §4.23 announcement to online users. "Online" means at least one bound session (§4.16).
import { buildForm, field } from '../../forms/index.ts';
import { StanzaError } from '../../stanza/errors.ts';
import { xml } from '../../xml/element.ts';
import type { Router } from '../../router/router.ts';
import type { AdhocCommand } from '../../core/services.ts';
import { adminForm, adminNode, formCommand } from './form-step.ts';

/** Bare JIDs with at least one session at `domain`, sorted (a stable order for the result). */
export function onlineUsers(router: Router, domain: string): string[] {
  const set = new Set<string>();
  for (const s of router.sessions.all()) if (s.jid.domain === domain) set.add(s.jid.bare().toString());
  return [...set].sort();
}

export function onlineUsersNum(router: Router, allowed: AdhocCommand['allowed']): AdhocCommand {
  return {
    node: adminNode('get-online-users-num'),
    name: 'Get Number of Online Users',
    allowed,
    execute: (req) => ({
      status: 'completed',
      payload: [buildForm(adminForm('result', undefined, undefined, [
        { var: 'onlineusersnum', label: 'The number of online users', values: [String(onlineUsers(router, req.domain).length)] },
      ]))],
    }),
  };
}

const MAX_ITEMS = ['25', '50', '75', '100', '150', '200', 'none'];

export function onlineUsersList(router: Router, allowed: AdhocCommand['allowed']): AdhocCommand {
  return formCommand({
    id: 'get-online-users-list',
    name: 'Get List of Online Users',
    title: 'Requesting List of Online Users',
    instructions: 'Fill out this form to request the online users of this service.',
    fields: () => [field('list-single', 'max_items', { label: 'Maximum number of items to show', options: MAX_ITEMS.map((v) => ({ label: v === 'none' ? 'None' : v, value: v })), values: ['100'] })],
    submit(v, req) {
      const max = v.value('max_items') ?? '100';
      const all = onlineUsers(router, req.domain);
      const shown = max === 'none' ? all : all.slice(0, Number(max));
      return {
        status: 'completed',
        payload: [buildForm(adminForm('result', undefined, undefined, [{ var: 'onlineuserjids', type: 'jid-multi', label: 'The list of all online users', values: shown }]))],
      };
    },
  }, allowed);
}

export function endUserSession(router: Router, isLocalDomain: (d: string) => boolean, allowed: AdhocCommand['allowed']): AdhocCommand {
  return formCommand({
    id: 'end-user-session',
    name: 'End User Session',
    title: 'Ending a User Session',
    instructions: 'Fill out this form to end a user\'s session.',
    fields: () => [field('jid-multi', 'accountjids', { label: 'The Jabber ID(s) for which to end sessions', required: true })],
    submit(v) {
      let ended = 0;
      for (const j of v.jids('accountjids')) {
        if (!j.local || !isLocalDomain(j.domain)) throw new StanzaError('not-allowed', `${j} is not an account hosted here`);
        // §4.5: a full JID ends that session, a bare JID all of the account's sessions.
        const targets = j.resource ? [router.sessions.get(j)].filter((s) => s !== undefined) : router.sessions.resources(j);
        for (const s of targets) {
          s.close();
          ended++;
        }
      }
      return { status: 'completed', notes: [{ text: `Ended ${ended} session(s)` }] };
    },
  }, allowed);
}

export function announce(router: Router, allowed: AdhocCommand['allowed']): AdhocCommand {
  return formCommand({
    id: 'announce',
    name: 'Send Announcement to Online Users',
    title: 'Making an Announcement',
    instructions: 'Fill out this form to make an announcement to all active users of this service.',
    fields: () => [field('text-single', 'subject', { label: 'Subject' }), field('text-multi', 'announcement', { label: 'Announcement', required: true })],
    async submit(v, req) {
      const text = v.text('announcement') ?? '';
      let sent = 0;
      // §4.23: "sent only to users who currently have a session"; headline: not stored offline, not archived as chat.
      for (const s of [...router.sessions.all()]) {
        if (s.jid.domain !== req.domain) continue;
        await router.route(xml('message', { xmlns: 'jabber:client', type: 'headline', from: req.domain, to: s.jid.toString() },
          xml('subject', {}, v.value('subject') ?? 'Announcement'), xml('body', {}, text)));
        sent++;
      }
      return { status: 'completed', notes: [{ text: `Sent to ${sent} session(s)` }] };
    },
  }, allowed);
}
