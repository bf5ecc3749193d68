// @xmpp/client 0.14 as a test peer, with a transcript-style API:
//   const alice = await connectXmppjs({ port, domain, username: 'alice', password });
//   send(alice, `<message to="bob@localhost" type="chat"><body>hi</body></message>`);
//   await expectStanza(bob, `<message from="${alice.jid}" type="chat"><body>hi</body></message>`);
// Every stanza a client receives goes into its inbox; expectStanza takes the first unclaimed match
// and, on timeout, lists what did arrive. TLS trust comes from NODE_EXTRA_CA_CERTS (set by
// scripts/run-tests.mjs to the test certificate), since @xmpp/client's STARTTLS takes no TLS options.
import { client, type Client } from '@xmpp/client';
import { parse, type Element } from 'ltx';
import { describePattern, toMatcher, type Pattern } from './xml-pattern.ts';

export type { Client };

export interface XmppjsOptions {
  port: number;
  /** XEP-0368 Direct TLS (xmpps://) instead of STARTTLS on a plain connection. */
  directTls?: boolean;
  host?: string;
  /** Drives the stream's to, the TLS server name and the SASL realm. */
  domain: string;
  username: string;
  password: string;
  resource?: string;
  /** Use only this SASL mechanism (@xmpp/client knows SCRAM-SHA-1 and PLAIN). */
  mechanism?: 'SCRAM-SHA-1' | 'PLAIN';
  timeoutMs?: number;
}

interface Inbox {
  stanzas: Element[];
  claimed: Set<Element>;
  errors: Error[];
  wake: Set<() => void>;
  offline: boolean;
  /** Mechanisms the server offered and the client supports, as seen during SASL. */
  mechanisms: string[];
  /** The mechanism of the last <auth/> the client sent. */
  usedMechanism: string | null;
}

const inboxes = new WeakMap<Client, Inbox>();

function inboxOf(c: Client): Inbox {
  const box = inboxes.get(c);
  if (!box) throw new Error('not a client made by connectXmppjs');
  return box;
}

function notify(box: Inbox): void {
  for (const w of box.wake) w();
}

function makeClient(opts: XmppjsOptions): { xmpp: Client; box: Inbox } {
  const host = opts.host ?? '127.0.0.1';
  const box: Inbox = { stanzas: [], claimed: new Set(), errors: [], wake: new Set(), offline: false, mechanisms: [], usedMechanism: null };
  const xmpp = client({
    service: `${opts.directTls ? 'xmpps' : 'xmpp'}://${host}:${opts.port}`,
    domain: opts.domain,
    resource: opts.resource,
    // @xmpp/client's own waits (stream open, STARTTLS answer, stream close) default to 2 s, which a
    // loaded CI machine can exceed; the test's own timeouts decide.
    timeout: 10_000,
    credentials: async (authenticate, mechanisms) => {
      box.mechanisms = mechanisms;
      const mechanism = opts.mechanism ?? mechanisms[0];
      if (!mechanisms.includes(mechanism)) throw new Error(`server did not offer ${mechanism} (usable: ${mechanisms.join(', ') || 'none'})`);
      await authenticate({ username: opts.username, password: opts.password }, mechanism);
    },
  });
  xmpp.reconnect.stop(); // a test decides itself whether to connect again
  // @xmpp/client 0.14 race: open() awaits the write callback of the stream header before it listens
  // for the server's header. Over TLS that callback can come after a fast server has already answered;
  // the 'open' event is then missed, open() times out, and start() leaves a rejected promise
  // unobserved (an unhandledRejection in node:test). Resolving the header write at once makes
  // open() listen before any reply can be read.
  const write = xmpp.write.bind(xmpp);
  xmpp.write = (data: string) => {
    const written = write(data);
    if (!data.startsWith('<?xml')) return written;
    written.catch((err: Error) => xmpp.emit('error', err));
    return Promise.resolve();
  };
  if (opts.directTls) {
    // XEP-0368 §3: the certificate is checked against the XMPP domain. @xmpp/client 0.14 checks it
    // against the service URL's host (here an IP address) and sends no SNI; give it the domain.
    const socketParameters = xmpp.socketParameters.bind(xmpp);
    xmpp.socketParameters = (service: string) => {
      const params = socketParameters(service);
      return params ? { ...params, servername: opts.domain } : params;
    };
  }
  inboxes.set(xmpp, box);
  xmpp.on('stanza', (el: Element) => {
    box.stanzas.push(el);
    notify(box);
  });
  xmpp.on('send', (el: Element) => {
    if (el.name === 'auth' && el.attrs.mechanism) box.usedMechanism = el.attrs.mechanism;
  });
  xmpp.on('error', (err: Error) => {
    box.errors.push(err);
    notify(box);
  });
  xmpp.on('offline', () => {
    box.offline = true;
    notify(box);
  });
  xmpp.on('disconnect', () => {
    box.offline = true;
    notify(box);
  });
  return { xmpp, box };
}

async function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([p, new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms`)), ms)))]);
  } finally {
    clearTimeout(timer);
  }
}

/** Connect, TLS, authenticate and bind; resolves with the online client (client.jid is the full JID). */
export async function connectXmppjs(opts: XmppjsOptions): Promise<Client> {
  const { xmpp } = makeClient(opts);
  try {
    await withTimeout(xmpp.start(), opts.timeoutMs ?? 20_000, `login of ${opts.username}@${opts.domain}`);
  } catch (e) {
    await disconnect(xmpp);
    throw e;
  }
  return xmpp;
}

/** Try to log in and return why it failed (SASLError has .condition); throws if the login succeeds. */
export async function loginFailure(opts: XmppjsOptions): Promise<Error & { condition?: string }> {
  const { xmpp } = makeClient(opts);
  try {
    await withTimeout(xmpp.start(), opts.timeoutMs ?? 20_000, `login of ${opts.username}@${opts.domain}`);
  } catch (e) {
    await disconnect(xmpp);
    return e as Error & { condition?: string };
  }
  await disconnect(xmpp);
  throw new Error(`${opts.username}@${opts.domain} logged in, but the login was expected to fail`);
}

/** The SASL mechanisms the client could have used on its last login. */
export function offeredMechanisms(c: Client): string[] {
  return inboxOf(c).mechanisms;
}

/** The SASL mechanism the client authenticated with (from the <auth/> it sent). */
export function usedMechanism(c: Client): string | null {
  return inboxOf(c).usedMechanism;
}

/** Send a stanza written as XML (parsed first, so a typo in a test fails here, not on the server). */
export async function send(c: Client, xmlText: string): Promise<void> {
  await c.send(parse(xmlText));
}

function describeInbox(box: Inbox): string {
  const unclaimed = box.stanzas.filter((s) => !box.claimed.has(s));
  const lines = unclaimed.slice(-20).map((s) => `  ${s.toString()}`);
  const more = unclaimed.length > 20 ? `  ... and ${unclaimed.length - 20} earlier\n` : '';
  const errs = box.errors.map((e) => `  error: ${e.message}`);
  return `received (unclaimed):\n${more}${lines.join('\n') || '  (nothing)'}${errs.length ? `\n${errs.join('\n')}` : ''}`;
}

/** Wait for the first unclaimed stanza matching pattern and claim it. */
export function expectStanza(c: Client, pattern: Pattern, timeoutMs = 10_000): Promise<Element> {
  const box = inboxOf(c);
  const match = toMatcher(pattern);
  return new Promise((resolve, reject) => {
    const check = () => {
      const hit = box.stanzas.find((s) => !box.claimed.has(s) && match(s));
      if (!hit) return;
      box.claimed.add(hit);
      done();
      resolve(hit);
    };
    const timer = setTimeout(() => {
      done();
      reject(new Error(`${c.jid ?? 'client'} did not receive within ${timeoutMs} ms:\n  ${describePattern(pattern)}\n${describeInbox(box)}`));
    }, timeoutMs);
    const done = () => {
      clearTimeout(timer);
      box.wake.delete(check);
    };
    box.wake.add(check);
    check();
  });
}

/** Fail if a stanza matching pattern arrives (or already arrived unclaimed) within waitMs. */
export async function expectNoStanza(c: Client, pattern: Pattern, waitMs = 1000): Promise<void> {
  const box = inboxOf(c);
  const match = toMatcher(pattern);
  await new Promise((r) => setTimeout(r, waitMs));
  const hit = box.stanzas.find((s) => !box.claimed.has(s) && match(s));
  if (hit) throw new Error(`${c.jid ?? 'client'} received a stanza it must not get:\n  ${hit.toString()}\npattern: ${describePattern(pattern)}`);
}

/** Resolves with the stream error condition (or 'closed' when the stream ended without one). */
export function expectDisconnect(c: Client, timeoutMs = 10_000): Promise<string> {
  const box = inboxOf(c);
  return new Promise((resolve, reject) => {
    const check = () => {
      const se = box.errors.find((e) => e.name === 'StreamError') as (Error & { condition?: string }) | undefined;
      if (se) {
        done();
        resolve(se.condition ?? 'unknown');
      } else if (box.offline) {
        done();
        resolve('closed');
      }
    };
    const timer = setTimeout(() => {
      done();
      reject(new Error(`${c.jid ?? 'client'} was not disconnected within ${timeoutMs} ms\n${describeInbox(box)}`));
    }, timeoutMs);
    const done = () => {
      clearTimeout(timer);
      box.wake.delete(check);
    };
    box.wake.add(check);
    check();
  });
}

/** All stanzas received so far (claimed or not). */
export function received(c: Client): Element[] {
  return inboxOf(c).stanzas;
}

/** Close the stream if it is open; never throws, never waits long. */
export async function disconnect(c: Client): Promise<void> {
  try {
    await withTimeout(c.stop(), 3000, 'stop');
  } catch {
    try {
      c.socket?.socket?.destroy();
    } catch {
      /* already gone */
    }
  }
}

let seq = 0;
/** A fresh stanza id for transcripts that do not care about the exact value. */
export function nextId(prefix = 't'): string {
  return `${prefix}${++seq}`;
}

/**
 * Round trip to the server (XEP-0199 ping). A server handles one client's stanzas in order
 * (RFC 6120 §10.1), so once the pong is back everything sent before it has been processed.
 */
export async function sync(c: Client, domain: string, timeoutMs = 10_000): Promise<void> {
  const id = nextId('sync');
  await send(c, `<iq type="get" id="${id}" to="${domain}"><ping xmlns="urn:xmpp:ping"/></iq>`);
  await expectStanza(c, `<iq type="result" id="${id}"/>`, timeoutMs);
}

/** Initial presence (RFC 6121 §4.2) with a priority, processed by the server when this returns. */
export async function becomeAvailable(c: Client, domain: string, priority = 0): Promise<void> {
  await send(c, `<presence><priority>${priority}</priority></presence>`);
  await sync(c, domain);
}
