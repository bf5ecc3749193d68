// Reads a running server's SQLite file (WAL mode allows a second, read-only connection) to check
// what storage holds for a user: every table with domain and username columns counts.
import Database from 'better-sqlite3';
import { join } from 'node:path';

/** Rows per table that belong to username@domain (tables keyed by domain + username). */
export function userRows(dataDir: string, username: string, domain: string, file = 'parley.sqlite'): Record<string, number> {
  const db = new Database(join(dataDir, file), { readonly: true, fileMustExist: true });
  try {
    const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").pluck().all() as string[];
    const out: Record<string, number> = {};
    for (const t of tables) {
      const cols = (db.prepare(`PRAGMA table_info("${t}")`).all() as Array<{ name: string }>).map((c) => c.name);
      if (!cols.includes('domain') || !cols.includes('username')) continue;
      out[t] = db.prepare(`SELECT COUNT(*) FROM "${t}" WHERE domain = ? AND username = ?`).pluck().get(domain, username) as number;
    }
    return out;
  } finally {
    db.close();
  }
}
