// The PostgreSQL connection pool (node-postgres) and the small query API the stores share.
// Every statement is parameterised and named by its text, so each connection parses and plans
// it once (PostgreSQL extended protocol). BIGINT columns come back as JavaScript numbers: every
// time and sequence key Parley stores stays below 2^53 (archive keys until the year 2248).
import pg from 'pg';

export interface PgOptions {
  /** postgres://user@host:port/database (libpq connection URI). */
  url: string;
  poolSize: number;
  /** Schema the tables live in (search_path); created by migrate() when missing. Default: the server's search_path. */
  schema?: string;
  /** Give up on a connection attempt after this long (ms). */
  connectTimeoutMs?: number;
}

/** What a statement can run on: the pool (autocommit) or one transaction. */
export interface Sql {
  rows<R = Record<string, unknown>>(text: string, params?: unknown[]): Promise<R[]>;
  /** The first row, or undefined. */
  one<R = Record<string, unknown>>(text: string, params?: unknown[]): Promise<R | undefined>;
  /** The first column of the first row, or undefined. */
  value<V = unknown>(text: string, params?: unknown[]): Promise<V | undefined>;
  /** Rows changed (INSERT/UPDATE/DELETE). */
  run(text: string, params?: unknown[]): Promise<number>;
}

/** A transaction: statements plus a per-key lock that is held until it ends. */
export interface Tx extends Sql {
  /**
   * Serialise transactions that touch the same logical thing (a user's offline queue, a PEP node):
   * a transaction-scoped advisory lock on a hash of the parts. SQLite gets this for free (one
   * writer); PostgreSQL runs transactions side by side under READ COMMITTED.
   */
  lock(...parts: string[]): Promise<void>;
}

const INT8 = 20;

function safeInteger(text: string): number {
  const n = Number(text);
  if (!Number.isSafeInteger(n)) throw new RangeError(`BIGINT ${text} is outside JavaScript's safe integer range`);
  return n;
}

// Per-pool type parsers, so the process-wide pg.types stay untouched.
const types = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    if (oid === INT8 && format !== 'binary') return safeInteger;
    return pg.types.getTypeParser(oid, format);
  },
} as pg.CustomTypesConfig;

const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

export function checkSchemaName(schema: string): string {
  if (!SCHEMA_NAME.test(schema)) throw new Error(`storage.schema must be a lower-case SQL identifier, got ${JSON.stringify(schema)}`);
  return schema;
}

const statementNames = new Map<string, string>();
function named(text: string, values: unknown[]): pg.QueryConfig {
  let name = statementNames.get(text);
  if (name === undefined) {
    name = `parley_${statementNames.size + 1}`;
    statementNames.set(text, name);
  }
  return { name, text, values };
}

// rowMode 'array' is passed through to node-postgres (its QueryArrayConfig).
type Query = pg.QueryConfig & { rowMode?: 'array' };

function sqlOn(q: (c: Query) => Promise<pg.QueryResult>): Sql {
  return {
    async rows<R>(text: string, params: unknown[] = []) {
      return (await q(named(text, params))).rows as R[];
    },
    async one<R>(text: string, params: unknown[] = []) {
      return (await q(named(text, params))).rows[0] as R | undefined;
    },
    async value<V>(text: string, params: unknown[] = []) {
      const r = await q({ ...named(text, params), rowMode: 'array' });
      return (r.rows[0] as unknown[] | undefined)?.[0] as V | undefined;
    },
    async run(text: string, params: unknown[] = []) {
      return (await q(named(text, params))).rowCount ?? 0;
    },
  };
}

// SQLSTATEs worth one more try: the transaction did nothing visible and may succeed when re-run.
const RETRYABLE = new Set(['40001', '40P01']); // serialization_failure, deadlock_detected

export class PgDb implements Sql {
  readonly pool: pg.Pool;
  readonly schema: string | undefined;
  private readonly sql: Sql;

  constructor(opts: PgOptions) {
    this.schema = opts.schema === undefined ? undefined : checkSchemaName(opts.schema);
    this.pool = new pg.Pool({
      connectionString: opts.url,
      max: opts.poolSize,
      types,
      connectionTimeoutMillis: opts.connectTimeoutMs ?? 10_000,
      // Sent in the startup packet, so every pooled connection sees the schema before its first query.
      options: this.schema ? `-c search_path=${this.schema}` : undefined,
      application_name: 'parley',
    });
    // An idle connection that dies (server restart) must not crash the process; the pool replaces it.
    this.pool.on('error', () => {});
    this.sql = sqlOn((c) => this.pool.query(c as pg.QueryConfig));
  }

  rows<R = Record<string, unknown>>(text: string, params?: unknown[]): Promise<R[]> {
    return this.sql.rows<R>(text, params);
  }
  one<R = Record<string, unknown>>(text: string, params?: unknown[]): Promise<R | undefined> {
    return this.sql.one<R>(text, params);
  }
  value<V = unknown>(text: string, params?: unknown[]): Promise<V | undefined> {
    return this.sql.value<V>(text, params);
  }
  run(text: string, params?: unknown[]): Promise<number> {
    return this.sql.run(text, params);
  }

  /** Run fn in one transaction (READ COMMITTED); it resolves after COMMIT, i.e. once durable. */
  async tx<T>(fn: (tx: Tx) => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      const client = await this.pool.connect();
      let broken = false;
      try {
        await client.query('BEGIN');
        const sql = sqlOn((c) => client.query(c as pg.QueryConfig));
        const tx: Tx = {
          ...sql,
          async lock(...parts: string[]) {
            await sql.run('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [JSON.stringify(parts)]);
          },
        };
        const result = await fn(tx);
        await client.query('COMMIT');
        return result;
      } catch (err) {
        try {
          await client.query('ROLLBACK');
        } catch {
          broken = true;
        }
        const code = (err as { code?: string }).code;
        if (attempt < 3 && code !== undefined && RETRYABLE.has(code)) continue;
        throw err;
      } finally {
        client.release(broken);
      }
    }
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}
