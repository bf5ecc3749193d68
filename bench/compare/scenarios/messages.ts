// (2) One-to-one chat messages between online users (RFC 6121 §5, type=chat to the bare JID, so
// the server applies §8.5.2 delivery, carbons and archiving as for real clients).
// Saturated phase: every user keeps `window` messages in flight to its partner and sends the
// next one when the previous arrives (closed loop): delivered messages per second and the
// server's CPU time per message. Steady phase: a fixed offered rate (open loop) spread over
// all users: p50/p99 latency from send to receipt, both ends in this process.
import type { XmppConnection } from '../client/connection.ts';
import { cpuMeter } from '../client/timing.ts';
import { quiesce } from '../client/quiesce.ts';
import { topAttr } from '../client/xml-text.ts';
import { sleep } from '../peers/proc.ts';
import { percentile, sortedCopy } from '../stats.ts';
import { measure, type Measurement, type RunContext } from './types.ts';

export const MSG_RATE = { key: 'msg.rate', label: '1:1 messages, saturated', unit: 'msg/s', better: 'higher' } as const;
export const MSG_CPU = { key: 'msg.cpu', label: 'Server CPU per 1:1 message', unit: 'µs', better: 'lower' } as const;
export const MSG_P50 = { key: 'msg.p50', label: '1:1 latency p50 at steady load', unit: 'ms', better: 'lower' } as const;
export const MSG_P99 = { key: 'msg.p99', label: '1:1 latency p99 at steady load', unit: 'ms', better: 'lower' } as const;

export const MSG_LATE = { key: 'msg.late', label: 'Steady-load messages not delivered within 10 s', unit: '%', better: 'lower' } as const;

const PADDING = 'x'.repeat(60); // a short chat line: ~100 bytes of body

export async function messagesScenario(ctx: RunContext, conns: XmppConnection[]): Promise<Measurement[]> {
  const n = conns.length;
  const { throughputSeconds, window, steadyRate, steadySeconds } = ctx.scale.messages;
  const domain = ctx.peer.target.domain;
  const partner = (i: number) => (i + Math.floor(n / 2)) % n;
  let sentT = 0;
  let deliveredT = 0;
  const send = (from: number, phase: 'T' | 'S') => {
    if (phase === 'T') sentT++;
    conns[from].send(`<message to='user${partner(from)}@${domain}' type='chat'><body>B ${phase} ${from} ${performance.now()} ${PADDING}</body></message>`);
  };

  let phase: 'T' | 'S' | 'off' = 'off';
  let delivered = 0;
  let errors = 0;
  let steadyReceived = 0;
  const latencies: number[] = [];
  const onStanza = (xml: string) => {
    if (!xml.startsWith('<message')) return;
    if (topAttr(xml, 'type') === 'error') {
      errors++;
      return;
    }
    const b = xml.indexOf('<body>B ');
    if (b < 0) return;
    const fields = xml.slice(b + 8, xml.indexOf('</body>', b)).split(' ');
    const now = performance.now();
    delivered++;
    if (fields[0] === 'T') {
      deliveredT++;
      if (phase === 'T') send(Number(fields[1]), 'T');
    } else if (fields[0] === 'S') {
      steadyReceived++;
      latencies.push(now - Number(fields[2]));
    }
  };
  for (const c of conns) c.onStanza = onStanza;

  try {
    // Saturated, closed loop. Warm-up until every user has had a message delivered (queues in
    // the server are then in their steady state), at most 20 s; then the measured window.
    phase = 'T';
    for (let w = 0; w < window; w++) for (let i = 0; i < n; i++) send(i, 'T');
    const warmUntil = performance.now() + 20_000;
    while (deliveredT < n && performance.now() < warmUntil) await sleep(20);
    const cpu = cpuMeter(ctx.peer.pid());
    const d0 = delivered;
    const t0 = performance.now();
    await sleep(throughputSeconds * 1000);
    const rate = ((delivered - d0) * 1000) / (performance.now() - t0);
    const cpuPerMsg = cpu.perOp(delivered - d0) * 1000;
    phase = 'off';
    // Everything in flight lands before the steady phase starts.
    const landUntil = performance.now() + 30_000;
    while (deliveredT < sentT && performance.now() < landUntil) await sleep(20);
    if (deliveredT < sentT) ctx.progress(`  ${sentT - deliveredT} saturated-phase messages still undelivered after 30 s`);
    await quiesce(ctx.peer.pid());
    ctx.progress(`messages: saturated ${rate.toFixed(0)} msg/s with ${n * window} in flight, ${cpuPerMsg.toFixed(0)} µs server CPU each`);

    // Steady, open loop at a fixed offered rate.
    phase = 'S';
    let sent = 0;
    let next = 0;
    const s0 = performance.now();
    while (performance.now() - s0 < steadySeconds * 1000) {
      const due = Math.floor(((performance.now() - s0) / 1000) * steadyRate);
      for (; sent < due; sent++) send((next = (next + 1) % n), 'S');
      await sleep(5);
    }
    const drainUntil = performance.now() + 10_000;
    while (steadyReceived < sent && performance.now() < drainUntil) await sleep(50);
    phase = 'off';
    const sorted = sortedCopy(latencies);
    const p50 = percentile(sorted, 50);
    const p99 = percentile(sorted, 99);
    const lost = sent - steadyReceived;
    ctx.progress(`messages: steady ${steadyRate}/s for ${steadySeconds} s: p50 ${p50.toFixed(1)} ms, p99 ${p99.toFixed(1)} ms${lost ? `, ${lost} not delivered within 10 s` : ''}${errors ? `, ${errors} errors` : ''}`);
    if (errors) throw new Error(`${ctx.peer.name} answered ${errors} messages with errors`);
    // A message that never arrives has no latency: the loss is reported beside the percentiles.
    return [measure(MSG_RATE, rate), measure(MSG_CPU, cpuPerMsg), measure(MSG_P50, p50), measure(MSG_P99, p99), measure(MSG_LATE, (100 * lost) / Math.max(1, sent))];
  } finally {
    phase = 'off';
    for (const c of conns) c.onStanza = () => {};
  }
}
