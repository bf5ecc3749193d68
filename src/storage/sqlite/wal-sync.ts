// Durable commits without blocking the event loop, for the per-message hot paths (archive and
// offline appends).
//
// With journal_mode=WAL and synchronous=FULL, SQLite fsyncs the WAL inside every COMMIT, on the
// main thread: 5-10 ms here, during which no other session is served. A hot-path transaction
// instead commits with synchronous=NORMAL (the WAL pages reach the OS, no fsync: ~0.2 ms) and its
// callers wait for an fdatasync of the WAL file run on libuv's thread pool. The result is the
// durability of synchronous=FULL (the commit is on disk before anyone is told it succeeded), with
// one fsync shared by every commit made while the previous one ran (group commit).
//
// Why that is the same guarantee: in WAL mode FULL differs from NORMAL only by syncing the WAL
// after each commit. A checkpoint (which may restart the WAL from its beginning) syncs the WAL
// before copying it into the database file and syncs the database after, so a commit that a
// checkpoint moved is durable already; the file descriptor kept here names the WAL inode, which
// SQLite reuses for the connection's lifetime.
import { closeSync, fdatasync, fsyncSync, openSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Db } from './db.ts';

export class WalSync {
  private fd: number | null = null;
  private running = false;
  /** Waiting for a sync that starts after their commit. */
  private waiting: Array<{ resolve(): void; reject(err: unknown): void }> = [];
  private readonly normal;
  private readonly full;
  private readonly walPath: string | null;

  constructor(private readonly db: Db) {
    this.walPath = db.memory ? null : `${db.name}-wal`;
    this.normal = db.prepare('PRAGMA synchronous = NORMAL');
    this.full = db.prepare('PRAGMA synchronous = FULL');
  }

  /**
   * Runs `tx` (a better-sqlite3 transaction function) committing without an inline fsync, and
   * returns its result once the commit is on disk.
   */
  async commit<T>(tx: () => T): Promise<T> {
    const result = this.run(tx);
    await this.synced();
    return result;
  }

  /** Runs `fn` with commits that skip the inline fsync; the caller must await synced() before acknowledging. */
  run<T>(fn: () => T): T {
    if (!this.walPath) return fn();
    this.normal.run();
    try {
      return fn();
    } finally {
      this.full.run();
    }
  }

  /** Resolves after an fdatasync of the WAL that started after this call. */
  synced(): Promise<void> {
    if (!this.walPath) return Promise.resolve();
    return new Promise((resolve, reject) => {
      this.waiting.push({ resolve, reject });
      if (!this.running) this.start();
    });
  }

  private start(): void {
    const batch = this.waiting;
    this.waiting = [];
    let fd: number;
    try {
      fd = this.walFd();
    } catch (err) {
      for (const w of batch) w.reject(err);
      return;
    }
    this.running = true;
    fdatasync(fd, (err) => {
      this.running = false;
      for (const w of batch) (err ? w.reject(err) : w.resolve());
      if (this.waiting.length > 0) this.start();
    });
  }

  private walFd(): number {
    if (this.fd === null) {
      this.fd = openSync(this.walPath!, 'r');
      // The WAL may have been created just now: make its directory entry durable once.
      const dir = openSync(dirname(this.walPath!), 'r');
      try {
        fsyncSync(dir);
      } finally {
        closeSync(dir);
      }
    }
    return this.fd;
  }

  close(): void {
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
  }
}

const perDb = new WeakMap<Db, WalSync>();

/** The one WalSync of a connection (stores on one connection share its group commits). */
export function walSyncFor(db: Db): WalSync {
  let s = perDb.get(db);
  if (!s) {
    s = new WalSync(db);
    perDb.set(db, s);
  }
  return s;
}
