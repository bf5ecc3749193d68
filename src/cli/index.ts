// The command-line contract: parley start|stop|status|ctl|adduser|passwd|deluser|check|cert|migrate|export|import.
// Non-interactive so scripts can rely on it; exit code 0 on success, 1 on error, 2 on usage errors.
import { parseArgs } from 'node:util';
import { ConfigError, loadConfig } from '../config/loader.ts';
// Commands are imported when used: `parley adduser` should not load (and transpile) every module.

const USAGE = `usage: parley <command> [--config FILE]

commands:
  start                         run the server
  adduser JID [--password PW]   create an account (password from stdin when --password is absent)
  passwd JID [--password PW]    change an account's password
  deluser JID                   delete an account and its data
  check [--no-dns]              validate the configuration, certificate and DNS SRV records
  cert [--force]                generate the self-signed certificate (or show the configured one)
  migrate                       apply pending storage migrations (SQLite or PostgreSQL) and exit
  invoice list [--state S]      list Payment Required invoices (docs/payment.md)
  invoice paid SESSION [--ref R] [--amount MINOR] [--currency C]
                                record that an invoice was paid; its grant is applied at once
  cluster status                nodes of the cluster, sessions per node, MUC room owners (cluster mode)
  status [--json]               show whether the server runs (exit 3 when it does not)
  stop                          stop the running server and wait for it to exit
  ctl COMMAND [ARGS] [--json]   talk to the running server: sessions, kick JID, reload, stats, rooms
  export FILE [--domain D]      write every account's data as XEP-0227 XML (FILE - for stdout)
  import FILE... [--skip-existing]
                                read XEP-0227 files (Parley, Prosody, ejabberd) into the storage; resumable
`;

export async function runCli(argv: string[]): Promise<number | undefined> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        config: { type: 'string', short: 'c' },
        password: { type: 'string', short: 'p' },
        force: { type: 'boolean' },
        ref: { type: 'string' },
        amount: { type: 'string' },
        currency: { type: 'string' },
        state: { type: 'string' },
        json: { type: 'boolean' },
        domain: { type: 'string', multiple: true },
        'skip-existing': { type: 'boolean' },
        'no-dns': { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (e) {
    process.stderr.write(`${(e as Error).message}\n${USAGE}`);
    return 2;
  }
  const [command, ...rest] = parsed.positionals;
  if (parsed.values.help || !command) {
    process.stdout.write(USAGE);
    return command || parsed.values.help ? 0 : 2;
  }
  if (command === 'check') return (await import('./check.ts')).cmdCheck(parsed.values.config, { dns: !parsed.values['no-dns'] });
  let loaded;
  try {
    loaded = loadConfig(parsed.values.config);
  } catch (e) {
    if (e instanceof ConfigError) {
      process.stderr.write(`${e.message}\n`);
      return 1;
    }
    throw e;
  }
  const { config } = loaded;
  switch (command) {
    case 'start':
      return (await import('./start.ts')).cmdStart(config, parsed.values.config);
    case 'adduser':
      return (await import('./accounts.ts')).cmdAdduser(config, rest[0], parsed.values.password);
    case 'passwd':
      return (await import('./accounts.ts')).cmdPasswd(config, rest[0], parsed.values.password);
    case 'deluser':
      return (await import('./accounts.ts')).cmdDeluser(config, rest[0]);
    case 'cert':
      return (await import('./cert.ts')).cmdCert(config, parsed.values.force ?? false);
    case 'migrate':
      return (await import('./migrate.ts')).cmdMigrate(config);
    case 'invoice':
      return (await import('./invoice.ts')).cmdInvoice(config, rest, parsed.values);
    case 'cluster':
      return (await import('../cluster/status.ts')).cmdClusterStatus(config, rest[0]);
    case 'status':
      return (await import('./ctl.ts')).cmdStatus(config, parsed.values.json ?? false);
    case 'stop':
      return (await import('./ctl.ts')).cmdStop(config);
    case 'ctl':
      return (await import('./ctl.ts')).cmdCtl(config, rest, parsed.values.json ?? false);
    case 'export':
      return (await import('./portability.ts')).cmdExport(config, rest[0], parsed.values.domain);
    case 'import':
      return (await import('./portability.ts')).cmdImport(config, rest, { skipExisting: parsed.values['skip-existing'] ?? false });
    default:
      process.stderr.write(`unknown command: ${command}\n${USAGE}`);
      return 2;
  }
}
