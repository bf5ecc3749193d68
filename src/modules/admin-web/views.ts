// Server-rendered admin pages: plain HTML with one stylesheet and one small script, no build step.
import { escapeText, escapeAttr } from '../../xml/escape.ts';

export const e = escapeText;
export const a = escapeAttr;

const STYLE = `
body{font:14px/1.4 system-ui,sans-serif;margin:0;color:#1d2330;background:#f5f6f8}
header{background:#1d2330;color:#fff;padding:.6em 1.2em;display:flex;gap:1.2em;align-items:center}
header a{color:#cfd6e4;text-decoration:none}header a.on{color:#fff;font-weight:600}
header form{margin-left:auto}main{padding:1.2em;max-width:1100px}
table{border-collapse:collapse;width:100%;background:#fff}td,th{padding:.4em .6em;border-bottom:1px solid #e3e6ec;text-align:left;vertical-align:top}
.cards{display:flex;gap:1em;flex-wrap:wrap}.card{background:#fff;padding:.8em 1.2em;border-radius:6px;min-width:9em}
.card b{display:block;font-size:1.6em}form.inline{display:inline}input,button{font:inherit;padding:.3em .5em}
.msg{background:#e7f4e4;padding:.5em 1em;border-radius:4px}.err{background:#fbe3e3}pre{background:#fff;padding:1em;overflow:auto;font-size:12px}
svg{background:#fff;border-radius:6px}`;

export interface Page {
  title: string;
  nav?: string;
  csrf?: string;
  user?: string;
  nonce: string;
  body: string;
  script?: string;
  flash?: { text: string; error?: boolean };
}

const NAV = [
  ['dashboard', '/admin'],
  ['users', '/admin/users'],
  ['rooms', '/admin/rooms'],
  ['files', '/admin/files'],
  ['federation', '/admin/federation'],
  ['config', '/admin/config'],
  ['logs', '/admin/logs'],
];

export function layout(p: Page): string {
  const nav = p.user
    ? NAV.map(([n, href]) => `<a href="${href}"${p.nav === n ? ' class="on"' : ''}>${n}</a>`).join('') +
      `<form method="post" action="/admin/logout"><input type="hidden" name="csrf" value="${a(p.csrf ?? '')}"><span>${e(p.user)}</span> <button>log out</button></form>`
    : '';
  const flash = p.flash ? `<p class="msg${p.flash.error ? ' err' : ''}">${e(p.flash.text)}</p>` : '';
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${e(p.title)} · Parley admin</title>
<meta name="viewport" content="width=device-width,initial-scale=1"><link rel="icon" href="data:,"><style nonce="${p.nonce}">${STYLE}</style></head>
<body><header><strong>Parley</strong>${nav}</header><main><h1>${e(p.title)}</h1>${flash}${p.body}</main>
${p.script ? `<script nonce="${p.nonce}">${p.script}</script>` : ''}</body></html>`;
}

export function loginForm(error?: string): string {
  return `${error ? `<p class="msg err">${e(error)}</p>` : ''}<form method="post" action="/admin/login">
<p><label>JID <input name="jid" autocomplete="username" required></label></p>
<p><label>Password <input name="password" type="password" autocomplete="current-password" required></label></p>
<p><button>Log in</button></p></form>`;
}

export function csrfField(csrf: string): string {
  return `<input type="hidden" name="csrf" value="${a(csrf)}">`;
}

export function card(label: string, value: string | number, id?: string): string {
  return `<div class="card">${e(label)}<b${id ? ` id="${id}"` : ''}>${e(String(value))}</b></div>`;
}

/** Live chart of messages per minute: polls the stats endpoint and redraws an SVG polyline. */
export const DASHBOARD_SCRIPT = `
async function tick(){try{const r=await fetch('/admin/api/stats',{credentials:'same-origin'});if(!r.ok)return;const s=await r.json();
for(const k of ['sessions','s2s','memory','uptime'])document.getElementById(k).textContent=s[k];
const pts=s.rate;const max=Math.max(1,...pts.map(p=>p.rate));const w=600,h=120;
document.getElementById('line').setAttribute('points',pts.map((p,i)=>(i*(w/Math.max(1,pts.length-1))).toFixed(1)+','+(h-4-(p.rate/max)*(h-12)).toFixed(1)).join(' '));
document.getElementById('rmax').textContent=max+' msg/min';}catch(e){}}
tick();setInterval(tick,5000);`;
