// Opens the configured storage driver.
import type { Config } from '../config/schema.ts';
import { resolveDataPath } from '../config/loader.ts';
import type { Logger } from '../observability/log.ts';
import { createSqliteStorage } from './sqlite/index.ts';
import type { Storage } from './types.ts';

export function createStorage(config: Config, log?: Logger): Storage {
  const path = resolveDataPath(config, config.storage.path);
  return createSqliteStorage(path, (done, total, name) => log?.info({ done, total, migration: name }, 'storage migration applied'));
}
