// Store interfaces. Every driver (SQLite now, PostgreSQL later) implements these and passes
// the same contract tests. Writes resolve only after they are durable.
import type { ScramCredentials, ScramHash } from '../sasl/index.ts';

export interface Account {
  username: string;
  domain: string;
  /** Salted SCRAM keys per hash; the password itself is never stored. */
  credentials: Partial<Record<ScramHash, ScramCredentials>>;
  createdAt: number;
}

export interface AccountStore {
  create(account: Account): Promise<boolean>; // false when it already exists
  get(username: string, domain: string): Promise<Account | null>;
  setCredentials(username: string, domain: string, credentials: Account['credentials']): Promise<boolean>;
  delete(username: string, domain: string): Promise<boolean>;
  /** Ordered by username; `after` is an exclusive cursor for paging. */
  list(domain: string, opts?: { after?: string; limit?: number; search?: string }): Promise<string[]>;
  count(domain?: string): Promise<number>;
}

/** Generic per-user key/value documents for small modules (private XML, prefs...). */
export interface KeyValueStore {
  get(username: string, domain: string, store: string, key: string): Promise<string | null>;
  set(username: string, domain: string, store: string, key: string, value: string | null): Promise<void>;
  keys(username: string, domain: string, store: string): Promise<string[]>;
  /** Remove everything a user has in every store (account deletion). */
  deleteUser(username: string, domain: string): Promise<void>;
}

export interface Storage {
  accounts: AccountStore;
  kv: KeyValueStore;
  /** Delete an account and everything every store holds for it, in one transaction. */
  deleteUser(username: string, domain: string): Promise<boolean>;
  close(): Promise<void>;
}
