// (1) Login storm: as many clients as possible connect at once and go through TCP connect,
// STARTTLS (RFC 6120 §5), SASL SCRAM-SHA-1 (§6) and resource binding (§7). Logins per second
// over the whole storm, the server's CPU time per login, and the p50 time one login takes.
// Connections stay open until the storm ends (a storm is people arriving, not churning).
import { XmppConnection } from '../client/connection.ts';
import { closeAll, forEachLimited, sourceAddress, userName, userPassword } from '../client/pool.ts';
import { cpuMeter } from '../client/timing.ts';
import { percentile, sortedCopy } from '../stats.ts';
import { measure, type Measurement, type RunContext } from './types.ts';

export const LOGIN_RATE = { key: 'login.rate', label: 'Login storm: STARTTLS + SCRAM + bind', unit: 'logins/s', better: 'higher' } as const;
export const LOGIN_CPU = { key: 'login.cpu', label: 'Server CPU per login', unit: 'ms', better: 'lower' } as const;
export const LOGIN_P50 = { key: 'login.p50', label: 'One login during the storm, p50', unit: 'ms', better: 'lower' } as const;

export async function loginStorm(ctx: RunContext): Promise<Measurement[]> {
  const { logins, concurrency, seconds } = ctx.scale.storm;
  const conns: XmppConnection[] = [];
  const durations: number[] = [];
  const cpu = cpuMeter(ctx.peer.pid());
  const t0 = performance.now();
  const deadline = Date.now() + seconds * 1000;
  try {
    await forEachLimited(logins, concurrency, async (i) => {
      const t = performance.now();
      conns.push(await XmppConnection.login(ctx.peer.target, { username: userName(i), password: userPassword(i), localAddress: sourceAddress(i), resource: `storm${ctx.round}` }));
      durations.push(performance.now() - t);
    }, deadline);
  } catch (e) {
    await closeAll(conns);
    throw e;
  }
  const elapsed = (performance.now() - t0) / 1000;
  const cpuPerLogin = cpu.perOp(conns.length);
  await closeAll(conns);
  const rate = conns.length / elapsed;
  ctx.progress(`login storm: ${conns.length} logins in ${elapsed.toFixed(1)} s = ${rate.toFixed(0)}/s, ${cpuPerLogin.toFixed(2)} ms server CPU each`);
  return [measure(LOGIN_RATE, rate), measure(LOGIN_CPU, cpuPerLogin), measure(LOGIN_P50, percentile(sortedCopy(durations), 50))];
}
