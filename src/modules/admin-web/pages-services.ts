// Admin pages backed by other modules' services: MUC rooms (MucAdminService) and stored files
// (FileAdminService). A page says so when the module offering the service is disabled.
import type { FileAdminService, MucAdminService } from '../../core/services.ts';
import { tryParseJid } from '../../jid/index.ts';
import { a, csrfField, e } from './views.ts';

const post = (action: string, csrf: string, fields: Record<string, string>, label: string) =>
  `<form class="inline" method="post" action="${action}">${csrfField(csrf)}${Object.entries(fields).map(([k, v]) => `<input type="hidden" name="${k}" value="${a(v)}">`).join('')}<button>${label}</button></form>`;

export function roomsBody(muc: MucAdminService | undefined, q: URLSearchParams, csrf: string): string {
  if (!muc) return '<p>The muc module is disabled.</p>';
  const rooms = muc.rooms();
  const rows = rooms.map((r) => {
    const flags = [r.persistent ? 'persistent' : 'temporary', r.public ? 'public' : 'hidden', r.locked ? 'locked' : ''].filter(Boolean).join(', ');
    return `<tr><td><a href="/admin/rooms?room=${encodeURIComponent(r.jid)}">${e(r.jid)}</a></td><td>${e(r.name)}</td><td>${r.occupants}</td><td>${e(flags)}</td><td>${post('/admin/rooms/destroy', csrf, { room: r.jid, confirm: 'yes' }, 'destroy')}</td></tr>`;
  });
  let detail = '';
  const selected = q.get('room');
  if (selected) {
    const occ = muc.occupants(selected);
    detail = occ === null
      ? `<p class="msg err">No room ${e(selected)}.</p>`
      : `<h2>Occupants of ${e(selected)}</h2><table id="occupants"><tr><th>nick</th><th>real JID</th><th>role</th><th>affiliation</th><th>sessions</th></tr>${occ.map((o) => `<tr><td>${e(o.nick)}</td><td>${e(o.jid)}</td><td>${e(o.role)}</td><td>${e(o.affiliation)}</td><td>${o.sessions}</td></tr>`).join('') || '<tr><td colspan="5">nobody</td></tr>'}</table>`;
  }
  return `<table id="rooms"><tr><th>room</th><th>name</th><th>occupants</th><th></th><th></th></tr>${rows.join('') || '<tr><td colspan="5">no rooms</td></tr>'}</table>${detail}`;
}

export async function handleRoomAction(muc: MucAdminService | undefined, form: URLSearchParams, admin: string): Promise<{ text: string; error?: boolean }> {
  if (!muc) return { text: 'The muc module is disabled.', error: true };
  const room = form.get('room') ?? '';
  if (form.get('confirm') !== 'yes') return { text: 'Destruction not confirmed.', error: true };
  return (await muc.destroy(room, `Destroyed by ${admin}`)) ? { text: `Destroyed ${room}.` } : { text: `No room ${room}.`, error: true };
}

const size = (n: number) => (n >= 1048576 ? `${(n / 1048576).toFixed(1)} MiB` : n >= 1024 ? `${(n / 1024).toFixed(1)} KiB` : `${n} B`);
const time = (ms: number | null) => (ms ? new Date(ms).toISOString().replace('T', ' ').slice(0, 19) : '');

export async function filesBody(files: FileAdminService | undefined, q: URLSearchParams, csrf: string, domains: readonly string[]): Promise<string> {
  if (!files) return '<p>The upload module is disabled.</p>';
  const owner = q.get('owner') ?? '';
  let uploads = '';
  const jid = owner ? tryParseJid(owner) : null;
  if (jid?.local && domains.includes(jid.domain)) {
    const list = await files.uploads(jid.local, jid.domain);
    uploads = `<h2>Uploads of ${e(jid.bare().toString())}</h2><table id="uploads"><tr><th>name</th><th>size</th><th>type</th><th>stored</th><th>expires</th><th>scan</th><th></th></tr>${list.map((s) => `<tr><td>${e(s.name)}</td><td>${size(s.size)}</td><td>${e(s.type)}</td><td>${time(s.storedAt)}</td><td>${time(s.expiresAt) || 'never'}</td><td>${e(s.verdict ?? '')}</td><td>${post('/admin/files/delete', csrf, { id: s.id, owner: jid.bare().toString() }, 'delete')}</td></tr>`).join('') || '<tr><td colspan="7">no uploads</td></tr>'}</table>`;
  } else if (owner) uploads = `<p class="msg err">Not an account on this server: ${e(owner)}</p>`;
  const quarantine = await files.quarantine(100);
  const pulls = await files.pulls(100);
  return `<form method="get" action="/admin/files"><input name="owner" value="${a(owner)}" placeholder="user@${a(domains[0] ?? '')}"> <button>show uploads</button></form>${uploads}
<h2>Quarantine</h2><table id="quarantine"><tr><th>kind</th><th>owner</th><th>name</th><th>size</th><th>signature</th><th>when</th><th>released</th></tr>${quarantine.map((q) => `<tr><td>${q.kind}</td><td>${e(`${q.username}@${q.domain}`)}</td><td>${e(q.name)}</td><td>${size(q.size)}</td><td>${e(q.signature)}</td><td>${time(q.createdAt)}</td><td>${q.releasedBy ? e(`${q.releasedBy} ${time(q.releasedAt)}`) : ''}</td></tr>`).join('') || '<tr><td colspan="7">empty</td></tr>'}</table>
<h2>Pulled files (most recent 100)</h2><table id="pulls"><tr><th>when</th><th>from</th><th>to</th><th>host</th><th>size</th><th>verdict</th></tr>${pulls.map((p) => `<tr><td>${time(p.time)}</td><td>${e(p.sender)}</td><td>${e(p.recipient)}</td><td>${e(p.host)}</td><td>${p.size === null ? '' : size(p.size)}</td><td>${e(p.verdict)}${p.signature ? ` (${e(p.signature)})` : ''}</td></tr>`).join('') || '<tr><td colspan="6">none</td></tr>'}</table>`;
}
