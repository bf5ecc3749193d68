// Opening and closing many client connections with bounded concurrency, spread over several
// loopback source addresses (127.0.0.2 ...) so that one address's ephemeral ports (and TIME_WAIT
// after a storm) never cap a run.
import { XmppConnection, type LoginOptions, type Target } from './connection.ts';

export const SOURCE_ADDRESSES = Array.from({ length: 16 }, (_, i) => `127.0.0.${i + 2}`);

export const sourceAddress = (i: number) => SOURCE_ADDRESSES[i % SOURCE_ADDRESSES.length];

export const userName = (i: number) => `user${i}`;
export const userPassword = (i: number) => `pw-${i}-bench`;

/** Run fn(i) for i in [0, n) with at most `concurrency` in flight; stops starting new ones at `deadline` (ms epoch). */
export async function forEachLimited(n: number, concurrency: number, fn: (i: number) => Promise<void>, deadline = Infinity): Promise<number> {
  let next = 0;
  let done = 0;
  let failure: unknown = null;
  const worker = async () => {
    while (failure === null && next < n && Date.now() < deadline) {
      const i = next++;
      try {
        await fn(i);
        done++;
      } catch (e) {
        failure ??= e;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, n) }, worker));
  if (failure !== null) throw failure;
  return done;
}

export interface OpenOptions extends Omit<LoginOptions, 'username' | 'password' | 'localAddress'> {
  concurrency?: number;
  /** First user index (user<first+i>). */
  first?: number;
  onProgress?: (opened: number) => void;
}

/** Log in users first..first+n-1, each from a rotating source address. */
export async function openMany(target: Target, n: number, o: OpenOptions = {}): Promise<XmppConnection[]> {
  const conns: XmppConnection[] = new Array(n);
  const first = o.first ?? 0;
  let opened = 0;
  try {
    await forEachLimited(n, o.concurrency ?? 50, async (i) => {
      const u = first + i;
      conns[i] = await XmppConnection.login(target, { ...o, username: userName(u), password: userPassword(u), localAddress: sourceAddress(u) });
      opened++;
      if (opened % 250 === 0) o.onProgress?.(opened);
    });
  } catch (e) {
    await closeAll(conns.filter(Boolean));
    throw e;
  }
  return conns;
}

export async function closeAll(conns: XmppConnection[], concurrency = 500): Promise<void> {
  await forEachLimited(conns.length, concurrency, (i) => conns[i].close(3000));
}
