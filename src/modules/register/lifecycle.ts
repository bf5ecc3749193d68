// Account changes with their effect on live sessions (XEP-0077 §3.2/§3.3, XEP-0133 §4.1-4.3),
// offered to other modules as the 'accountLifecycle' service.
import type { ModuleContext } from '../types.ts';
import type { AccountLifecycleService, LocalSessionRef } from '../../core/services.ts';
import { jid } from '../../jid/index.ts';
import { createInvitation } from './invites.ts';

export interface RemoveOptions {
  /** Stream error the account's sessions are closed with. */
  condition?: string;
  /** Hold the username back from in-band re-registration for the configured days. */
  quarantine?: boolean;
  /** Runs after the data is gone and before sessions close (the iq result must reach the client first). */
  beforeClose?: () => void;
}

export class AccountLifecycle implements AccountLifecycleService {
  constructor(private readonly ctx: ModuleContext, private readonly quarantineDays: number) {}

  async create(username: string, domain: string, password: string): Promise<string> {
    const user = this.ctx.accounts.normaliseUsername(username, domain);
    await this.ctx.accounts.create(user, domain, password);
    this.ctx.log.info({ user: `${user}@${domain}` }, 'account created');
    return user;
  }

  async remove(username: string, domain: string, opts: RemoveOptions = {}): Promise<boolean> {
    const user = this.ctx.accounts.normaliseUsername(username, domain);
    // One transaction over every store's per-user tables (storage.deleteUser).
    if (!(await this.ctx.accounts.delete(user, domain))) return false;
    if (opts.quarantine && this.quarantineDays > 0) await this.ctx.storage.registrations.quarantine(user, domain, Date.now() + this.quarantineDays * 86_400_000);
    this.ctx.log.info({ user: `${user}@${domain}` }, 'account deleted');
    await this.ctx.hooks.fire('account/deleted', { username: user, domain });
    opts.beforeClose?.();
    // XEP-0077 §3.2: "terminate all active sessions for the entity" with a not-authorized stream error.
    for (const s of this.ctx.router.sessions.resources(jid(user, domain))) s.close(opts.condition ?? 'not-authorized', 'The account was deleted');
    return true;
  }

  createInvitation(o: { domain: string; uses: number; days: number; createdBy: string }): Promise<{ token: string; uri: string; expires: number }> {
    return createInvitation(this.ctx.storage.registrations, o);
  }

  async changePassword(username: string, domain: string, password: string, keep?: LocalSessionRef, beforeClose?: () => void): Promise<void> {
    const user = this.ctx.accounts.normaliseUsername(username, domain);
    await this.ctx.accounts.setPassword(user, domain, password);
    this.ctx.log.info({ user: `${user}@${domain}` }, 'password changed');
    beforeClose?.();
    // Sessions opened with the old password end (RFC 6120 §4.9.3.16 reset: "re-authenticate").
    for (const s of this.ctx.router.sessions.resources(jid(user, domain))) if (s.id !== keep?.id) s.close('reset', 'The password was changed');
  }
}
