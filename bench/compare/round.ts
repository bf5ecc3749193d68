// One server's part of the comparison: setup once (accounts with the server's own tooling,
// archive and roster filled through the protocol), then per round every scenario in a fixed
// order. Rounds alternate between servers (A, B, C, A, B, C, ...) in cli.ts.
import { XmppConnection } from './client/connection.ts';
import { quiesce } from './client/quiesce.ts';
import { closeAll, userName, userPassword } from './client/pool.ts';
import type { Account, Peer } from './peers/types.ts';
import { accountCount, type Scale } from './scale.ts';
import { loginStorm } from './scenarios/login-storm.ts';
import { fillArchive, MAM_CONTACTS, MAM_OWNER, mamScenario } from './scenarios/mam.ts';
import { memoryScenario } from './scenarios/memory.ts';
import { messagesScenario } from './scenarios/messages.ts';
import { mucScenario } from './scenarios/muc.ts';
import { fillRoster, ROSTER_OWNER, rosterScenario } from './scenarios/roster.ts';
import type { Measurement, RunContext } from './scenarios/types.ts';

export interface SetupFacts {
  accounts: number;
  accountSeconds: number;
  archiveFillRate: number;
  /** What the load client negotiated, e.g. "TLSv1.3 TLS_AES_256_GCM_SHA384". */
  tls: string;
}

export async function setupPeer(peer: Peer, scale: Scale, progress: (m: string) => void): Promise<SetupFacts> {
  const n = accountCount(scale);
  const accounts: Account[] = Array.from({ length: n }, (_, i) => ({ username: userName(i), password: userPassword(i) }));
  accounts.push(MAM_OWNER, ...MAM_CONTACTS, ROSTER_OWNER);
  const t0 = performance.now();
  await peer.createAccounts(accounts, (done) => progress(`  accounts ${done}/${accounts.length}`));
  const accountSeconds = (performance.now() - t0) / 1000;
  progress(`${accounts.length} accounts created in ${accountSeconds.toFixed(1)} s`);
  const probe = await XmppConnection.login(peer.target, { username: userName(0), password: userPassword(0), resource: 'probe' });
  const tls = `${probe.tlsProtocol} ${probe.tlsCipher}`;
  await probe.close();
  progress(`login works (${tls})`);
  const archiveFillRate = await fillArchive(peer.target, scale.mam.archive, progress);
  progress(`archive filled with ${scale.mam.archive} messages at ${archiveFillRate.toFixed(0)} msg/s`);
  await fillRoster(peer.target, scale.roster.contacts);
  progress(`roster filled with ${scale.roster.contacts} contacts`);
  return { accounts: accounts.length, accountSeconds, archiveFillRate, tls };
}

/**
 * One round against one server. A scenario that fails is reported and the round goes on with the
 * next one (after the server has gone idle), so one broken scenario does not hide the others.
 */
export async function runRound(ctx: RunContext, withMuc: boolean): Promise<{ measurements: Measurement[]; failures: string[] }> {
  const out: Measurement[] = [];
  const failures: string[] = [];
  const idle = async (after: string) => {
    const ms = await quiesce(ctx.peer.pid());
    if (ms > 5000) ctx.progress(`  server busy for ${(ms / 1000).toFixed(0)} s after ${after}`);
  };
  const attempt = async (name: string, fn: () => Promise<Measurement[]>) => {
    try {
      out.push(...(await fn()));
    } catch (e) {
      failures.push(`${name}: ${(e as Error).message}`);
      ctx.progress(`${name} FAILED: ${(e as Error).stack ?? e}`);
    }
    await idle(name);
  };
  const online = await memoryScenario(ctx); // the others need its connections: a failure here ends the round
  out.push(...online.measurements);
  try {
    await idle('logins');
    await attempt('messages', () => messagesScenario(ctx, online.conns));
    if (withMuc) await attempt('muc', () => mucScenario(ctx, online.conns));
  } finally {
    await closeAll(online.conns);
  }
  await idle('closing connections');
  await attempt('login storm', () => loginStorm(ctx));
  await attempt('mam', () => mamScenario(ctx));
  await attempt('roster', () => rosterScenario(ctx));
  return { measurements: out, failures };
}
