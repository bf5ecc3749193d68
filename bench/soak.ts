// Soak test: N client connections with steady traffic for a bounded time (default 10 minutes),
// sampling the server's heap, RSS and open file descriptors; prints the heap and RSS slopes
// (least squares over the samples after warm-up) and the fd count before, during and after.
//   npm run bench:soak -- --minutes 10 --connections 500 --interval 5
import { readdirSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { startServer } from '../test/helpers/server.ts';
import { addUsers } from '../test/helpers/accounts.ts';
import { RawXmpp } from '../test/helpers/raw.ts';
import { metricValue, scrapeMetrics } from '../test/helpers/metrics.ts';

const { values } = parseArgs({
  options: {
    minutes: { type: 'string', default: '10' },
    connections: { type: 'string', default: '500' },
    interval: { type: 'string', default: '5', short: 'i' }, // seconds between messages per connection
    sample: { type: 'string', default: '10' }, // seconds between samples
  },
});
const MINUTES = Number(values.minutes);
const N = Number(values.connections);
const INTERVAL_S = Number(values.interval);
const SAMPLE_S = Math.min(Number(values.sample), Math.max(1, (MINUTES * 60) / 6));

const fds = (pid: number) => readdirSync(`/proc/${pid}/fd`).length;
const MiB = 1024 * 1024;

function slope(points: { t: number; v: number }[]): number {
  const n = points.length;
  if (n < 2) return 0;
  const mt = points.reduce((a, p) => a + p.t, 0) / n;
  const mv = points.reduce((a, p) => a + p.v, 0) / n;
  const num = points.reduce((a, p) => a + (p.t - mt) * (p.v - mv), 0);
  const den = points.reduce((a, p) => a + (p.t - mt) ** 2, 0);
  return den ? num / den : 0;
}

const server = await startServer({ config: { c2s: { max_connections_per_ip: N + 100, connection_rate_per_ip: 10_000, connection_burst_per_ip: N + 100 } } });
const clients: RawXmpp[] = [];
try {
  const fdStart = fds(server.pid);
  const names = Array.from({ length: N }, (_, i) => `soak${i}`);
  await addUsers(server, names);
  for (let i = 0; i < N; i += 50) {
    const batch = names.slice(i, i + 50).map((u) => RawXmpp.login({ port: server.ports.c2s, domain: server.domain, username: u, password: `${u}-secret`, bind: true, resource: 'soak' }));
    clients.push(...(await Promise.all(batch)));
  }
  for (const c of clients) c.write('<presence/>');
  const fdConnected = fds(server.pid);
  console.log(`${N} sessions up; server fds ${fdStart} before connecting, ${fdConnected} with the sessions`);

  // Steady traffic: each client sends one message every INTERVAL_S to the next client (staggered),
  // and drops what it has received so the test process itself does not grow.
  let sent = 0;
  const timers = clients.map((c, i) => {
    const to = `soak${(i + 1) % N}@${server.domain}/soak`;
    const start = setTimeout(() => {
      timers[i] = setInterval(() => {
        c.write(`<message to='${to}' type='chat' id='s${sent}'><body>soak ${sent++} ${'x'.repeat(100)}</body></message>`);
        if (c.text.length > 1 << 20) c.text = '';
      }, INTERVAL_S * 1000);
    }, Math.random() * INTERVAL_S * 1000);
    return start as NodeJS.Timeout;
  });

  const samples: { t: number; heap: number; rss: number; fds: number }[] = [];
  const t0 = Date.now();
  const end = t0 + MINUTES * 60_000;
  while (Date.now() < end) {
    await new Promise((r) => setTimeout(r, Math.min(SAMPLE_S * 1000, Math.max(0, end - Date.now()))));
    const m = await scrapeMetrics(server.ports.http);
    const s = { t: (Date.now() - t0) / 60_000, heap: metricValue(m.text, 'parley_nodejs_heap_size_used_bytes') ?? NaN, rss: server.rss(), fds: fds(server.pid) };
    samples.push(s);
    console.log(`t=${s.t.toFixed(2)} min heap ${(s.heap / MiB).toFixed(1)} MiB rss ${(s.rss / MiB).toFixed(1)} MiB fds ${s.fds} messages sent ${sent}`);
  }
  for (const t of timers) clearTimeout(t), clearInterval(t);
  const closed = clients.map((c) => c.closed).filter(Boolean).length;
  for (const c of clients) c.end();
  await new Promise((r) => setTimeout(r, 3000));
  const fdAfter = fds(server.pid);

  // Slopes over the samples after the first 20% (warm-up: JIT, caches, pools).
  const steady = samples.slice(Math.floor(samples.length * 0.2));
  const heapSlope = slope(steady.map((s) => ({ t: s.t, v: s.heap / MiB })));
  const rssSlope = slope(steady.map((s) => ({ t: s.t, v: s.rss / MiB })));
  console.log('\n--- soak result');
  console.log(`duration ${MINUTES} min, ${N} connections, one message per connection every ${INTERVAL_S} s, ${sent} messages in all, ${closed} clients disconnected by the server`);
  console.log(`heap slope ${heapSlope.toFixed(3)} MiB/min, RSS slope ${rssSlope.toFixed(3)} MiB/min (over ${steady.length} samples after warm-up)`);
  console.log(`heap ${(steady[0]?.heap / MiB).toFixed(1)} -> ${(steady.at(-1)!.heap / MiB).toFixed(1)} MiB; RSS ${(steady[0]?.rss / MiB).toFixed(1)} -> ${(steady.at(-1)!.rss / MiB).toFixed(1)} MiB`);
  console.log(`server fds: ${fdStart} before, ${fdConnected} with ${N} sessions, ${fdAfter} after they closed (leak: ${fdAfter - fdStart})`);
} finally {
  for (const c of clients) c.destroy();
  await server.stop();
}
