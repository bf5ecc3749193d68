// POST /_parley/payments/manual: a bank or payment processor (or the operator's tooling) confirms
// a payment. Signed: X-Parley-Timestamp (unix seconds) and X-Parley-Signature
// "sha256=" + hex HMAC-SHA256(secret, timestamp + "." + body). A timestamp outside the window is
// refused (401), and so is an exact re-send of a request already accepted (409, replay); a new
// request with a known `ref` is idempotent (200, nothing changes).
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { PaymentDesk } from './desk.ts';
import { applyConfirmation, ConfirmationError, describeResult, parseConfirmation } from './confirmation.ts';

export const WEBHOOK_PATH = '/_parley/payments/manual';
const MAX_BODY = 16 * 1024;

export function signWebhook(secret: string, timestamp: string, body: string): string {
  return 'sha256=' + createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex');
}

function send(res: ServerResponse, status: number, body: object): void {
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
  res.end(JSON.stringify(body));
}

async function readBody(req: IncomingMessage): Promise<string | null> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of req) {
    size += (c as Buffer).length;
    if (size > MAX_BODY) return null;
    chunks.push(c as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

export function webhookHandler(desk: PaymentDesk, secret: string, windowS: number, log: { warn(o: object, m: string): void }) {
  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    if (req.method !== 'POST') return send(res, 405, { error: 'POST only' });
    const body = await readBody(req);
    if (body === null) return send(res, 413, { error: 'body too large' });
    const ts = String(req.headers['x-parley-timestamp'] ?? '');
    const sig = String(req.headers['x-parley-signature'] ?? '');
    const expected = Buffer.from(signWebhook(secret, ts, body));
    const given = Buffer.from(sig);
    if (!/^\d{1,12}$/.test(ts) || given.length !== expected.length || !timingSafeEqual(given, expected)) {
      log.warn({ ip: req.socket.remoteAddress }, 'payment webhook with a bad signature');
      return send(res, 401, { error: 'bad signature' });
    }
    if (Math.abs(desk.now() / 1000 - Number(ts)) > windowS) return send(res, 401, { error: 'timestamp outside the accepted window' });
    let parsed;
    try {
      parsed = parseConfirmation(JSON.parse(body));
    } catch (e) {
      return send(res, 400, { error: e instanceof ConfirmationError ? e.message : 'body is not JSON' });
    }
    // The digest of the signed request identifies it: the same bytes twice are a replay.
    const digest = createHash('sha256').update(sig).digest('hex');
    let outcome;
    try {
      outcome = await applyConfirmation(desk, parsed, digest);
    } catch (e) {
      if (e instanceof ConfirmationError) return send(res, 422, { error: e.message });
      throw e;
    }
    const { result, invoice } = outcome;
    const status = result === 'unknown' ? 404 : result === 'replayed' ? 409 : 200;
    send(res, status, { result, state: invoice?.state ?? null, message: describeResult(result, invoice) });
  };
}
