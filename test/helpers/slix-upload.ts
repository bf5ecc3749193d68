// Runs slix_upload.py: slixmpp's own XEP-0363 plugin uploads a file (and may send its URL).
import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { reapOnExit } from './reaper.ts';
import { testCert } from './server.ts';
import { python, type SlixEvent } from './slixmpp.ts';

const script = resolve(fileURLToPath(import.meta.url), '../slix_upload.py');

export interface SlixUploadOptions {
  port: number;
  jid: string;
  password: string;
  file: string;
  contentType?: string;
  sendTo?: string;
  messageId?: string;
  /** CA file trusted for XMPP TLS and for the HTTPS PUT (default: the test certificate). */
  ca?: string;
}

export async function slixUpload(o: SlixUploadOptions): Promise<{ code: number | null; events: SlixEvent[]; stderr: string }> {
  const args = [script, '--jid', o.jid, '--password', o.password, '--port', String(o.port), '--ca', o.ca ?? testCert, '--file', o.file];
  if (o.contentType) args.push('--content-type', o.contentType);
  if (o.sendTo) args.push('--send-to', o.sendTo);
  if (o.messageId) args.push('--message-id', o.messageId);
  const child = spawn(python, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, SSL_CERT_FILE: o.ca ?? testCert } });
  reapOnExit(child);
  let out = '';
  let stderr = '';
  child.stdout!.setEncoding('utf8').on('data', (d: string) => (out += d));
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr = (stderr + d).slice(-8000)));
  const code = await new Promise<number | null>((r) => child.on('close', r));
  const events = out.split('\n').filter((l) => l.trim()).map((l) => {
    try {
      return JSON.parse(l) as SlixEvent;
    } catch {
      return { event: 'unparsed', line: l };
    }
  });
  return { code, events, stderr };
}
