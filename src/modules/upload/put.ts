// XEP-0363 §4 upload: the HTTP PUT to a slot's URL. Header checks come first (nothing is read
// before they pass), the body streams to a temp file with a byte cap and a running sha-256, the
// file is scanned, then made durable and the slot marked ready before 201 is sent.
import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from '../../observability/log.ts';
import type { Scanner, ScanVerdict } from '../../scan/types.ts';
import type { FilesStore, UploadSlot } from '../../storage/types.ts';
import { corsHeaders, securityHeaders } from './http-headers.ts';
import { checkAuthorization } from './token.ts';
import { essence } from './request.ts';
import { durableMove, removeQuietly, type UploadDisk } from './disk.ts';

export interface PutDeps {
  store: FilesStore;
  disk: UploadDisk;
  key: Buffer;
  scanner: Scanner | null;
  scanFailure: 'closed' | 'open';
  corsOrigins: string[];
  idleTimeoutMs: number;
  now(): number;
  log: Logger;
  onVerdict(v: ScanVerdict['status'] | 'unscanned', bytes: number): void;
  onInfected(slot: UploadSlot, signature: string): Promise<void>;
}

function reply(res: ServerResponse, req: IncomingMessage, deps: PutDeps, status: number, text: string, extra: Record<string, string> = {}): void {
  if (res.headersSent) return void res.destroy();
  // Refused before the body was read: close the connection rather than drain an unwanted body.
  const close = status >= 400 && !req.readableEnded ? { connection: 'close' } : {};
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', ...corsHeaders(req.headers.origin, deps.corsOrigins), ...securityHeaders(), ...close, ...extra });
  res.end(text + '\n');
  if (status >= 400 && !req.readableEnded) res.once('finish', () => req.destroy());
}

/** Header checks, in the order http-upload.md §3 gives; null when the PUT may proceed. */
export function checkPutHeaders(slot: UploadSlot, req: IncomingMessage, key: Buffer, now: number): [number, string] | null {
  if (!checkAuthorization(key, { id: slot.id, size: slot.size, type: slot.type, putDeadline: slot.putDeadline }, req.headers.authorization)) return [403, 'missing or wrong Authorization'];
  if (now > slot.putDeadline) return [410, 'the slot expired; request a new one'];
  if (slot.state !== 'pending') return [409, 'this slot was already used'];
  if (req.headers['transfer-encoding'] !== undefined || req.headers['content-length'] === undefined) return [411, 'Content-Length is required'];
  if (req.headers['content-length'] !== String(slot.size)) return [400, `Content-Length must be ${slot.size}, the size the slot was requested for`];
  const ct = req.headers['content-type'];
  if (ct !== undefined && slot.type !== 'application/octet-stream' && essence(ct) !== essence(slot.type)) return [415, `Content-Type must be ${essence(slot.type)}`];
  return null;
}

export async function handlePut(deps: PutDeps, req: IncomingMessage, res: ServerResponse, slot: UploadSlot): Promise<void> {
  const bad = checkPutHeaders(slot, req, deps.key, deps.now());
  if (bad) return reply(res, req, deps, bad[0], bad[1]);
  // One PUT per slot: flipping pending → uploading atomically refuses a concurrent second PUT.
  if (!(await deps.store.transitionSlot(slot.id, ['pending'], 'uploading'))) return reply(res, req, deps, 409, 'this slot is being or was already used');

  const tmp = deps.disk.tmp(slot.id);
  const hash = createHash('sha256');
  let received = 0;
  const outcome = await new Promise<'ok' | 'too-large' | 'aborted'>((resolve) => {
    const out = createWriteStream(tmp);
    let settled = false;
    const done = (o: 'ok' | 'too-large' | 'aborted') => {
      if (settled) return;
      settled = true;
      req.setTimeout(0);
      if (o === 'ok') out.end(() => resolve(o));
      else {
        out.destroy();
        resolve(o);
      }
    };
    req.setTimeout(deps.idleTimeoutMs, () => done('aborted'));
    req.on('data', (chunk: Buffer) => {
      received += chunk.length;
      if (received > slot.size) return done('too-large');
      hash.update(chunk);
      if (!out.write(chunk)) {
        req.pause();
        out.once('drain', () => req.resume());
      }
    });
    req.on('end', () => done(received === slot.size ? 'ok' : 'aborted'));
    req.on('aborted', () => done('aborted'));
    req.on('error', () => done('aborted'));
    out.on('error', () => done('aborted'));
  });
  if (outcome !== 'ok') {
    await removeQuietly(tmp);
    await deps.store.transitionSlot(slot.id, ['uploading'], 'pending');
    if (outcome === 'too-large') return reply(res, req, deps, 413, 'more bytes than the slot allows');
    if (!res.destroyed) reply(res, req, deps, 400, 'incomplete upload');
    return;
  }
  const sha256 = hash.digest('hex');

  let verdict: ScanVerdict | null = null;
  if (deps.scanner) {
    verdict = await deps.scanner.scanFile(tmp);
    deps.onVerdict(verdict.status, slot.size);
  } else deps.onVerdict('unscanned', slot.size);

  if (verdict?.status === 'infected') {
    await durableMove(tmp, deps.disk.quarantine(slot.id));
    await deps.store.transitionSlot(slot.id, ['uploading'], 'rejected', { sha256, verdict: 'infected', storedAt: deps.now() });
    await deps.onInfected(slot, verdict.signature);
    return reply(res, req, deps, 422, `rejected: malware detected (${verdict.signature})`);
  }
  if (verdict?.status === 'error') {
    deps.log.warn({ slot: slot.id, reason: verdict.reason }, 'upload could not be scanned');
    if (deps.scanFailure === 'closed') {
      await removeQuietly(tmp);
      await deps.store.transitionSlot(slot.id, ['uploading'], 'pending');
      return reply(res, req, deps, 503, 'the file could not be checked for malware; try again later', { 'retry-after': '60' });
    }
  }
  await durableMove(tmp, deps.disk.file(slot.id));
  const stored = verdict?.status === 'clean' ? 'clean' : 'unscanned';
  await deps.store.transitionSlot(slot.id, ['uploading'], 'ready', { sha256, verdict: stored, storedAt: deps.now() });
  deps.log.info({ slot: slot.id, owner: `${slot.username}@${slot.domain}`, size: slot.size, sha256, verdict: stored }, 'upload stored');
  reply(res, req, deps, 201, 'created');
}
