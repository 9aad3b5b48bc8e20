/** A PostgreSQL transaction held open on a connection of its own: an ingestion still in flight. */
import pg from 'pg';
import { TEST_POSTGRES_URL } from '@micromegas/backend/lake/metadata/test-stores';
import type { SqlExecutor } from '@micromegas/backend/lake/metadata/store';
import { executorOf } from '@micromegas/backend/lake/metadata/executor';

/** Begins a transaction now on the test schema and leaves it open until `commit`. */
export async function openTransaction(schema: string): Promise<{ executor: SqlExecutor; commit(): Promise<void> }> {
  const client = new pg.Client({ connectionString: TEST_POSTGRES_URL });
  await client.connect();
  await client.query(`SET search_path TO ${schema}`);
  await client.query('BEGIN');
  return {
    executor: executorOf(client),
    async commit() {
      await client.query('COMMIT');
      await client.end();
    },
  };
}
