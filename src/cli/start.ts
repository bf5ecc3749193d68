// parley start: run the server until SIGTERM/SIGINT (or `parley stop` over the admin socket),
// then close streams cleanly and exit. SIGHUP and `parley ctl reload` re-read the configuration.
import { mkdirSync } from 'node:fs';
import type { Config } from '../config/schema.ts';
import { Server } from '../core/server.ts';
import { ConfigError, loadConfig } from '../config/loader.ts';
import { AdminSocketInUse, startAdminSocket, type AdminSocket } from '../admin-socket/server.ts';
import { socketPath } from '../admin-socket/protocol.ts';

export async function cmdStart(config: Config, configFile?: string): Promise<number | undefined> {
  const server = new Server(config);
  let adminSocket: AdminSocket | null = null;
  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    server.log.info({ signal }, 'signal received');
    Promise.all([adminSocket?.close(), server.stop()]).then(
      () => process.exit(0),
      (err) => {
        server.log.error({ err }, 'error during shutdown');
        process.exit(1);
      },
    );
  };
  const reload = async (): Promise<string> => {
    let next: Config;
    try {
      next = loadConfig(configFile).config;
    } catch (e) {
      server.log.error({ err: e instanceof ConfigError ? e.problems : e }, 'reload refused: configuration is invalid');
      throw new Error(`reload refused: ${(e as Error).message}`);
    }
    const modules = await server.reload(next);
    return `certificate ${server.tls.paths.cert} (sha256 ${server.tls.fingerprint256}), log level ${next.log.level}${modules.length ? `; ${modules.join('; ')}` : '; module options unchanged'}`;
  };
  try {
    // The socket comes up before the listeners so `parley status` answers during a slow start.
    mkdirSync(config.data_dir, { recursive: true, mode: 0o700 });
    adminSocket = await startAdminSocket(socketPath(config.data_dir), {
      router: server.router,
      services: server.services,
      metrics: server.metrics,
      startedAt: server.startedAt,
      domains: config.domains,
      reload,
      stop: () => shutdown('admin socket'),
    }, server.log.child({ component: 'admin-socket' })).catch((err) => {
      // Two servers on one data_dir would share a database: refuse. Anything else (a path too
      // long for a unix socket, a read-only directory) costs only `parley ctl`: run without it.
      if (err instanceof AdminSocketInUse) throw err;
      server.log.error({ err }, 'admin socket unavailable: parley status|stop|ctl will not reach this server');
      return null;
    });
    await server.start();
  } catch (e) {
    server.log.fatal({ err: e }, 'failed to start');
    await adminSocket?.close().catch(() => {});
    await server.stop().catch(() => {});
    return 1;
  }
  process.on('SIGHUP', () => {
    reload().catch((err) => server.log.error({ err }, 'reload failed'));
  });
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('uncaughtException', (err) => server.log.fatal({ err }, 'uncaught exception'));
  process.on('unhandledRejection', (err) => server.log.error({ err }, 'unhandled rejection'));
  return undefined;
}
