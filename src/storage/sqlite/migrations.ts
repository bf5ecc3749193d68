// Schema migrations, applied in order inside one transaction each. Never edit a shipped one:
// append a new entry. SQL stays portable (the PostgreSQL driver mirrors these).
export const migrations: { id: number; name: string; sql: string }[] = [
  {
    id: 1,
    name: 'accounts and key-value documents',
    sql: `
      CREATE TABLE accounts (
        domain TEXT NOT NULL,
        username TEXT NOT NULL,
        credentials TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        PRIMARY KEY (domain, username)
      );
      CREATE TABLE kv (
        domain TEXT NOT NULL,
        username TEXT NOT NULL,
        store TEXT NOT NULL,
        key TEXT NOT NULL,
        value TEXT NOT NULL,
        PRIMARY KEY (domain, username, store, key)
      );
    `,
  },
];
