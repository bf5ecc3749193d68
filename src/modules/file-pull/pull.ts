// One remote file for one local recipient: fetch (once per URL within the cache window, shared
// by all recipients), verify XEP-0300 hashes, check the type, scan, store by sha-256, then grant
// the recipient a local URL, or quarantine, or say why not. Every attempt is logged.
import { createHash, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { moveDurably } from './release.ts';
import type { FileHostingService } from '../../core/services.ts';
import type { Jid } from '../../jid/index.ts';
import type { Logger } from '../../observability/log.ts';
import type { FilesStore } from '../../storage/types.ts';
import type { Attachment } from './extract.ts';
import { nameFor } from './extract.ts';
import { FetchError, fetchToFile } from './fetch.ts';
import type { Allowlist, Lookup } from './guard.ts';
import { verifyHashes, type HashResult } from './hashes.ts';
import type { Policy } from './policy.ts';
import { withheldNotice, type Outcome } from './rewrite.ts';
import { isDangerousMismatch, sniff } from './sniff.ts';

/** What became of the bytes behind a URL (shared by every recipient of it). */
type BlobOutcome =
  | { status: 'clean' | 'unscanned'; sha256: string; size: number; type: string; hash: HashResult }
  | { status: 'infected'; sha256: string; size: number; type: string; hash: HashResult; signature: string }
  | { status: 'failed' | 'unchecked'; reason: string; notice: string; hash: HashResult | null; sha256?: string; size?: number };

export interface PullMetrics {
  fetch(result: string, seconds: number, bytes: number): void;
  scan(verdict: string): void;
  quarantined(): void;
}

export interface PullerDeps {
  store: FilesStore;
  hosting: FileHostingService;
  log: Logger;
  metrics: PullMetrics;
  now(): number;
  lookup: Lookup;
  allowlist: Allowlist;
  connectTimeoutMs: number;
  idleTimeoutMs: number;
  totalTimeoutMs: number;
  maxRedirects: number;
  cacheMs: number;
  /** Most fetches at once (all senders together); more wait in arrival order. */
  maxConcurrent: number;
}

export interface PullRequest {
  attachment: Attachment;
  recipient: Jid;
  sender: Jid;
  messageId: string | null;
  policy: Policy;
  /** The local domain (notices and URLs). */
  domain: string;
  /** Give up (as a failure with notice) at this time (ms). */
  deadline: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export class Puller {
  private cache = new Map<string, { at: number; result: Promise<BlobOutcome> }>();
  private running = 0;
  private waiting: Array<() => void> = [];
  constructor(private readonly d: PullerDeps) {}

  /** A bounded number of fetches at once: a flood of links cannot open unbounded connections. */
  private async limited<T>(fn: () => Promise<T>): Promise<T> {
    if (this.running >= this.d.maxConcurrent) await new Promise<void>((r) => this.waiting.push(r));
    this.running++;
    try {
      return await fn();
    } finally {
      this.running--;
      this.waiting.shift()?.();
    }
  }

  async pull(req: PullRequest): Promise<Outcome> {
    const started = this.d.now();
    const a = req.attachment;
    const name = sanitize(nameFor(a));
    const original = req.policy.keep_remote_url ? a.url : undefined;
    const blob = await this.blob(req);
    const host = hostOf(a.url);
    const recipient = req.recipient.bare().toString();
    const sender = req.sender.bare().toString();
    const base = { url: a.url, name, original };
    let outcome: Outcome;
    if (blob.status === 'clean' || blob.status === 'unscanned') {
      const token = randomBytes(16).toString('base64url');
      await this.d.store.createGrant({
        token, username: req.recipient.local, domain: req.recipient.domain, sender, messageId: req.messageId, name, type: blob.type, size: blob.size,
        sha256: blob.sha256, source: req.policy.keep_remote_url ? a.url : sha256hex(a.url), createdAt: this.d.now(), expiresAt: this.d.now() + req.policy.retention_days * 86_400_000,
      });
      outcome = { ...base, status: blob.status, sha256: blob.sha256, localUrl: `${this.d.hosting.baseUrl(req.domain)}/pull/${token}/${encodeURIComponent(name)}` };
    } else if (blob.status === 'infected') {
      await this.d.store.quarantine({ kind: 'pull', ref: blob.sha256, username: req.recipient.local, domain: req.recipient.domain, sender, messageId: req.messageId, name, type: blob.type, size: blob.size, signature: blob.signature, source: original ?? null, createdAt: this.d.now() });
      this.d.metrics.quarantined();
      this.d.log.warn({ sender, recipient, host, name, sha256: blob.sha256, signature: blob.signature }, 'pulled file quarantined: malware detected');
      outcome = { ...base, status: 'infected', sha256: blob.sha256, notice: withheldNotice(name, req.domain, `malware detected (${blob.signature})`) };
    } else {
      const failed = blob as Extract<BlobOutcome, { status: 'failed' | 'unchecked' }>;
      outcome = { ...base, status: failed.status, sha256: failed.sha256, notice: withheldNotice(name, req.domain, failed.notice) };
    }
    const verdict = blob.status;
    await this.d.store.logPull({
      time: started, sender, recipient, host, url: original ?? null, size: 'size' in blob ? (blob.size ?? null) : null, sha256: 'sha256' in blob ? (blob.sha256 ?? null) : null,
      hash: blob.hash, verdict, signature: blob.status === 'infected' ? blob.signature : null, durationMs: this.d.now() - started, error: 'reason' in blob ? blob.reason : null,
    });
    this.d.log.info({ sender, recipient, host, name, verdict, hash: blob.hash, sha256: 'sha256' in blob ? blob.sha256 : undefined, ms: this.d.now() - started }, 'file pulled');
    return outcome;
  }

  /** One fetch per URL (and announced hashes) within the cache window; failures are not cached. */
  private blob(req: PullRequest): Promise<BlobOutcome> {
    const a = req.attachment;
    const key = `${a.url}\n${JSON.stringify(a.hashes)}\n${req.policy.max_bytes}\n${req.policy.allow_http}`;
    const now = this.d.now();
    for (const [k, v] of this.cache) if (now - v.at > this.d.cacheMs) this.cache.delete(k);
    const hit = this.cache.get(key);
    if (hit) return hit.result;
    const result = this.limited(() => (this.d.now() >= req.deadline
      ? Promise.resolve<BlobOutcome>({ status: 'failed', reason: 'hold time over before the fetch could start', notice: 'it could not be fetched in time', hash: null })
      : this.fetchBlob(req)));
    this.cache.set(key, { at: now, result });
    void result.then((r) => {
      if (r.status === 'failed' || r.status === 'unchecked') this.cache.delete(key);
    });
    return result;
  }

  private async fetchBlob(req: PullRequest): Promise<BlobOutcome> {
    const a = req.attachment;
    const p = req.policy;
    const started = this.d.now();
    if (a.size !== undefined && a.size > p.max_bytes) return { status: 'failed', reason: `announced size ${a.size} > ${p.max_bytes}`, notice: 'file too large', hash: null };
    const tmp = join(this.d.hosting.dir('pull/tmp'), `${randomBytes(12).toString('hex')}.part`);
    const remaining = () => Math.max(0, req.deadline - this.d.now());
    let fetched;
    try {
      fetched = await fetchToFile(a.url, tmp, {
        maxBytes: p.max_bytes, allowHttp: p.allow_http, maxRedirects: this.d.maxRedirects, connectTimeoutMs: this.d.connectTimeoutMs, idleTimeoutMs: this.d.idleTimeoutMs,
        totalTimeoutMs: Math.min(this.d.totalTimeoutMs, remaining()), allowlist: this.d.allowlist, lookup: this.d.lookup, announced: a.hashes,
      });
    } catch (e) {
      await unlink(tmp).catch(() => undefined);
      const fe = e instanceof FetchError ? e : new FetchError('failed', (e as Error).message);
      this.d.metrics.fetch(fe.kind, (this.d.now() - started) / 1000, 0);
      this.d.log.warn({ host: hostOf(a.url), kind: fe.kind, reason: fe.message }, 'file pull fetch failed');
      return { status: 'failed', reason: fe.message, notice: fe.kind === 'refused' ? 'the link is not allowed by policy' : 'the file could not be fetched', hash: null };
    }
    this.d.metrics.fetch('ok', (this.d.now() - started) / 1000, fetched.size);
    const hash = verifyHashes(a.hashes, fetched.digests);
    if (hash === 'mismatch') {
      await unlink(tmp).catch(() => undefined);
      return { status: 'failed', reason: 'hash mismatch', notice: 'file changed in transit', hash, sha256: fetched.sha256, size: fetched.size };
    }
    const sniffed = sniff(fetched.head);
    const declared = a.type ?? fetched.contentType?.split(';')[0].trim();
    const type = sniffed?.type ?? declared ?? 'application/octet-stream';
    const common = { sha256: fetched.sha256, size: fetched.size, type, hash };
    if (p.type_mismatch === 'quarantine' && isDangerousMismatch(declared, sniffed?.kind)) {
      await this.toQuarantine(tmp, fetched.sha256, type, fetched.size, 'Parley.TypeMismatch');
      return { ...common, status: 'infected', signature: `Parley.TypeMismatch (${declared} holding ${sniffed?.type})` };
    }
    const scanner = this.d.hosting.scanner;
    let status: 'clean' | 'unscanned' = 'unscanned';
    if (scanner) {
      // Fail closed: retry with backoff while the hold deadline allows, then withhold.
      for (let attempt = 0; ; attempt++) {
        const v = await scanner.scanFile(tmp);
        this.d.metrics.scan(v.status);
        if (v.status === 'infected') {
          await this.toQuarantine(tmp, fetched.sha256, type, fetched.size, v.signature);
          return { ...common, status: 'infected', signature: v.signature };
        }
        if (v.status === 'clean') {
          status = 'clean';
          break;
        }
        this.d.log.warn({ reason: v.reason, attempt }, 'pulled file could not be scanned');
        const wait = 500 * 2 ** attempt;
        if (p.scan_failure === 'open') break;
        if (wait >= remaining() || attempt >= 5) {
          await unlink(tmp).catch(() => undefined);
          return { status: 'unchecked', reason: v.reason, notice: 'it could not be checked for malware', hash, sha256: fetched.sha256, size: fetched.size };
        }
        await sleep(wait);
      }
    } else this.d.metrics.scan('unscanned');
    const dest = join(this.d.hosting.dir('pull/blobs'), fetched.sha256.slice(0, 2), fetched.sha256);
    if (existsSync(dest)) await unlink(tmp).catch(() => undefined);
    else await moveDurably(tmp, dest);
    const prior = await this.d.store.getBlob(fetched.sha256);
    if (!prior || prior.state !== 'clean') await this.d.store.putBlob({ sha256: fetched.sha256, size: fetched.size, type, state: status, signature: null, createdAt: this.d.now() });
    return { ...common, status };
  }

  private async toQuarantine(tmp: string, sha256: string, type: string, size: number, signature: string): Promise<void> {
    await moveDurably(tmp, join(this.d.hosting.dir('pull/quarantine'), sha256));
    await this.d.store.putBlob({ sha256, size, type, state: 'quarantined', signature, createdAt: this.d.now() });
  }
}

function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return '';
  }
}

function sha256hex(s: string): string {
  return createHash('sha256').update(s).digest('hex');
}

/** A name safe for a URL segment and Content-Disposition. */
export function sanitize(raw: string): string {
  // eslint-disable-next-line no-control-regex
  const s = raw.replace(/[/\\\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g, '').replace(/^[.\s]+/, '').trim().slice(0, 200);
  return s || 'file';
}
