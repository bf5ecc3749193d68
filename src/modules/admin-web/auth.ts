// Admin logins: XMPP credentials of accounts listed in `admins`, a random session token in an
// HttpOnly SameSite=Strict cookie, a per-session CSRF token for every form, sessions that expire,
// and login attempts slowed per address like XMPP logins.
import { randomBytes, timingSafeEqual } from 'node:crypto';

export interface AdminSession {
  jid: string;
  csrf: string;
  expires: number;
}

export const COOKIE = 'parley_admin';
const TTL_MS = 8 * 3600_000;

export class AdminSessions {
  private sessions = new Map<string, AdminSession>();

  create(jid: string): { token: string; session: AdminSession } {
    this.sweep();
    const token = randomBytes(32).toString('base64url');
    const session = { jid, csrf: randomBytes(24).toString('base64url'), expires: Date.now() + TTL_MS };
    this.sessions.set(token, session);
    return { token, session };
  }

  get(token: string | undefined): AdminSession | null {
    if (!token) return null;
    const s = this.sessions.get(token);
    if (!s || s.expires < Date.now()) {
      if (s) this.sessions.delete(token);
      return null;
    }
    return s;
  }

  destroy(token: string | undefined): void {
    if (token) this.sessions.delete(token);
  }

  private sweep(): void {
    const now = Date.now();
    for (const [t, s] of this.sessions) if (s.expires < now) this.sessions.delete(t);
  }
}

export function csrfValid(session: AdminSession, submitted: string | null): boolean {
  if (!submitted) return false;
  const a = Buffer.from(session.csrf);
  const b = Buffer.from(submitted);
  return a.length === b.length && timingSafeEqual(a, b);
}

export function sessionCookie(token: string, secure: boolean, maxAgeS = TTL_MS / 1000): string {
  return `${COOKIE}=${token}; Path=/admin; HttpOnly; SameSite=Strict; Max-Age=${maxAgeS}${secure ? '; Secure' : ''}`;
}
