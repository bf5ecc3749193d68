// parley start: run the server until SIGTERM/SIGINT, then close streams cleanly and exit.
import type { Config } from '../config/schema.ts';
import { Server } from '../core/server.ts';
import { ConfigError, loadConfig } from '../config/loader.ts';

export async function cmdStart(config: Config, configFile?: string): Promise<number | undefined> {
  const server = new Server(config);
  try {
    await server.start();
  } catch (e) {
    server.log.fatal({ err: e }, 'failed to start');
    await server.stop().catch(() => {});
    return 1;
  }
  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    server.log.info({ signal }, 'signal received');
    server.stop().then(
      () => process.exit(0),
      (err) => {
        server.log.error({ err }, 'error during shutdown');
        process.exit(1);
      },
    );
  };
  process.on('SIGHUP', () => {
    let next: Config;
    try {
      next = loadConfig(configFile).config;
    } catch (e) {
      server.log.error({ err: e instanceof ConfigError ? e.problems : e }, 'reload refused: configuration is invalid');
      return;
    }
    server.reload(next).catch((err) => server.log.error({ err }, 'reload failed'));
  });
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('uncaughtException', (err) => server.log.fatal({ err }, 'uncaught exception'));
  process.on('unhandledRejection', (err) => server.log.error({ err }, 'unhandled rejection'));
  return undefined;
}
