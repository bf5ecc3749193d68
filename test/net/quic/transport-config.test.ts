// Issue #10 / docs/quic.md §7: the @matrixai/quic tuning in src/net/quic/transport-config.ts, on
// real UDP sockets over loopback. Fails on a library upgrade that moves the internals it relies
// on (QUICConnection.send, the dgram socket behind QUICServer/QUICClient).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { QUICClient, QUICServer, events, type QUICConnection, type QUICStream } from '@matrixai/quic';
import Logger, { LogLevel } from '@matrixai/logger';
import { clientCrypto, serverCrypto } from '../../../src/net/quic/crypto.ts';
import { coalesceSends, enlargeSocketBuffers, quicTransportConfig, socketRecvBufferSize, SOCKET_BUFFER_BYTES } from '../../../src/net/quic/transport-config.ts';

const cert = readFileSync(new URL('../../fixtures/tls/localhost.crt', import.meta.url), 'utf8');
const key = readFileSync(new URL('../../fixtures/tls/localhost.key', import.meta.url), 'utf8');
const common = { applicationProtos: ['xmpp-client'], enableEarlyData: false, maxIdleTimeout: 20_000, ...quicTransportConfig() };
const logger = () => new Logger('quic-test', LogLevel.ERROR);

/** Sends `bytes` over one stream; returns what the server read and the datagrams each side sent. */
async function transfer(tuned: boolean, bytes: Buffer) {
  const server = new QUICServer({ logger: logger(), crypto: serverCrypto(), config: { key, cert, verifyPeer: false, ...common } });
  let serverConn: QUICConnection | undefined;
  let serverPackets = 0;
  const stream = new Promise<QUICStream>((resolve) => {
    server.addEventListener(events.EventQUICServerConnection.name, (e) => {
      serverConn = (e as events.EventQUICServerConnection).detail;
      if (tuned) coalesceSends(serverConn);
      serverConn.addEventListener(events.EventQUICConnectionSend.name, () => serverPackets++);
      serverConn.addEventListener(events.EventQUICConnectionError.name, () => {});
      serverConn.addEventListener(events.EventQUICConnectionStream.name, (ev) => resolve((ev as events.EventQUICConnectionStream).detail), { once: true });
    });
  });
  await server.start({ host: '127.0.0.1', port: 0 });
  if (tuned) enlargeSocketBuffers(server);
  const client = await QUICClient.createQUICClient(
    { host: '127.0.0.1', port: server.port, localHost: '127.0.0.1', serverName: 'localhost', crypto: clientCrypto(), logger: logger(), config: { verifyPeer: true, ca: cert, ...common } },
    { timer: 10_000 },
  );
  const conn = client.connection;
  conn.addEventListener(events.EventQUICConnectionError.name, () => {});
  if (tuned) {
    coalesceSends(conn);
    enlargeSocketBuffers(client);
  }
  try {
    const writer = conn.newStream('bidi').writable.getWriter();
    // 1 KiB writes, awaited one by one, as the client's write scheduler makes them.
    const writing = (async () => {
      for (let off = 0; off < bytes.length; off += 1024) await writer.write(bytes.subarray(off, off + 1024));
      await writer.close();
    })();
    const reader = (await stream).readable.getReader();
    const parts: Buffer[] = [];
    for (let r = await reader.read(); !r.done; r = await reader.read()) parts.push(Buffer.from(r.value));
    await writing;
    const stats = (serverConn as unknown as { conn: { stats(): { recv: number } } }).conn.stats();
    return { got: Buffer.concat(parts), serverPackets, serverRecv: stats.recv, serverRcvbuf: socketRecvBufferSize(server), clientRcvbuf: socketRecvBufferSize(client) };
  } finally {
    // Closing must still work with deferred sends (the CONNECTION_CLOSE goes out in the flush).
    await client.destroy({ isApp: true, errorCode: 0, force: true });
    await server.stop({ force: true });
  }
}

const payload = Buffer.alloc(1024 * 1024);
for (let i = 0; i < payload.length; i++) payload[i] = (i * 7919) >>> 3;

test('coalesced sends deliver a stream intact and answer a burst of packets with a few ACKs', { timeout: 60_000 }, async () => {
  const r = await transfer(true, payload);
  assert.equal(r.got.length, payload.length);
  assert.ok(r.got.equals(payload), 'bytes arrive in order and unchanged');
  // Untuned, the library sends one ACK packet per received data packet (see the next test).
  assert.ok(r.serverPackets < r.serverRecv / 3, `server sent ${r.serverPackets} packets for ${r.serverRecv} received`);
});

test('untuned, the library answers every received packet (why coalescing exists)', { timeout: 60_000 }, async () => {
  const r = await transfer(false, payload.subarray(0, 256 * 1024));
  assert.ok(r.got.equals(payload.subarray(0, 256 * 1024)));
  assert.ok(r.serverPackets > r.serverRecv * 0.8, `server sent ${r.serverPackets} packets for ${r.serverRecv} received`);
});

test('socket buffers are enlarged up to the kernel limit', { timeout: 60_000 }, async () => {
  const r = await transfer(true, payload.subarray(0, 16 * 1024));
  let max = SOCKET_BUFFER_BYTES;
  try {
    max = Math.min(max, Number(readFileSync('/proc/sys/net/core/rmem_max', 'utf8')));
  } catch {
    // not Linux: only check that the socket was reachable
  }
  for (const size of [r.serverRcvbuf, r.clientRcvbuf]) {
    assert.equal(typeof size, 'number', 'the dgram socket behind QUICServer/QUICClient is reachable');
    // Linux reports twice the size set (bookkeeping overhead included).
    assert.ok(size! >= max, `receive buffer ${size} < ${max}`);
  }
});
