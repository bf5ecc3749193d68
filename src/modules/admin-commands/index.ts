// XEP-0133 Service Administration (v1.3.1) as ad-hoc commands at the server's JID, for the bare
// JIDs in the top-level `admins` list; everyone else gets forbidden (§5) and does not see them.
// Config: top-level `admins`. Commands (node http://jabber.org/protocol/admin#...): add-user,
//   delete-user, change-user-password, end-user-session, get-online-users-num,
//   get-online-users-list, announce; urn:parley:register#create-invite (invite-only registration).
// Services used: adhoc (to register), accountLifecycle (account changes with session effects).
import { defineModule } from '../types.ts';
import type { AdhocCommand } from '../../core/services.ts';
import { addUser, changeUserPassword, deleteUser } from './users.ts';
import { announce, endUserSession, onlineUsersList, onlineUsersNum } from './sessions.ts';
import { createInvite } from './invites.ts';

export default defineModule({
  name: 'admin-commands',
  description: 'XEP-0133 service administration commands for configured admins',
  dependencies: ['adhoc', 'register'],
  start(ctx) {
    const adhoc = ctx.services.get('adhoc');
    if (!adhoc) throw new Error('admin-commands needs the adhoc service');
    const isLocalDomain = (d: string) => ctx.domains.includes(d);
    const allowed: AdhocCommand['allowed'] = (requester, domain) => adhoc.isAdmin(requester) && isLocalDomain(domain);
    const deps = {
      lifecycle: () => {
        const l = ctx.services.get('accountLifecycle');
        if (!l) throw new Error('the accountLifecycle service (register module) is not running');
        return l;
      },
      accountExists: (u: string, d: string) => ctx.accounts.exists(u, d),
      isLocalDomain,
    };
    const stops = [
      addUser(deps, allowed),
      deleteUser(deps, allowed),
      changeUserPassword(deps, allowed),
      endUserSession(ctx.router, isLocalDomain, allowed),
      onlineUsersNum(ctx.router, allowed),
      onlineUsersList(ctx.router, allowed),
      announce(ctx.router, allowed),
      createInvite(deps.lifecycle, allowed),
    ].map((c) => adhoc.register(c));
    return () => {
      for (const s of stops) s();
    };
  },
});
