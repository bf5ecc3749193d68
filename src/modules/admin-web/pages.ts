// Bodies of the admin pages (HTML strings, every value escaped).
import { card, csrfField, e, a } from './views.ts';
import type { AdminContext } from './index.ts';
import { parseJid } from '../../jid/index.ts';

export interface SessionRow {
  jid: string;
  address: string;
  connected: boolean;
}

export function dashboardBody(s: { uptime: string; sessions: number; s2s: number; memory: string }, list: SessionRow[], csrf: string): string {
  const rows = list.map((r) => `<tr><td>${e(r.jid)}</td><td>${e(r.address)}</td><td>${r.connected ? 'connected' : 'hibernating (XEP-0198)'}</td><td><form class="inline" method="post" action="/admin/users/kick">${csrfField(csrf)}<input type="hidden" name="jid" value="${a(r.jid)}"><input type="hidden" name="back" value="dashboard"><button>kick</button></form></td></tr>`);
  return `<div class="cards">${card('Uptime', s.uptime, 'uptime')}${card('Online sessions', s.sessions, 'sessions')}${card('s2s streams', s.s2s, 's2s')}${card('Memory (RSS)', s.memory, 'memory')}</div>
<h2>Messages per minute <small id="rmax"></small></h2>
<svg width="600" height="120" viewBox="0 0 600 120" role="img" aria-label="messages per minute"><polyline id="line" fill="none" stroke="#3b6fd8" stroke-width="2" points=""/></svg>
<h2>Sessions${list.length >= SESSION_ROWS ? ` (first ${SESSION_ROWS})` : ''}</h2><table id="session-list"><tr><th>full JID</th><th>address</th><th>state</th><th></th></tr>${rows.join('') || '<tr><td colspan="4">no sessions</td></tr>'}</table>`;
}

const PAGE = 50;
export const SESSION_ROWS = 200;

export async function usersBody(ctx: AdminContext, q: URLSearchParams, csrf: string): Promise<string> {
  const domain = ctx.domains.includes(q.get('domain') ?? '') ? q.get('domain')! : ctx.domains[0];
  const search = q.get('q') ?? '';
  const after = q.get('after') ?? undefined;
  const users = await ctx.storage.accounts.list(domain, { after, limit: PAGE + 1, search });
  const more = users.length > PAGE;
  const rows = users.slice(0, PAGE).map((u) => {
    const jid = `${u}@${domain}`;
    const online = ctx.router.sessions.resources(parseJid(jid)).length;
    const act = (path: string, label: string, extra = '') =>
      `<form class="inline" method="post" action="/admin/users/${path}">${csrfField(csrf)}<input type="hidden" name="jid" value="${a(jid)}">${extra}<button>${label}</button></form>`;
    return `<tr><td>${e(jid)}</td><td>${online ? `${online} online` : ''}</td><td>
${act('passwd', 'set password', '<input name="password" type="password" placeholder="new password" required>')}
${online ? act('kick', 'kick sessions') : ''}
${act('delete', 'delete', '<input type="hidden" name="confirm" value="yes">')}</td></tr>`;
  });
  const domains = ctx.domains.map((d) => `<option${d === domain ? ' selected' : ''}>${e(d)}</option>`).join('');
  const next = more ? `<p><a href="/admin/users?domain=${encodeURIComponent(domain)}&q=${encodeURIComponent(search)}&after=${encodeURIComponent(users[PAGE - 1])}">next page →</a></p>` : '';
  return `<form method="get" action="/admin/users"><select name="domain">${domains}</select> <input name="q" value="${a(search)}" placeholder="search"> <button>search</button></form>
<h2>Add user</h2><form method="post" action="/admin/users/add">${csrfField(csrf)}<input name="jid" placeholder="user@${a(domain)}" required> <input name="password" type="password" placeholder="password" required> <button>add</button></form>
<h2>Accounts on ${e(domain)}</h2><table><tr><th>JID</th><th>Sessions</th><th></th></tr>${rows.join('') || '<tr><td colspan="3">no accounts</td></tr>'}</table>${next}`;
}


export function federationBody(f: { outgoing: { local: string; remote: string; state: string; method: string | null }[]; incoming: string[] } | undefined): string {
  if (!f) return '<p>Federation is disabled.</p>';
  const out = f.outgoing.map((o) => `<tr><td>${e(o.local)}</td><td>${e(o.remote)}</td><td>${e(o.state)}</td><td>${e(o.method ?? '')}</td></tr>`).join('');
  const inc = f.incoming.map((d) => `<li>${e(d)}</li>`).join('');
  return `<h2>Outgoing</h2><table><tr><th>local</th><th>remote</th><th>state</th><th>authenticated by</th></tr>${out || '<tr><td colspan="4">none</td></tr>'}</table>
<h2>Incoming (authenticated peers)</h2><ul>${inc || '<li>none</li>'}</ul>`;
}

export function configBody(config: unknown): string {
  return `<p>Secrets are masked.</p><pre>${e(JSON.stringify(config, null, 2))}</pre>`;
}

export function logsBody(lines: string[]): string {
  return `<p>Most recent ${lines.length} lines, newest last.</p><pre>${e(lines.join('\n'))}</pre>`;
}
