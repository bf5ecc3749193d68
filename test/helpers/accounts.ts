// Creates many accounts at once, in this process, straight in a running test server's storage
// (as `parley adduser` does, but without starting one CLI process per account, which is slow on
// a busy machine). SQLite in WAL mode lets this second writer in beside the server.
import { Accounts } from '../../src/accounts/index.ts';
import { loadConfig } from '../../src/config/loader.ts';
import { createStorage } from '../../src/storage/index.ts';
import type { RunningServer } from './server.ts';

/** Create `username@domain` with password `${username}-secret` (or the given one) for each name. */
export async function addUsers(server: RunningServer, names: string[], password = (u: string) => `${u}-secret`): Promise<void> {
  const { config } = loadConfig(server.configPath);
  const storage = await createStorage(config);
  try {
    const accounts = new Accounts(storage, config.c2s.scram_hashes, config.auth.scram_iterations);
    for (const u of names) await accounts.create(u, server.domain, password(u));
  } finally {
    await storage.close();
  }
}
