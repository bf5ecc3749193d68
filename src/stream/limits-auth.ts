// Failed-login backoff per account (the per-address one is accounts/auth-throttle.ts).
//
// Two records, both exponential and both forgiving after a quiet period:
// - per (account, address): after a few failures, attempts on that account from that address are
//   refused with temporary-auth-failure until the backoff has passed, without even checking the
//   password, so parallel connections from one address cannot guess faster than the backoff;
// - per account: every failed attempt on the account, from anywhere, is answered late, so guesses
//   spread over many addresses cost the attacker connection time.
// Nothing here ever delays or refuses a correct password from an address that has not been
// failing on the account: an attacker cannot lock the owner out (the owner's login from another
// address succeeds at once).
import { addressKey } from '../net/connection-guard.ts';

interface Failures {
  count: number;
  last: number;
  /** Until when attempts are refused (pair records only). */
  until: number;
}

export interface LoginBackoffSettings {
  baseMs: number;
  maxMs: number;
  /** Failures forgotten after this long without a new one. */
  decayMs?: number;
  /** Failures per (account, address) allowed before the backoff starts (typos). */
  freePerAddress?: number;
  /** Failures per account allowed before its failure answers are slowed. */
  freePerAccount?: number;
}

const MAX_RECORDS = 100_000;

export class LoginBackoff {
  private readonly pairs = new Map<string, Failures>();
  private readonly accounts = new Map<string, Failures>();
  private readonly decayMs: number;
  private readonly freePerAddress: number;
  private readonly freePerAccount: number;

  constructor(private readonly s: LoginBackoffSettings, private readonly now: () => number = Date.now) {
    this.decayMs = s.decayMs ?? 15 * 60_000;
    this.freePerAddress = s.freePerAddress ?? 3;
    this.freePerAccount = s.freePerAccount ?? 10;
  }

  /** Milliseconds until this address may try this account again (0: go ahead). */
  refusedFor(account: string, address: string): number {
    const r = this.pairs.get(pairKey(account, address));
    return r ? Math.max(0, r.until - this.now()) : 0;
  }

  /** Record a failure; returns how long to hold back the failure answer. */
  failed(account: string, address: string): number {
    const t = this.now();
    const pair = this.bump(this.pairs, pairKey(account, address), t);
    const pairDelay = this.delay(pair.count, this.freePerAddress);
    pair.until = Math.max(pair.until, t + pairDelay);
    const acct = this.bump(this.accounts, account, t);
    return this.delay(acct.count, this.freePerAccount);
  }

  /** A correct login: that address is trusted again for the account; the account's count resets. */
  succeeded(account: string, address: string): void {
    this.pairs.delete(pairKey(account, address));
    this.accounts.delete(account);
  }

  private bump(map: Map<string, Failures>, key: string, t: number): Failures {
    const r = map.get(key);
    if (r && t - r.last < this.decayMs) {
      r.count++;
      r.last = t;
      return r;
    }
    if (map.size >= MAX_RECORDS) map.clear(); // bounded memory under spraying; forgetting is safe
    const fresh = { count: 1, last: t, until: 0 };
    map.set(key, fresh);
    return fresh;
  }

  private delay(count: number, free: number): number {
    if (count <= free) return 0;
    return Math.min(this.s.maxMs, this.s.baseMs * 2 ** Math.min(30, count - free - 1));
  }
}

function pairKey(account: string, address: string): string {
  return `${account}\u0000${addressKey(address)}`;
}
