// PostgreSQL for tests: the local server's `test` database (trust auth), one fresh schema per run,
// dropped afterwards. PARLEY_TEST_PG_URL points elsewhere when needed.
import { randomBytes } from 'node:crypto';
import pg from 'pg';

export const pgTestUrl = process.env.PARLEY_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/** A schema name no other run uses (lower-case identifier, as storage.schema requires). */
export function freshSchemaName(prefix = 'parley_test'): string {
  return `${prefix}_${process.pid}_${randomBytes(4).toString('hex')}`;
}

/** Run statements on a short-lived connection of its own. */
export async function withPgClient<T>(fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: pgTestUrl });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

export async function dropSchema(schema: string): Promise<void> {
  if (!/^[a-z_][a-z0-9_]*$/.test(schema)) throw new Error(`not a schema name: ${schema}`);
  await withPgClient((c) => c.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`));
}

/** Tables in the schema, sorted; empty when the schema does not exist. */
export async function tablesIn(schema: string): Promise<string[]> {
  return withPgClient(async (c) => (await c.query<{ t: string }>("SELECT table_name AS t FROM information_schema.tables WHERE table_schema = $1 AND table_type = 'BASE TABLE' ORDER BY 1", [schema])).rows.map((r) => r.t));
}
