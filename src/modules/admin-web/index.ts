// Web admin on the HTTP(S) ports under /admin: dashboard, users, rooms, files, federation, config, logs.
// Config: none (admins come from the top-level `admins` list). Routes: /admin, /admin/login,
// /admin/logout, /admin/users[/add|/passwd|/delete|/kick], /admin/rooms[/destroy],
// /admin/files[/delete], /admin/federation, /admin/config,
// /admin/logs, /admin/api/stats. Login: XMPP credentials of an admin; CSRF token on every form.
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { defineModule, type ModuleContext } from '../types.ts';
import { AuthThrottle } from '../../accounts/auth-throttle.ts';
import { tryParseJid } from '../../jid/index.ts';
import { AdminSessions, COOKIE, csrfValid, sessionCookie, type AdminSession } from './auth.ts';
import { cookies, html, isHttps, json, readForm, redirect, sameOrigin } from './http-util.ts';
import { MessageRate } from './stats.ts';
import { DASHBOARD_SCRIPT, layout, loginForm, type Page } from './views.ts';
import { dashboardBody, federationBody, configBody, logsBody, usersBody, SESSION_ROWS, type SessionRow } from './pages.ts';
import { asClientSession } from '../../router/session.ts';
import { handleUserAction } from './user-actions.ts';
import { filesBody, handleRoomAction, roomsBody } from './pages-services.ts';

type Handler = (req: IncomingMessage, res: ServerResponse, s: AdminSession, page: (p: Omit<Page, 'nonce' | 'csrf' | 'user'>) => void) => Promise<void> | void;

export default defineModule({
  name: 'admin-web',
  description: 'Web administration pages under /admin for accounts listed in admins',
  start(ctx) {
    const sessions = new AdminSessions();
    const throttle = new AuthThrottle();
    const rate = new MessageRate(ctx.metrics);
    const admins = new Set(ctx.config.admins.map((j) => tryParseJid(j)?.bare().toString()).filter(Boolean) as string[]);

    const withSession = (handler: Handler) => async (req: IncomingMessage, res: ServerResponse) => {
      const s = sessions.get(cookies(req)[COOKIE]);
      if (!s) return redirect(res, '/admin/login');
      const nonce = randomBytes(16).toString('base64');
      await handler(req, res, s, (p) => html(res, 200, layout({ ...p, nonce, csrf: s.csrf, user: s.jid }), nonce));
    };

    const loginPage = (res: ServerResponse, status: number, error?: string) => {
      const nonce = randomBytes(16).toString('base64');
      html(res, status, layout({ title: 'Log in', nonce, body: loginForm(error) }), nonce);
    };

    ctx.http.add('/admin/login', async (req, res) => {
      if (req.method !== 'POST') return loginPage(res, 200);
      const ip = req.socket.remoteAddress ?? '';
      const form = await readForm(req);
      const jid = tryParseJid(form.get('jid') ?? '');
      const ok = jid !== null && jid.local !== '' && admins.has(jid.bare().toString()) && (await ctx.accounts.verifyPassword(jid.local, jid.domain, form.get('password') ?? ''));
      if (!ok) {
        const delay = throttle.failed(ip);
        ctx.log.warn({ ip, jid: form.get('jid') }, 'admin login refused');
        if (delay) await new Promise((r) => setTimeout(r, delay));
        return loginPage(res, 403, 'Wrong credentials, or not an admin account.');
      }
      throttle.succeeded(ip);
      const { token } = sessions.create(jid.bare().toString());
      ctx.log.info({ ip, jid: jid.bare().toString() }, 'admin logged in');
      redirect(res, '/admin', { 'set-cookie': sessionCookie(token, isHttps(req)) });
    });

    ctx.http.add('/admin/logout', async (req, res) => {
      const token = cookies(req)[COOKIE];
      const s = sessions.get(token);
      if (req.method === 'POST' && s && csrfValid(s, (await readForm(req)).get('csrf'))) sessions.destroy(token);
      redirect(res, '/admin/login', { 'set-cookie': sessionCookie('', isHttps(req), 0) });
    });

    const stats = () => ({
      uptime: formatDuration(Date.now() - ctx.startedAt),
      sessions: ctx.router.sessions.size,
      s2s: (ctx.services.get('ops')?.federation().outgoing.filter((o) => o.state === 'ready').length ?? 0) + (ctx.services.get('ops')?.federation().incoming.length ?? 0),
      memory: `${Math.round(process.memoryUsage().rss / 1048576)} MiB`,
      rate: rate.perMinute(),
    });
    ctx.http.add('/admin/api/stats', withSession((_req, res) => json(res, stats())));
    ctx.http.add('/admin', withSession((req, res, s, page) => {
      if (new URL(req.url ?? '/', 'http://x').pathname !== '/admin') return void res.writeHead(404).end();
      const url = new URL(req.url ?? '/', 'http://x');
      const flashText = url.searchParams.get('flash');
      const list: SessionRow[] = [];
      for (const session of ctx.router.sessions.all()) {
        if (list.length >= SESSION_ROWS) break;
        list.push({ jid: session.jid.toString(), address: asClientSession(session)?.remoteAddress ?? '', connected: session.connected });
      }
      page({ title: 'Dashboard', nav: 'dashboard', flash: flashText ? { text: flashText, error: url.searchParams.has('error') } : undefined, body: dashboardBody(stats(), list, s.csrf), script: DASHBOARD_SCRIPT });
    }));
    ctx.http.add('/admin/users', withSession(async (req, res, s, page) => {
      if (req.method === 'POST') {
        if (!sameOrigin(req)) return void res.writeHead(403).end('cross-origin request refused\n');
        const form = await readForm(req);
        if (!csrfValid(s, form.get('csrf'))) return void res.writeHead(403).end('invalid CSRF token\n');
        const flash = await handleUserAction(ctx, new URL(req.url ?? '/', 'http://x').pathname, form, s.jid);
        const back = form.get('back') === 'dashboard' ? '/admin' : '/admin/users';
        return redirect(res, `${back}?flash=${encodeURIComponent(flash.text)}${flash.error ? '&error=1' : ''}`);
      }
      const url = new URL(req.url ?? '/', 'http://x');
      const flashText = url.searchParams.get('flash');
      page({ title: 'Users', nav: 'users', flash: flashText ? { text: flashText, error: url.searchParams.has('error') } : undefined, body: await usersBody(ctx, url.searchParams, s.csrf) });
    }));
    // POST forms of a page: same origin, the session's CSRF token, then back to the page with a flash.
    const action = (back: (form: URLSearchParams) => string, fn: (form: URLSearchParams, admin: string) => Promise<{ text: string; error?: boolean }>): Handler => async (req, res, s) => {
      if (!sameOrigin(req)) return void res.writeHead(403).end('cross-origin request refused\n');
      const form = await readForm(req);
      if (!csrfValid(s, form.get('csrf'))) return void res.writeHead(403).end('invalid CSRF token\n');
      const flash = await fn(form, s.jid);
      const to = back(form);
      redirect(res, `${to}${to.includes('?') ? '&' : '?'}flash=${encodeURIComponent(flash.text)}${flash.error ? '&error=1' : ''}`);
    };
    const flashOf = (url: URL) => (url.searchParams.get('flash') ? { text: url.searchParams.get('flash')!, error: url.searchParams.has('error') } : undefined);
    const roomAction = action(() => '/admin/rooms', (form, admin) => handleRoomAction(ctx.services.get('mucAdmin'), form, admin));
    ctx.http.add('/admin/rooms', withSession(async (req, res, s, page) => {
      if (req.method === 'POST') return roomAction(req, res, s, page);
      const url = new URL(req.url ?? '/', 'http://x');
      page({ title: 'Rooms', nav: 'rooms', flash: flashOf(url), body: roomsBody(ctx.services.get('mucAdmin'), url.searchParams, s.csrf) });
    }));
    const fileAction = action((form) => `/admin/files?owner=${encodeURIComponent(form.get('owner') ?? '')}`, async (form, admin) => {
      const files = ctx.services.get('fileAdmin');
      if (!files) return { text: 'The upload module is disabled.', error: true };
      return (await files.deleteUpload(form.get('id') ?? '', admin)) ? { text: 'Upload deleted.' } : { text: 'No such stored upload.', error: true };
    });
    ctx.http.add('/admin/files', withSession(async (req, res, s, page) => {
      if (req.method === 'POST') return fileAction(req, res, s, page);
      const url = new URL(req.url ?? '/', 'http://x');
      page({ title: 'Files', nav: 'files', flash: flashOf(url), body: await filesBody(ctx.services.get('fileAdmin'), url.searchParams, s.csrf, ctx.domains) });
    }));
    ctx.http.add('/admin/federation', withSession((_r, _res, _s, page) => page({ title: 'Federation', nav: 'federation', body: federationBody(ctx.services.get('ops')?.federation()) })));
    ctx.http.add('/admin/config', withSession((_r, _res, _s, page) => page({ title: 'Configuration', nav: 'config', body: configBody(ctx.services.get('ops')?.configView() ?? {}) })));
    ctx.http.add('/admin/logs', withSession((_r, _res, _s, page) => page({ title: 'Logs', nav: 'logs', body: logsBody(ctx.services.get('ops')?.logTail(200) ?? []) })));

    return () => rate.stop();
  },
});


function formatDuration(ms: number): string {
  const s = Math.floor(ms / 1000);
  const d = Math.floor(s / 86400);
  const h = Math.floor((s % 86400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  return d ? `${d}d ${h}h` : h ? `${h}h ${m}m` : `${m}m ${s % 60}s`;
}

export type AdminContext = ModuleContext<unknown>;
