// The outbound HTTP(S) fetch of a remote file: scheme and redirect rules, the SSRF guard on
// every hop (connecting to the checked address only), a byte cap enforced on the stream,
// connect/idle/total timeouts, and the XEP-0300 hashes computed while the bytes arrive.
import { createWriteStream } from 'node:fs';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { canonicalAddress } from '../../net/address-class.ts';
import { pinAddress, type Allowlist, type Lookup } from './guard.ts';
import { hashersFor } from './hashes.ts';

export interface FetchOptions {
  maxBytes: number;
  allowHttp: boolean;
  maxRedirects: number;
  connectTimeoutMs: number;
  idleTimeoutMs: number;
  totalTimeoutMs: number;
  allowlist: Allowlist;
  lookup: Lookup;
  /** Hashes announced for the file: their supported algorithms are computed too. */
  announced: Array<{ algo: string }>;
  signal?: AbortSignal;
}

export interface FetchResult {
  size: number;
  sha256: string;
  /** base64 digests by XEP-0300 algorithm name. */
  digests: Map<string, string>;
  contentType?: string;
  finalUrl: string;
  head: Buffer;
}

/** 'refused': policy said no before any connection; 'failed': the network or the origin did. */
export class FetchError extends Error {
  constructor(readonly kind: 'refused' | 'failed', message: string) {
    super(message);
  }
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);

export async function fetchToFile(url: string, dest: string, o: FetchOptions): Promise<FetchResult> {
  const deadline = Date.now() + o.totalTimeoutMs;
  let current = new URL(url);
  let previousScheme = current.protocol;
  for (let hop = 0; ; hop++) {
    if (current.protocol !== 'https:' && !(current.protocol === 'http:' && o.allowHttp)) throw new FetchError('refused', `${current.protocol} URLs are not fetched`);
    if (previousScheme === 'https:' && current.protocol === 'http:') throw new FetchError('refused', 'redirect from https to http refused');
    if (current.username || current.password) throw new FetchError('refused', 'URLs with credentials are not fetched');
    const port = Number(current.port || (current.protocol === 'https:' ? 443 : 80));
    const pinned = await pinAddress(current.hostname, port, o.lookup, o.allowlist);
    if (!pinned.ok) throw new FetchError('refused', pinned.reason);
    const res = await get(current, pinned.address, port, o, deadline);
    if (REDIRECTS.has(res.statusCode ?? 0)) {
      res.resume();
      const loc = res.headers.location;
      if (!loc) throw new FetchError('failed', `HTTP ${res.statusCode} without Location`);
      if (hop + 1 > o.maxRedirects) throw new FetchError('refused', `more than ${o.maxRedirects} redirects`);
      previousScheme = current.protocol;
      current = new URL(loc, current);
      continue;
    }
    if (res.statusCode !== 200) {
      res.resume();
      throw new FetchError('failed', `HTTP ${res.statusCode} from ${current.host}`);
    }
    const declared = Number(res.headers['content-length']);
    if (Number.isFinite(declared) && declared > o.maxBytes) {
      res.destroy();
      throw new FetchError('refused', `the file is ${declared} bytes, more than the ${o.maxBytes} allowed`);
    }
    return receive(res, dest, o, current.toString(), deadline);
  }
}

function get(url: URL, address: string, port: number, o: FetchOptions, deadline: number): Promise<IncomingMessage> {
  const isIp = canonicalAddress(url.hostname.replace(/^\[|\]$/g, '')) !== null;
  const make = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = make({
      host: address,
      port,
      path: url.pathname + url.search,
      method: 'GET',
      // SNI and the RFC 6125 name check use the URL's host, while the socket goes to the pinned address.
      servername: isIp ? undefined : url.hostname,
      headers: { host: url.host, 'user-agent': 'Parley-file-pull', accept: '*/*' },
      agent: false,
      signal: o.signal,
    });
    const total = setTimeout(() => req.destroy(new FetchError('failed', `no complete answer within ${o.totalTimeoutMs} ms`)), Math.max(0, deadline - Date.now()));
    req.on('socket', (s) => {
      const connect = setTimeout(() => req.destroy(new FetchError('failed', `could not connect within ${o.connectTimeoutMs} ms`)), o.connectTimeoutMs);
      s.once(url.protocol === 'https:' ? 'secureConnect' : 'connect', () => clearTimeout(connect));
      s.once('close', () => clearTimeout(connect));
    });
    req.setTimeout(o.idleTimeoutMs, () => req.destroy(new FetchError('failed', `idle for ${o.idleTimeoutMs} ms`)));
    req.on('response', (res) => {
      res.once('close', () => clearTimeout(total));
      resolve(res);
    });
    req.on('error', (e) => {
      clearTimeout(total);
      reject(e instanceof FetchError ? e : new FetchError('failed', `${url.host}: ${(e as NodeJS.ErrnoException).code ?? e.message}`));
    });
    req.end();
  });
}

function receive(res: IncomingMessage, dest: string, o: FetchOptions, finalUrl: string, deadline: number): Promise<FetchResult> {
  const hashers = hashersFor(o.announced);
  const out = createWriteStream(dest);
  let size = 0;
  const headParts: Buffer[] = [];
  let headLen = 0;
  return new Promise((resolve, reject) => {
    let failed = false;
    const fail = (e: FetchError) => {
      if (failed) return;
      failed = true;
      clearTimeout(total);
      res.destroy();
      out.destroy();
      reject(e);
    };
    const total = setTimeout(() => fail(new FetchError('failed', `no complete answer within ${o.totalTimeoutMs} ms`)), Math.max(0, deadline - Date.now()));
    res.setTimeout(o.idleTimeoutMs, () => fail(new FetchError('failed', `idle for ${o.idleTimeoutMs} ms`)));
    res.on('data', (chunk: Buffer) => {
      size += chunk.length;
      // The cap holds whatever Content-Length said (or did not say).
      if (size > o.maxBytes) return fail(new FetchError('refused', `the file is larger than the ${o.maxBytes} bytes allowed`));
      if (headLen < 64) {
        headParts.push(chunk.subarray(0, 64 - headLen));
        headLen += Math.min(chunk.length, 64 - headLen);
      }
      for (const h of hashers.values()) h.update(chunk);
      if (!out.write(chunk)) {
        res.pause();
        out.once('drain', () => res.resume());
      }
    });
    res.on('end', () => {
      if (failed) return;
      if (!res.complete) return fail(new FetchError('failed', 'the connection closed early'));
      out.end(() => {
        clearTimeout(total);
        const digests = new Map<string, string>();
        let sha256 = '';
        for (const [algo, h] of hashers) {
          const d = h.digest();
          digests.set(algo, d.toString('base64'));
          if (algo === 'sha-256') sha256 = d.toString('hex');
        }
        resolve({ size, sha256, digests, contentType: res.headers['content-type'], finalUrl, head: Buffer.concat(headParts) });
      });
    });
    res.on('error', (e) => fail(new FetchError('failed', e.message)));
    res.on('aborted', () => fail(new FetchError('failed', 'the connection was aborted')));
    out.on('error', (e) => fail(new FetchError('failed', `writing failed: ${e.message}`)));
  });
}
