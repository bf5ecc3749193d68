// parley migrate [--config FILE]: apply pending storage migrations of the configured driver
// (SQLite or PostgreSQL) and exit. Idempotent: a second run finds nothing to do. On a terminal
// it draws a progress bar; otherwise (scripts, CI, logs) it prints one plain line per migration.
import cliProgress from 'cli-progress';
import { resolveDataPath } from '../config/loader.ts';
import type { Config } from '../config/schema.ts';
import { migrateStorage } from '../storage/index.ts';

/** Where the migrations go, without any password the URL may carry. */
function target(config: Config): string {
  const s = config.storage;
  if (s.driver === 'sqlite') return `SQLite ${resolveDataPath(config, s.path)}`;
  let url = s.url ?? '';
  try {
    const u = new URL(url);
    if (u.password) u.password = '****';
    url = u.toString();
  } catch {
    url = '(unparsable storage.url)';
  }
  return `PostgreSQL ${url}${s.schema ? ` schema ${s.schema}` : ''}`;
}

export async function cmdMigrate(config: Config): Promise<number> {
  const out = process.stdout;
  out.write(`migrating ${target(config)}\n`);
  let bar: cliProgress.SingleBar | undefined;
  try {
    const { applied, total } = await migrateStorage(config, (done, pending, name) => {
      if (!out.isTTY) {
        out.write(`applied ${done}/${pending}: ${name}\n`);
        return;
      }
      if (!bar) {
        bar = new cliProgress.SingleBar({ stream: out, format: '{bar} {value}/{total} {migration}', hideCursor: true, clearOnComplete: false }, cliProgress.Presets.shades_classic);
        bar.start(pending, done - 1, { migration: '' });
      }
      bar.update(done, { migration: name });
    });
    bar?.stop();
    out.write(applied > 0 ? `${applied} migrations applied; schema is current (${total} known)\n` : `nothing to do: schema is current (${total} known)\n`);
    return 0;
  } catch (e) {
    bar?.stop();
    process.stderr.write(`error: migration failed: ${(e as Error).message}\n`);
    return 1;
  }
}
