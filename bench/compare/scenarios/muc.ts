// (4) MUC fan-out (XEP-0045): K online users join one new room (the first creates it and accepts
// the default configuration as an instant room, §10.1.2), then one occupant sends groupchat
// messages that the room reflects to all K occupants (§7.4). Joins per second; delivery latency
// p50/p99 at a paced rate; deliveries per second and server CPU per delivery for a burst.
import { randomBytes } from 'node:crypto';
import type { XmppConnection } from '../client/connection.ts';
import { forEachLimited } from '../client/pool.ts';
import { cpuMeter } from '../client/timing.ts';
import { quiesce } from '../client/quiesce.ts';
import { topAttr } from '../client/xml-text.ts';
import { sleep } from '../peers/proc.ts';
import { percentile, sortedCopy } from '../stats.ts';
import { measure, type Measurement, type RunContext } from './types.ts';

export const MUC_JOIN = { key: 'muc.join_rate', label: 'MUC joins into a filling room', unit: 'joins/s', better: 'higher' } as const;
export const MUC_RATE = { key: 'muc.rate', label: 'MUC fan-out, burst', unit: 'deliveries/s', better: 'higher' } as const;
export const MUC_CPU = { key: 'muc.cpu', label: 'Server CPU per MUC delivery', unit: 'µs', better: 'lower' } as const;
export const MUC_P50 = { key: 'muc.p50', label: 'MUC delivery latency p50, paced', unit: 'ms', better: 'lower' } as const;
export const MUC_P99 = { key: 'muc.p99', label: 'MUC delivery latency p99, paced', unit: 'ms', better: 'lower' } as const;

export const MUC_LATE = { key: 'muc.late', label: 'MUC paced deliveries not there 15 s after the last send', unit: '%', better: 'lower' } as const;

const NS_MUC = 'http://jabber.org/protocol/muc';

async function join(conn: XmppConnection, occupantJid: string): Promise<string> {
  const self = conn.waitFor((x) => x.startsWith('<presence') && topAttr(x, 'from') === occupantJid, 60_000);
  conn.send(`<presence to='${occupantJid}'><x xmlns='${NS_MUC}'><history maxstanzas='0'/></x></presence>`);
  const p = await self;
  if (topAttr(p, 'type') === 'error') throw new Error(`join ${occupantJid} refused: ${p}`);
  return p;
}

export async function mucScenario(ctx: RunContext, online: XmppConnection[]): Promise<Measurement[]> {
  const { occupants, pacedMessages, pacedRate, burst } = ctx.scale.muc;
  if (online.length < occupants) throw new Error(`MUC needs ${occupants} online users, ${online.length} are`);
  const conns = online.slice(0, occupants);
  const room = `bench${ctx.round}-${randomBytes(3).toString('hex')}@${ctx.peer.mucDomain}`;

  // Bodies are "M p <seq> <sent>" (paced) or "M b <seq> <sent>" (burst).
  let pacedDeliveries = 0;
  let burstDeliveries = 0;
  const latencies: number[] = [];
  const onStanza = (xml: string) => {
    if (!xml.startsWith('<message')) return;
    const b = xml.indexOf('<body>M ');
    if (b < 0) return;
    if (xml[b + 8] === 'b') burstDeliveries++;
    else {
      pacedDeliveries++;
      latencies.push(performance.now() - Number(xml.slice(b + 10, xml.indexOf('</body>', b)).split(' ')[1]));
    }
  };
  for (const c of conns) c.onStanza = onStanza;

  try {
    const t0 = performance.now();
    const created = await join(conns[0], `${room}/n0`);
    if (created.includes("code='201'") || created.includes('code="201"')) {
      const form = await conns[0].request(`<iq type='set' id='instant' to='${room}'><query xmlns='${NS_MUC}#owner'><x xmlns='jabber:x:data' type='submit'/></query></iq>`, 'instant');
      if (topAttr(form, 'type') !== 'result') throw new Error(`instant room refused: ${form}`);
    }
    await forEachLimited(occupants - 1, 20, (i) => join(conns[i + 1], `${room}/n${i + 1}`).then(() => {}));
    const joinRate = occupants / ((performance.now() - t0) / 1000);
    ctx.progress(`muc: ${occupants} occupants joined at ${joinRate.toFixed(0)}/s`);
    await sleep(1000); // presence broadcasts of the last joins settle

    // Paced: latency of each delivery at a rate every server should sustain.
    const sender = conns[0];
    const groupchat = (kind: 'p' | 'b', seq: number) => sender.send(`<message to='${room}' type='groupchat'><body>M ${kind} ${seq} ${performance.now()}</body></message>`);
    for (let s = 0; s < pacedMessages; s++) {
      groupchat('p', s);
      await sleep(1000 / pacedRate);
    }
    const pacedWant = pacedMessages * occupants;
    const pacedUntil = performance.now() + 15_000;
    while (pacedDeliveries < pacedWant && performance.now() < pacedUntil) await sleep(20);
    const pacedGot = pacedDeliveries;
    const sorted = sortedCopy(latencies);
    const p50 = percentile(sorted, 50);
    const p99 = percentile(sorted, 99);
    const late = (100 * (pacedWant - pacedGot)) / pacedWant;
    if (late > 0) ctx.progress(`  muc: ${pacedWant - pacedGot} of ${pacedWant} paced deliveries not there 15 s after the last send`);
    await quiesce(ctx.peer.pid());

    // Burst: everything at once, time until the last occupant has the last message.
    const burstWant = burst * occupants;
    const cpu = cpuMeter(ctx.peer.pid());
    const b0 = performance.now();
    for (let s = 0; s < burst; s++) groupchat('b', s);
    const burstUntil = b0 + 60_000;
    while (burstDeliveries < burstWant && performance.now() < burstUntil) await sleep(5);
    const burstSeconds = (performance.now() - b0) / 1000;
    const got = burstDeliveries;
    const rate = got / burstSeconds;
    const cpuPerDelivery = cpu.perOp(got) * 1000;
    ctx.progress(`muc: paced p50 ${p50.toFixed(1)} ms p99 ${p99.toFixed(1)} ms; burst ${got}/${burstWant} deliveries at ${rate.toFixed(0)}/s, ${cpuPerDelivery.toFixed(0)} µs server CPU each`);
    return [measure(MUC_JOIN, joinRate), measure(MUC_RATE, rate), measure(MUC_CPU, cpuPerDelivery), measure(MUC_P50, p50), measure(MUC_P99, p99), measure(MUC_LATE, late)];
  } finally {
    for (const c of conns) c.onStanza = () => {};
  }
}
