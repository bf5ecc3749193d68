// parley export FILE [--domain D]... / parley import FILE... [--skip-existing]: every account's data
// in the XEP-0227 format (src/portability), between any two Parley storages (SQLite, PostgreSQL)
// and from Prosody or ejabberd exports. Export writes FILE.part and renames it when complete;
// import records finished accounts in FILE.import-state, so a rerun after an interruption resumes
// (and writing an account twice changes nothing: see portability/apply.ts).
import { once } from 'node:events';
import { appendFileSync, createWriteStream, existsSync, readFileSync, renameSync, rmSync } from 'node:fs';
import type { Config } from '../config/schema.ts';
import { createStorage } from '../storage/index.ts';
import { collectUser } from '../portability/collect.ts';
import { applyUser } from '../portability/apply.ts';
import { countUsers, readUsers } from '../portability/reader.ts';
import { FormatError, NS_PIE, parseUser, userElement } from '../portability/xep0227.ts';
import { progress } from '../portability/progress.ts';
import { escapeAttr } from '../xml/escape.ts';

const PAGE = 200;

export async function cmdExport(config: Config, file: string | undefined, domains: string[] | undefined): Promise<number> {
  if (!file) return void process.stderr.write('usage: parley export FILE [--domain D]   (FILE - writes to stdout)\n'), 2;
  const hosts = domains?.length ? domains : config.domains;
  const unknown = hosts.filter((d) => !config.domains.includes(d));
  if (unknown.length) return void process.stderr.write(`error: not a configured domain: ${unknown.join(', ')}\n`), 2;
  const storage = await createStorage(config);
  const toStdout = file === '-';
  const part = `${file}.part`;
  const out = toStdout ? process.stdout : createWriteStream(part, { mode: 0o600 });
  const write = async (s: string) => {
    if (!out.write(s)) await once(out, 'drain');
  };
  let total = 0;
  for (const d of hosts) total += await storage.accounts.count(d);
  const bar = progress('export', total);
  let exported = 0;
  try {
    await write(`<?xml version='1.0' encoding='UTF-8'?>\n<server-data xmlns='${NS_PIE}'>\n`);
    for (const domain of hosts) {
      await write(`<host jid="${escapeAttr(domain)}">\n`);
      let after: string | undefined;
      for (;;) {
        const names = await storage.accounts.list(domain, { after, limit: PAGE });
        for (const name of names) {
          const data = await collectUser(storage, name, domain);
          if (data) await write(`${userElement(data).toString()}\n`);
          exported++;
          bar.tick(`${name}@${domain}`);
        }
        if (names.length < PAGE) break;
        after = names.at(-1);
      }
      await write('</host>\n');
    }
    await write('</server-data>\n');
    bar.stop();
    if (!toStdout) {
      out.end();
      await once(out, 'finish');
      renameSync(part, file);
    }
    process.stderr.write(`exported ${exported} accounts of ${hosts.join(', ')}${toStdout ? '' : ` to ${file}`}\n`);
    return 0;
  } catch (e) {
    bar.stop();
    if (!toStdout) out.destroy();
    process.stderr.write(`error: export failed: ${(e as Error).message}\n`);
    return 1;
  } finally {
    await storage.close();
  }
}

export async function cmdImport(config: Config, files: string[], opts: { skipExisting: boolean }): Promise<number> {
  if (!files.length) return void process.stderr.write('usage: parley import FILE... [--skip-existing]\n'), 2;
  for (const file of files) {
    const code = await importFile(config, file, opts);
    if (code !== 0) return code;
  }
  return 0;
}

async function importFile(config: Config, file: string, opts: { skipExisting: boolean }): Promise<number> {
  if (!existsSync(file)) return void process.stderr.write(`error: ${file} does not exist\n`), 1;
  const statePath = `${file}.import-state`;
  const finished = new Set(existsSync(statePath) ? readFileSync(statePath, 'utf8').split('\n').filter(Boolean) : []);
  if (finished.size) process.stderr.write(`resuming: ${finished.size} accounts were imported by an earlier run\n`);
  const storage = await createStorage(config);
  const bar = progress('import', await countUsers(file));
  const counts = { created: 0, updated: 0, skipped: 0, resumed: 0, otherDomain: 0 };
  const foreign = new Set<string>();
  try {
    for await (const { host, user } of readUsers(file)) {
      const domain = host.toLowerCase();
      const jid = `${user.attrs.name ?? ''}@${domain}`;
      bar.tick(jid);
      if (!config.domains.includes(domain)) {
        counts.otherDomain++;
        foreign.add(domain);
        continue;
      }
      if (finished.has(jid)) {
        counts.resumed++;
        continue;
      }
      const result = await applyUser(storage, parseUser(user, domain), { hashes: config.c2s.scram_hashes, iterations: config.auth.scram_iterations, skipExisting: opts.skipExisting });
      counts[result]++;
      appendFileSync(statePath, `${jid}\n`);
    }
    bar.stop();
    rmSync(statePath, { force: true });
    if (foreign.size) process.stderr.write(`warning: ${counts.otherDomain} accounts of domains this server does not serve were left out: ${[...foreign].join(', ')}\n`);
    process.stdout.write(`${file}: imported: ${counts.created} created, ${counts.updated} updated, ${counts.skipped} skipped (existing), ${counts.resumed} done before\n`);
    return 0;
  } catch (e) {
    bar.stop();
    const why = e instanceof FormatError ? e.message : (e as Error).message;
    process.stderr.write(`error: import stopped: ${why}\n${existsSync(statePath) ? `run the same command again to resume (progress in ${statePath})\n` : ''}`);
    return 1;
  } finally {
    await storage.close();
  }
}
