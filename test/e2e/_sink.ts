import { startServer } from '../helpers/server.ts';
import { RawXmpp } from '../helpers/raw.ts';
const server = await startServer();
try {
  await Promise.all(['writer', 'sink'].map((u) => server.adduser(u, `${u}-secret`)));
  const login = (u: string) => RawXmpp.login({ port: server.ports.c2s, domain: 'localhost', username: u, password: `${u}-secret`, bind: true, resource: 'r' });
  const sink = await login('sink'); const writer = await login('writer');
  let chunk = ''; for (let i = 0; i < 2000; i++) chunk += `<message to="sink@localhost/r" type="chat" id="w${i}"><body>${'y'.repeat(1000)}</body></message>`;
  const t0 = Date.now();
  await writer.writeAll(chunk);
  await sink.waitFor('id="w1999"', 120000).catch((e) => console.log('not all', (e as Error).message.slice(0, 100)));
  console.log('2000 msgs delivered after', Date.now() - t0, 'ms; sink got', (sink.text.match(/<message /g) ?? []).length);
  sink.destroy(); writer.destroy();
} finally { await server.stop(); }
