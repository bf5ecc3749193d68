// A connection flood of 2,000 sockets from loopback addresses (net/connection-guard.ts admits
// a bounded number per address and in all): an established session keeps answering pings.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import { startServer, type RunningServer } from '../helpers/server.ts';
import { RawXmpp } from '../helpers/raw.ts';

const SOCKETS = 2000;
const SOURCES = ['127.0.0.3', '127.0.0.4', '127.0.0.5', '127.0.0.6'];

async function pingRtt(raw: RawXmpp, domain: string, id: string): Promise<number> {
  const t0 = performance.now();
  raw.write(`<iq type='get' id='${id}' to='${domain}'><ping xmlns='urn:xmpp:ping'/></iq>`);
  await raw.waitFor(new RegExp(`id=["']${id}["']`), 10_000);
  return performance.now() - t0;
}

describe('connection flood', () => {
  let server: RunningServer;
  const sockets: Socket[] = [];
  before(async () => {
    server = await startServer();
    await server.adduser('steady', 'steady-pw');
  });
  after(async () => {
    for (const s of sockets) s.destroy();
    await server?.stop();
  });

  test(`${SOCKETS} sockets from loopback leave an established session responsive`, async (t) => {
    const d = server.domain;
    const steady = await RawXmpp.login({ port: server.ports.c2s, domain: d, username: 'steady', password: 'steady-pw', bind: true });
    const before = await pingRtt(steady, d, 'before');
    let opened = 0;
    let refused = 0;
    let failed = 0;
    const open = (i: number) =>
      new Promise<void>((resolve) => {
        const s = connect({ host: '127.0.0.1', port: server.ports.c2s, localAddress: SOURCES[i % SOURCES.length] });
        sockets.push(s);
        s.on('connect', () => {
          opened++;
          // Half of them start a stream and then stall; the rest say nothing at all.
          if (i % 2) s.write(`<?xml version='1.0'?><stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams' to='${d}' version='1.0'>`);
          resolve();
        });
        s.on('close', () => refused++);
        s.on('error', () => {
          failed++;
          resolve();
        });
      });
    const rtts: number[] = [];
    let flooding = true;
    const pinger = (async () => {
      for (let i = 0; flooding && i < 500; i++) {
        rtts.push(await pingRtt(steady, d, `during${i}`));
        await new Promise((r) => setTimeout(r, 10));
      }
    })();
    const t0 = performance.now();
    for (let i = 0; i < SOCKETS; i += 100) await Promise.all(Array.from({ length: Math.min(100, SOCKETS - i) }, (_, k) => open(i + k)));
    await new Promise((r) => setTimeout(r, 500));
    flooding = false;
    await pinger;
    const afterRtt = await pingRtt(steady, d, 'after');
    const max = Math.max(...rtts);
    t.diagnostic(`${SOCKETS} sockets in ${(performance.now() - t0).toFixed(0)} ms: ${opened} connected, ${refused} closed by the server, ${failed} errors`);
    t.diagnostic(`ping RTT: ${before.toFixed(1)} ms before, max ${max.toFixed(1)} ms over ${rtts.length} pings during, ${afterRtt.toFixed(1)} ms after`);
    assert.ok(opened + failed >= SOCKETS, 'every socket was attempted');
    assert.ok(refused > 0, 'admission limits closed some of the flood');
    assert.ok(rtts.length >= 3, 'pings ran during the flood');
    assert.ok(max < 2000, `ping round trip stayed under 2 s (max ${max.toFixed(0)} ms)`);
    assert.equal(steady.closed, false);
    const log = server.logs();
    assert.match(log, /connection refused by admission limits/);
    steady.end();
  });
});
