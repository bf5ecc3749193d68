// Logs in with @xmpp/client in its own process, so the test chooses which CA it trusts:
// Node reads NODE_EXTRA_CA_CERTS only at start-up, and @xmpp/client's STARTTLS takes no TLS options.
//   NODE_EXTRA_CA_CERTS=ca.pem node --import tsx xmppjs-login-child.ts '{"port":5222,"domain":"localhost",...}'
// Prints one JSON line: {"event":"online","jid":...} (exit 0) or {"event":"error","name":...,"condition":...,"message":...} (exit 2).
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { connectXmppjs, disconnect, type XmppjsOptions } from './xmppjs.ts';
import { repoRoot } from './parley-cli.ts';
import { reapOnExit } from './reaper.ts';

const self = fileURLToPath(import.meta.url);

export interface ChildLogin {
  code: number | null;
  result: { event: string; jid?: string; name?: string; condition?: string; message?: string } | null;
  output: string;
}

/** Run a login in a child process that trusts exactly `caFile` (in addition to the system CAs). */
export function loginInChild(opts: XmppjsOptions, caFile: string, timeoutMs = 60_000): Promise<ChildLogin> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', self, JSON.stringify(opts)], {
      cwd: repoRoot,
      env: { ...process.env, NODE_EXTRA_CA_CERTS: caFile },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    reapOnExit(child);
    let output = '';
    child.stdout!.setEncoding('utf8').on('data', (d: string) => (output += d));
    child.stderr!.setEncoding('utf8').on('data', (d: string) => (output += d));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`login child did not finish within ${timeoutMs} ms:\n${output}`));
    }, timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      const line = output.split('\n').find((l) => l.startsWith('{"event"'));
      resolve({ code, result: line ? JSON.parse(line) : null, output });
    });
  });
}

async function main(): Promise<void> {
  const opts = JSON.parse(process.argv[2] ?? '{}') as XmppjsOptions;
  try {
    const c = await connectXmppjs(opts);
    process.stdout.write(JSON.stringify({ event: 'online', jid: String(c.jid) }) + '\n');
    await disconnect(c);
    process.exit(0);
  } catch (e) {
    const err = e as Error & { condition?: string; code?: string };
    process.stdout.write(JSON.stringify({ event: 'error', name: err.name, condition: err.condition ?? err.code, message: err.message }) + '\n');
    process.exit(2);
  }
}

if (process.argv[1] === self) await main();
