// @xmpp/client 0.14's own XEP-0198 support (@xmpp/stream-management): it enables SM with
// resumption whenever the server offers it, right after binding. These helpers wait for that,
// cut the connection the way a network failure does (no </stream:stream>), and reconnect from
// another source address so the client resumes.
import type { Client } from './xmppjs.ts';

export interface XmppjsSm {
  enabled: boolean;
  id: string;
  inbound: number;
  outbound: number;
  outbound_q: unknown[];
  on(event: 'resumed' | 'ack' | 'fail', cb: (...args: unknown[]) => void): void;
  removeListener(event: string, cb: (...args: unknown[]) => void): void;
}

export function smOf(c: Client): XmppjsSm {
  return (c as unknown as { streamManagement: XmppjsSm }).streamManagement;
}

async function until(cond: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** The client sends <enable/> after binding, so 'online' comes before <enabled/>: wait for it. */
export function waitSmEnabled(c: Client, timeoutMs = 5000): Promise<void> {
  return until(() => smOf(c).enabled && smOf(c).id !== '', timeoutMs, `stream management on ${c.jid}`);
}

/** Destroy the TCP connection without closing the stream, as a dropped network would. */
export async function cutConnection(c: Client, timeoutMs = 5000): Promise<void> {
  // After STARTTLS the entity's socket is @xmpp/tls's wrapper around the TLSSocket.
  type Destroyable = { destroy?: () => void; socket?: { destroy(): void } };
  const entity = c as unknown as { socket: Destroyable | null; status: string };
  const s = entity.socket;
  if (s?.socket) s.socket.destroy();
  else s?.destroy?.();
  await until(() => entity.status === 'disconnect', timeoutMs, 'socket closed');
}

/**
 * Connect again, from localAddress (e.g. 127.0.0.2: "another network"), and let the client
 * resume (XEP-0198 §5); resolves once it got <resumed/>.
 */
export async function reconnectAndResume(c: Client, localAddress: string, timeoutMs = 10_000): Promise<void> {
  // Connection.connect() hands socketParameters(service) to socket.connect(): add the source address there.
  const entity = c as unknown as { socketParameters(service: string): Record<string, unknown>; reconnect: { reconnect(): Promise<void> } };
  const own = Object.prototype.hasOwnProperty.call(entity, 'socketParameters');
  const base = entity.socketParameters;
  entity.socketParameters = (service: string) => ({ ...base.call(entity, service), localAddress });
  const sm = smOf(c);
  const resumed = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no <resumed/> within ${timeoutMs} ms`)), timeoutMs);
    const done = () => {
      clearTimeout(timer);
      sm.removeListener('resumed', done);
      resolve();
    };
    sm.on('resumed', done);
  });
  try {
    await entity.reconnect.reconnect();
    await resumed;
  } finally {
    if (own) entity.socketParameters = base;
    else delete (entity as { socketParameters?: unknown }).socketParameters;
  }
}
