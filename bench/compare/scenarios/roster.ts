// (6) Roster load at login (RFC 6121 §2.2): a user with a large roster logs in and fetches it
// without a version (a client's first start, or a server without versioning). Setup, once per
// server: the owner adds `contacts` items with roster sets (§2.3), through the protocol so each
// server stores them its own way. Measured: the roster get alone, and login + roster get.
import { XmppConnection, type Target } from '../client/connection.ts';
import { forEachLimited } from '../client/pool.ts';
import { countOf, topAttr } from '../client/xml-text.ts';
import { percentile, sortedCopy } from '../stats.ts';
import type { Account } from '../peers/types.ts';
import { measure, type Measurement, type RunContext } from './types.ts';

export const ROSTER_OWNER: Account = { username: 'rosterowner', password: 'roster-owner-pw' };

export const ROSTER_GET = { key: 'roster.get', label: 'Roster get (whole roster), p50', unit: 'ms', better: 'lower' } as const;
export const ROSTER_LOGIN = { key: 'roster.login', label: 'Login + roster get, p50', unit: 'ms', better: 'lower' } as const;

const NS_ROSTER = 'jabber:iq:roster';

export async function fillRoster(target: Target, contacts: number): Promise<void> {
  const conn = await XmppConnection.login(target, { ...ROSTER_OWNER, resource: 'fill' });
  try {
    await forEachLimited(contacts, 20, async (i) => {
      const id = `r${i}`;
      const reply = await conn.request(`<iq type='set' id='${id}'><query xmlns='${NS_ROSTER}'><item jid='user${i}@${target.domain}' name='Contact ${i}'><group>Bench ${i % 10}</group></item></query></iq>`, id, 60_000);
      if (topAttr(reply, 'type') !== 'result') throw new Error(`roster set refused: ${reply}`);
    });
  } finally {
    await conn.close();
  }
}

export async function rosterScenario(ctx: RunContext): Promise<Measurement[]> {
  const want = ctx.scale.roster.contacts;
  const gets: number[] = [];
  const totals: number[] = [];
  for (let i = 0; i < ctx.scale.roster.logins; i++) {
    const t0 = performance.now();
    const conn = await XmppConnection.login(ctx.peer.target, { ...ROSTER_OWNER, resource: `login${i}` });
    try {
      const t1 = performance.now();
      const reply = await conn.request(`<iq type='get' id='roster'><query xmlns='${NS_ROSTER}'/></iq>`, 'roster', 60_000);
      const t2 = performance.now();
      const items = countOf(reply, '<item ');
      if (items !== want) throw new Error(`roster held ${items} items, expected ${want}`);
      gets.push(t2 - t1);
      totals.push(t2 - t0);
    } finally {
      await conn.close();
    }
  }
  const g50 = percentile(sortedCopy(gets), 50);
  const l50 = percentile(sortedCopy(totals), 50);
  ctx.progress(`roster: get ${g50.toFixed(1)} ms, login + get ${l50.toFixed(1)} ms (p50 of ${gets.length})`);
  return [measure(ROSTER_GET, g50), measure(ROSTER_LOGIN, l50)];
}
