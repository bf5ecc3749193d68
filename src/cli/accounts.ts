// parley adduser|passwd|deluser: account management against the configured storage.
// Works while the server runs (SQLite WAL allows a second writer process with busy_timeout).
import { Accounts, AccountError } from '../accounts/index.ts';
import type { Config } from '../config/schema.ts';
import { tryParseJid } from '../jid/index.ts';
import { createStorage } from '../storage/index.ts';

async function readPassword(): Promise<string> {
  if (process.stdin.isTTY) process.stderr.write('password: ');
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8').split(/\r?\n/)[0];
}

function target(config: Config, arg: string | undefined): { user: string; domain: string } | string {
  if (!arg) return 'missing JID (e.g. alice@localhost)';
  const j = tryParseJid(arg.includes('@') ? arg : `${arg}@${config.domains[0]}`);
  if (!j || !j.local || j.resource) return `not an account JID: ${arg}`;
  if (!config.domains.includes(j.domain)) return `${j.domain} is not one of the configured domains (${config.domains.join(', ')})`;
  return { user: j.local, domain: j.domain };
}

async function withAccounts(config: Config, fn: (a: Accounts) => Promise<void>): Promise<number> {
  const storage = await createStorage(config);
  try {
    await fn(new Accounts(storage, config.c2s.scram_hashes, config.auth.scram_iterations));
    return 0;
  } catch (e) {
    if (e instanceof AccountError) {
      process.stderr.write(`error: ${e.message}\n`);
      return 1;
    }
    throw e;
  } finally {
    await storage.close();
  }
}

export async function cmdAdduser(config: Config, arg: string | undefined, password: string | undefined): Promise<number> {
  const t = target(config, arg);
  if (typeof t === 'string') return void process.stderr.write(`error: ${t}\n`), 2;
  const pw = password ?? (await readPassword());
  return withAccounts(config, async (a) => {
    await a.create(t.user, t.domain, pw);
    process.stdout.write(`created ${t.user}@${t.domain}\n`);
  });
}

export async function cmdPasswd(config: Config, arg: string | undefined, password: string | undefined): Promise<number> {
  const t = target(config, arg);
  if (typeof t === 'string') return void process.stderr.write(`error: ${t}\n`), 2;
  const pw = password ?? (await readPassword());
  return withAccounts(config, async (a) => {
    await a.setPassword(t.user, t.domain, pw);
    process.stdout.write(`password changed for ${t.user}@${t.domain}\n`);
  });
}

export async function cmdDeluser(config: Config, arg: string | undefined): Promise<number> {
  const t = target(config, arg);
  if (typeof t === 'string') return void process.stderr.write(`error: ${t}\n`), 2;
  return withAccounts(config, async (a) => {
    if (!(await a.delete(t.user, t.domain))) throw new AccountError(`no account ${t.user}@${t.domain}`);
    process.stdout.write(`deleted ${t.user}@${t.domain}\n`);
  });
}
