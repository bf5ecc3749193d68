// Runs slix_upload.py: slixmpp's own XEP-0363 plugin uploads a file (and may send its URL).
import { loginArgs, spawnSlix, type SlixEvent } from './slix-process.ts';
import { testCert } from './server.ts';

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
  const args = [...loginArgs(o, 40), '--file', o.file];
  if (o.contentType) args.push('--content-type', o.contentType);
  if (o.sendTo) args.push('--send-to', o.sendTo);
  if (o.messageId) args.push('--message-id', o.messageId);
  const p = spawnSlix('slix_upload.py', args, { label: `slixmpp upload ${o.jid}`, env: { SSL_CERT_FILE: o.ca ?? testCert } });
  const code = await p.exited;
  return { code, events: p.events, stderr: p.stderr().slice(-8000) };
}
