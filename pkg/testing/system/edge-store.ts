/**
 * The edge store as a test sees it: edgecore's SQLite file, read over a second, read-only connection (WAL lets a
 * reader in while edgecore writes).
 *
 * "Exactly once as seen by the store". The tunnel delivers at least once: the cloud resends until the edge
 * acknowledges, and resends again after reconnects and restarts; it may also coalesce versions it had not sent yet
 * (only the newest state of an object matters). The store turns that into exactly once: every version that reaches it
 * is written at most once (a second copy is counted as a duplicate, an older version as stale, neither is written),
 * the writes of one object come in increasing resourceVersion order, and the newest version is the one there at the
 * end. Versions the cloud coalesced away never reach the store and are not expected to.
 *
 * To see every write and not only the last one, `prepareAuditedStore` creates the database before edgecore first
 * starts, with edgecore's own migrations, and adds a table of the test's own (`system_test_audit`) that triggers on
 * the meta tables fill inside edgecore's own transactions: a committed write leaves exactly one audit row, a rolled
 * back or lost one none. edgecore accepts the extra table (its ownership check looks for its migrations table only).
 * The audit is checked against metamanager's own counters (metamanager_changes_applied_total and
 * metamanager_changes_dropped_total{reason=duplicate|stale}) where the process lived through the whole test.
 */
import knexFactory, { type Knex } from 'knex';
import { openMetaStore } from '../../../edgecore/metamanager';

interface SqliteConnection {
  exec(sql: string, done: (error: Error | null) => void): void;
}

export const AUDIT_TABLE = 'system_test_audit';

const quiet = { debug: () => undefined, info: () => undefined, warn: () => undefined };

/** Creates edgecore's database at `file` (its schema, by its own code) with the audit table and triggers. */
export async function prepareAuditedStore(file: string): Promise<void> {
  const store = await openMetaStore({ dataSource: file, log: quiet });
  await store.close();
  const db = knexFactory({ client: 'sqlite3', connection: { filename: file }, useNullAsDefault: true, pool: { min: 1, max: 1 } });
  try {
    await db.raw(`CREATE TABLE ${AUDIT_TABLE} (seq INTEGER PRIMARY KEY AUTOINCREMENT, op TEXT NOT NULL, key TEXT NOT NULL, resource_version TEXT NOT NULL)`);
    // An upsert that finds the row fires the UPDATE trigger only; one that does not, the INSERT trigger only.
    for (const [event, table, op] of [
      ['INSERT', 'meta', 'upsert'],
      ['UPDATE', 'meta', 'upsert'],
      ['INSERT', 'meta_tombstone', 'delete'],
      ['UPDATE', 'meta_tombstone', 'delete'],
    ] as const) {
      await db.raw(
        `CREATE TRIGGER ${AUDIT_TABLE}_${table}_${event.toLowerCase()} AFTER ${event} ON ${table} BEGIN ` +
          `INSERT INTO ${AUDIT_TABLE} (op, key, resource_version) VALUES ('${op}', NEW.key, NEW.resource_version); END`,
      );
    }
  } finally {
    await db.destroy();
  }
}

export interface AuditRow {
  seq: number;
  op: 'upsert' | 'delete';
  key: string;
  resource_version: string;
}

export interface StoredRow {
  key: string;
  type: string;
  value: string;
  resource_version: string;
}

export class EdgeStore {
  private readonly db: Knex;

  constructor(readonly file: string) {
    this.db = knexFactory({
      client: 'sqlite3',
      // knex always adds READWRITE|CREATE to its flags; a URI's mode=ro is stricter and wins, so this one only reads.
      connection: { filename: `file:${file}?mode=ro`, flags: ['OPEN_URI'] },
      useNullAsDefault: true,
      pool: {
        min: 1,
        max: 1,
        afterCreate: (conn: SqliteConnection, done: (error: Error | null, conn: unknown) => void) =>
          conn.exec('PRAGMA busy_timeout = 5000; PRAGMA query_only = ON', (error) => done(error, conn)),
      },
    });
  }

  /** The stored object at `<namespace>/<type>/<name>`, if any. */
  async get(key: string): Promise<StoredRow | undefined> {
    return this.db<StoredRow>('meta').where({ key }).first();
  }

  /** resourceVersion per key of everything stored. */
  async versions(): Promise<Map<string, string>> {
    const rows = await this.db<StoredRow>('meta').select('key', 'resource_version');
    return new Map(rows.map((row) => [row.key, row.resource_version]));
  }

  async audit(): Promise<AuditRow[]> {
    return this.db<AuditRow>(AUDIT_TABLE).select('seq', 'op', 'key', 'resource_version').orderBy('seq');
  }

  /** PRAGMA integrity_check: ['ok'] for a sound database. */
  async integrityCheck(): Promise<string[]> {
    const rows = await this.db.raw<{ integrity_check: string }[]>('PRAGMA integrity_check');
    return rows.map((row) => row.integrity_check);
  }

  async close(): Promise<void> {
    await this.db.destroy();
  }
}

/**
 * What the audit says against "exactly once as seen by the store": per key, the upserts' versions strictly increase
 * and a delete is not older than the last upsert. Returns the problems found (none: an empty list).
 */
export function auditProblems(rows: readonly AuditRow[]): string[] {
  const problems: string[] = [];
  const last = new Map<string, { op: string; version: bigint; seq: number }>();
  for (const row of rows) {
    const version = BigInt(row.resource_version);
    const before = last.get(row.key);
    if (before !== undefined) {
      const ok = row.op === 'upsert' ? version > before.version : version >= before.version;
      if (!ok) {
        problems.push(`${row.key}: ${row.op} of resourceVersion ${row.resource_version} (#${row.seq}) after ${before.op} of ${before.version} (#${before.seq})`);
      }
    }
    last.set(row.key, { op: row.op, version, seq: row.seq });
  }
  return problems;
}

/** Audit rows of one key. */
export function auditOf(rows: readonly AuditRow[], key: string): AuditRow[] {
  return rows.filter((row) => row.key === key);
}
