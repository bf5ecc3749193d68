import { startServer } from '../helpers/server.ts';
import { loginFailure } from '../helpers/xmppjs.ts';
process.on('unhandledRejection', (e, p) => { console.log('UNHANDLED', (e as Error).message, (e as Error).stack?.split('\n').slice(0, 3).join('|')); });
const server = await startServer();
try {
  for (const directTls of [true, false]) {
    const err = await loginFailure({ port: directTls ? server.ports.directTls : server.ports.c2s, directTls, domain: server.domain, username: 'mallory', password: 'whatever', mechanism: 'SCRAM-SHA-1' });
    console.log(directTls, err.condition);
  }
} finally { await server.stop(); }
