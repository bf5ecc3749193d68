// (5) Message archive queries (XEP-0313 with XEP-0059 paging). Setup, once per server: ten
// contacts send the archive owner `archive` chat messages in all while everyone is online, so the
// server archives them as it would real traffic. Measured: the latest page (RSM <before/>, what a client
// fetches on start, §4.1.1 + XEP-0059 §2.5) and the oldest page, 50 messages each, from query to
// the iq result that ends the page.
import { XmppConnection, type Target } from '../client/connection.ts';
import { topAttr } from '../client/xml-text.ts';
import { sleep } from '../peers/proc.ts';
import { percentile, sortedCopy } from '../stats.ts';
import type { Account } from '../peers/types.ts';
import { measure, type Measurement, type RunContext } from './types.ts';

export const MAM_OWNER: Account = { username: 'mamowner', password: 'mam-owner-pw' };
/** The owner's conversation partners; several, so the fill runs as many conversations at once. */
export const MAM_CONTACTS: Account[] = Array.from({ length: 10 }, (_, i) => ({ username: `mamcontact${i}`, password: `mam-contact-${i}-pw` }));

export const MAM_LATEST = { key: 'mam.latest', label: 'MAM latest page (50) of the archive, p50', unit: 'ms', better: 'lower' } as const;
export const MAM_OLDEST = { key: 'mam.oldest', label: 'MAM oldest page (50) of the archive, p50', unit: 'ms', better: 'lower' } as const;

const PAGE = 50;

/** Fill the owner's archive through the server; returns messages per second archived (both ends). */
export async function fillArchive(target: Target, count: number, progress: (m: string) => void): Promise<number> {
  const owner = await XmppConnection.login(target, { ...MAM_OWNER, presence: true, resource: 'fill' });
  const contacts = await Promise.all(MAM_CONTACTS.map((c) => XmppConnection.login(target, { ...c, presence: true, resource: 'fill' })));
  const received = new Array<number>(contacts.length).fill(0);
  let total = 0;
  owner.onStanza = (x) => {
    const b = x.indexOf('<body>archived ');
    if (b < 0 || !x.startsWith('<message')) return;
    received[Number(x.slice(b + 15, x.indexOf(' ', b + 15)))]++;
    total++;
  };
  const t0 = performance.now();
  const deadline = t0 + 600_000;
  const WINDOW = 50;
  let nextReport = 5000;
  try {
    // Each contact sends its share with at most WINDOW messages not yet delivered.
    const share = (c: number) => Math.floor(count / contacts.length) + (c < count % contacts.length ? 1 : 0);
    await Promise.all(contacts.map(async (conn, c) => {
      const mine = share(c);
      for (let sent = 0; sent < mine; ) {
        for (const upTo = Math.min(mine, received[c] + WINDOW); sent < upTo; sent++) {
          conn.send(`<message to='${MAM_OWNER.username}@${target.domain}' type='chat' id='a${c}-${sent}'><body>archived ${c} ${sent}: what's in a name? That which we call a rose by any other word would smell as sweet.</body></message>`);
        }
        while (received[c] + WINDOW / 2 < sent && received[c] < mine) {
          if (performance.now() > deadline) throw new Error(`archive fill: ${total}/${count} after 600 s`);
          await sleep(2);
        }
        if (total >= nextReport) {
          progress(`  archive ${total}/${count}`);
          nextReport += 5000;
        }
      }
      while (received[c] < mine && performance.now() < deadline) await sleep(10);
    }));
    if (total < count) throw new Error(`archive fill: ${total}/${count} delivered`);
  } finally {
    await Promise.all([owner, ...contacts].map((c) => c.close()));
  }
  return count / ((performance.now() - t0) / 1000);
}

async function queryPage(conn: XmppConnection, id: string, rsm: string): Promise<{ ms: number; items: number }> {
  let items = 0;
  conn.onStanza = (x) => {
    if (x.startsWith('<message') && (x.includes(`queryid='${id}'`) || x.includes(`queryid="${id}"`))) items++;
  };
  const t = performance.now();
  const reply = await conn.request(`<iq type='set' id='${id}'><query xmlns='urn:xmpp:mam:2' queryid='${id}'><set xmlns='http://jabber.org/protocol/rsm'><max>${PAGE}</max>${rsm}</set></query></iq>`, id, 60_000);
  const ms = performance.now() - t;
  if (topAttr(reply, 'type') !== 'result') throw new Error(`MAM query refused: ${reply}`);
  return { ms, items };
}

export async function mamScenario(ctx: RunContext): Promise<Measurement[]> {
  const conn = await XmppConnection.login(ctx.peer.target, { ...MAM_OWNER, resource: `q${ctx.round}` });
  const latest: number[] = [];
  const oldest: number[] = [];
  try {
    for (let q = 0; q < ctx.scale.mam.queries; q++) {
      const a = await queryPage(conn, `l${q}`, '<before/>');
      const b = await queryPage(conn, `o${q}`, '');
      if (a.items !== PAGE || b.items !== PAGE) throw new Error(`MAM page held ${a.items} / ${b.items} messages, expected ${PAGE}`);
      latest.push(a.ms);
      oldest.push(b.ms);
    }
  } finally {
    await conn.close();
  }
  const l50 = percentile(sortedCopy(latest), 50);
  const o50 = percentile(sortedCopy(oldest), 50);
  ctx.progress(`mam: latest page p50 ${l50.toFixed(1)} ms, oldest page p50 ${o50.toFixed(1)} ms (${ctx.scale.mam.queries} queries each)`);
  return [measure(MAM_LATEST, l50), measure(MAM_OLDEST, o50)];
}
