// The state-changing user actions of the admin page (add, password, delete, kick).
import { AccountError } from '../../accounts/index.ts';
import { tryParseJid } from '../../jid/index.ts';
import type { AdminContext } from './index.ts';

export async function handleUserAction(ctx: AdminContext, path: string, form: URLSearchParams, admin: string): Promise<{ text: string; error?: boolean }> {
  const jid = tryParseJid(form.get('jid') ?? '');
  // A full JID is accepted only by kick (one session); every other action names an account.
  const fullAllowed = path === '/admin/users/kick';
  if (!jid || !jid.local || (jid.resource && !fullAllowed) || !ctx.domains.includes(jid.domain)) return { text: 'Not an account JID on this server.', error: true };
  const who = jid.bare().toString();
  try {
    switch (path) {
      case '/admin/users/add':
        await ctx.accounts.create(jid.local, jid.domain, form.get('password') ?? '');
        ctx.log.info({ admin, jid: who }, 'admin added user');
        return { text: `Created ${who}.` };
      case '/admin/users/passwd':
        await ctx.accounts.setPassword(jid.local, jid.domain, form.get('password') ?? '');
        ctx.log.info({ admin, jid: who }, 'admin changed password');
        return { text: `Password of ${who} changed.` };
      case '/admin/users/kick': {
        const n = kick(ctx, jid, 'Disconnected by an administrator');
        const target = jid.toString();
        ctx.log.info({ admin, jid: target, sessions: n }, 'admin kicked sessions');
        return { text: `Closed ${n} session(s) of ${target}.` };
      }
      case '/admin/users/delete': {
        if (form.get('confirm') !== 'yes') return { text: 'Deletion not confirmed.', error: true };
        // The registration module's lifecycle service deletes every store's rows, fires
        // 'account/deleted' and ends the sessions; without it, do the same steps here.
        const lifecycle = ctx.services.get('accountLifecycle');
        if (lifecycle) {
          if (!(await lifecycle.remove(jid.local, jid.domain, { condition: 'not-authorized' }))) return { text: `No account ${who}.`, error: true };
        } else {
          if (!(await ctx.accounts.delete(jid.local, jid.domain))) return { text: `No account ${who}.`, error: true };
          await ctx.hooks.fire('account/deleted', { username: jid.local, domain: jid.domain });
          kick(ctx, jid, 'Account deleted');
        }
        ctx.log.info({ admin, jid: who }, 'admin deleted user');
        return { text: `Deleted ${who} and all its data.` };
      }
      default:
        return { text: 'Unknown action.', error: true };
    }
  } catch (err) {
    if (err instanceof AccountError) return { text: err.message, error: true };
    throw err;
  }
}

/** Close every session of the account, or the one session of a full JID. */
function kick(ctx: AdminContext, jid: NonNullable<ReturnType<typeof tryParseJid>>, text: string): number {
  const one = jid.resource ? ctx.router.sessions.get(jid) : undefined;
  const sessions = jid.resource ? (one ? [one] : []) : ctx.router.sessions.resources(jid.bare());
  for (const s of sessions) s.close('policy-violation', text);
  return sessions.length;
}
