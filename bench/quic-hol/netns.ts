// Two network namespaces joined by an emulated lossy link (specs/quic.md §7): "phq-s" holds the
// server, "phq-c" the client under test. Needs root. Removed by teardown().
// specs/quic.md asks for a veth pair with tc netem; this kernel is built without sch_netem
// (CONFIG_NET_SCH_NETEM is not set), so where netem is missing the link is a pair of TUN devices
// joined by linkemu.py, which applies the same delay and random loss per packet in userspace.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';

export const NS_SERVER = 'phq-s';
export const NS_CLIENT = 'phq-c';
export const SERVER_IP = '10.77.0.1';
export const CLIENT_IP = '10.77.0.2';

const ip = (...args: string[]) => execFileSync('ip', args, { stdio: ['ignore', 'ignore', 'pipe'] });
const quiet = (f: () => unknown) => {
  try {
    f();
  } catch {
    /* already gone */
  }
};

let emulator: ChildProcess | null = null;

export function netemAvailable(): boolean {
  try {
    execFileSync('tc', ['qdisc', 'add', 'dev', 'lo', 'root', 'netem', 'delay', '0ms'], { stdio: 'ignore' });
    execFileSync('tc', ['qdisc', 'del', 'dev', 'lo', 'root'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** Namespaces joined by TUN devices and linkemu.py (delay and loss applied in userspace). */
export async function setupEmulated(delayMs: number, lossPct: number): Promise<void> {
  teardown();
  ip('netns', 'add', NS_SERVER);
  ip('netns', 'add', NS_CLIENT);
  emulator = spawn('python3', [join(import.meta.dirname, 'linkemu.py'), 'phq-ts', 'phq-tc', '--delay', String(delayMs), '--loss', String(lossPct)], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((resolve, reject) => {
    emulator!.stdout!.once('data', () => resolve());
    emulator!.once('exit', (c) => reject(new Error(`linkemu exited ${c}`)));
  });
  for (const [ns, dev, addr, peer] of [[NS_SERVER, 'phq-ts', SERVER_IP, CLIENT_IP], [NS_CLIENT, 'phq-tc', CLIENT_IP, SERVER_IP]]) {
    ip('link', 'set', dev, 'netns', ns);
    ip('-n', ns, 'addr', 'add', addr, 'peer', peer, 'dev', dev);
    ip('-n', ns, 'link', 'set', 'lo', 'up');
    ip('-n', ns, 'link', 'set', dev, 'up');
  }
}

export function teardown(): void {
  if (emulator?.pid) emulator.kill('SIGTERM');
  emulator = null;
  quiet(() => ip('netns', 'del', NS_SERVER));
  quiet(() => ip('netns', 'del', NS_CLIENT));
}

export function setup(): void {
  teardown();
  ip('netns', 'add', NS_SERVER);
  ip('netns', 'add', NS_CLIENT);
  ip('link', 'add', 'phq-vs', 'type', 'veth', 'peer', 'name', 'phq-vc');
  ip('link', 'set', 'phq-vs', 'netns', NS_SERVER);
  ip('link', 'set', 'phq-vc', 'netns', NS_CLIENT);
  ip('-n', NS_SERVER, 'addr', 'add', `${SERVER_IP}/24`, 'dev', 'phq-vs');
  ip('-n', NS_CLIENT, 'addr', 'add', `${CLIENT_IP}/24`, 'dev', 'phq-vc');
  for (const [ns, dev] of [[NS_SERVER, 'phq-vs'], [NS_CLIENT, 'phq-vc']]) {
    ip('-n', ns, 'link', 'set', 'lo', 'up');
    ip('-n', ns, 'link', 'set', dev, 'up');
  }
}

/** delay per direction (RTT = 2 × delayMs) and random loss on both ends of the link. */
export function shape(delayMs: number, lossPct: number, rateMbit = 0): void {
  for (const [ns, dev] of [[NS_SERVER, 'phq-vs'], [NS_CLIENT, 'phq-vc']]) {
    quiet(() => execFileSync('ip', ['netns', 'exec', ns, 'tc', 'qdisc', 'del', 'dev', dev, 'root'], { stdio: 'ignore' }));
    const args = ['netns', 'exec', ns, 'tc', 'qdisc', 'add', 'dev', dev, 'root', 'netem', 'delay', `${delayMs}ms`, 'loss', `${lossPct}%`, 'limit', '10000'];
    if (rateMbit > 0) args.push('rate', `${rateMbit}mbit`);
    execFileSync('ip', args, { stdio: ['ignore', 'ignore', 'pipe'] });
  }
}
