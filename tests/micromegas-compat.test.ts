/**
 * micromegas' query guide against us: `micromegas start` (on PostgreSQL, which starts in seconds where
 * PGlite takes half a minute on a loaded machine; its own telemetry off; two user views the guide's
 * histogram examples presume) is fed by `micromegas demo`, then every example of the guide
 * (micromegas-examples.ts) runs over FlightSQL with our client. Each returns rows, or does what
 * docs/micromegas-sql.md says: no rows, or an error saying why.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FlightSQLClient } from '@micromegas/flightsql-client';
import { testMetadataBackends, type TestMetadataStore } from '@micromegas/backend/lake/metadata/test-stores';
import { runCli, startCli, type StartedCli } from './cli-process.js';
import { ADAPTATIONS, EXAMPLES, PLACEHOLDERS, type DemoIds, type Example } from './micromegas-examples.js';

/** The tables of histograms the guide's examples query (its `cpu_usage_per_process_per_minute`, `performance_histograms`). */
const USER_VIEWS = [
  {
    name: 'cpu_usage_per_process_per_minute', source: 'measures', time_bin: '1 minute',
    sql: `SELECT time_bucket(INTERVAL 1 minute, time) AS time_bin, process_id,
            make_histogram(0.0, 100.0, 20, CASE WHEN name = 'cpu_usage' THEN value END) AS cpu_usage_histo,
            make_histogram(0.0, 50.0, 50, CASE WHEN name = 'frame_time' THEN value END) AS duration_histogram
          FROM source GROUP BY ALL`,
    merge_sql: `SELECT time_bin, process_id, sum_histograms(cpu_usage_histo) AS cpu_usage_histo, sum_histograms(duration_histogram) AS duration_histogram
          FROM source GROUP BY ALL`,
  },
  {
    name: 'performance_histograms', source: 'measures', time_bin: '1 minute',
    sql: `SELECT time_bucket(INTERVAL 1 minute, time) AS time_bin,
            make_histogram(0.0, 50.0, 50, CASE WHEN name = 'frame_time' THEN value END) AS duration_histogram,
            make_histogram(0.0, 100.0, 100, CASE WHEN name = 'frame_time' THEN value END) AS response_time_histogram
          FROM source GROUP BY ALL`,
  },
];

/** The example as it runs here: adapted to DuckDB, naming the demo's process, thread and block. */
function runnable(example: Example, ids: DemoIds): string {
  const adapted = (example.adapt ?? []).reduce((sql, name) => ADAPTATIONS[name](sql), example.sql);
  return PLACEHOLDERS.reduce((sql, [pattern, value]) => sql.replace(pattern, value(ids)), adapted);
}

describe('micromegas query guide examples over the demo', () => {
  let dataDir: string;
  let db: TestMetadataStore;
  let backend: StartedCli;
  let client: FlightSQLClient;
  let ids: DemoIds;
  let begin: Date;
  let end: Date;

  const query = async (sql: string) => client.query(sql, begin, end);
  const one = async (sql: string): Promise<string> => {
    const table = await query(sql);
    assert.equal(table.numRows, 1, sql);
    return String(table.get(0)!.toArray()[0]);
  };

  before(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'mm-compat-'));
    const views = join(dataDir, 'views.json');
    await writeFile(views, JSON.stringify(USER_VIEWS));
    begin = new Date(Date.now() - 60_000);
    db = await testMetadataBackends.find((b) => b.name === 'postgres')!.open();
    assert.equal(db.options.kind, 'postgres');
    backend = await startCli(join(dataDir, 'lake'), [], {
      MICROMEGAS_SQL_CONNECTION_STRING: db.options.connectionString, MICROMEGAS_SQL_SCHEMA: db.options.schema ?? 'public',
      MICROMEGAS_VIEWS_CONFIG: views, MICROMEGAS_SELF_TELEMETRY_URL: 'off',
    });
    const demo = await runCli(['demo', '--duration', '4', '--url', backend.address('ingestion')]);
    assert.equal(demo.exit[0], 0, demo.stdout + demo.stderr);
    end = new Date(Date.now() + 60_000);
    client = new FlightSQLClient({ url: backend.address('flightsql') });
    const processId = await one("SELECT process_id FROM processes WHERE exe = 'micromegas-demo'");
    const stream = (tag: string) => `SELECT stream_id FROM streams WHERE process_id = '${processId}'
      AND list_contains(tags, '${tag}') AND property_get(properties, 'thread-name') = 'main'`;
    const threadStreamId = await one(stream('cpu'));
    ids = {
      processId,
      threadStreamId,
      logBlockId: await one(`SELECT block_id FROM blocks WHERE stream_id = (${stream('log')}) ORDER BY begin_time LIMIT 1`),
      parentSpanId: await one(`SELECT id FROM view_instance('thread_spans', '${threadStreamId}') WHERE name = 'frame' ORDER BY id LIMIT 1`),
      asyncSpanId: await one(`SELECT span_id FROM view_instance('async_events', '${processId}') ORDER BY time LIMIT 1`),
    };
  });

  after(async () => {
    client?.close();
    await backend?.stop();
    await db?.drop();
    await rm(dataDir, { recursive: true, force: true });
  });

  EXAMPLES.forEach((example, i) => {
    const expected = example.fails ? 'fails' : example.noRows ? 'no rows' : example.rowsVary ? 'runs' : 'rows';
    it(`#${i} ${example.source} (${expected})`, async () => {
      const sql = runnable(example, ids);
      if (example.fails) {
        await assert.rejects(query(sql), example.fails.error, `${example.fails.why}\n${sql}`);
        return;
      }
      const table = await query(sql);
      if (example.noRows) assert.equal(table.numRows, 0, `${example.noRows}\n${sql}`);
      else if (!example.rowsVary) assert.ok(table.numRows > 0, `no rows:\n${sql}`);
      assert.ok(table.schema.fields.length > 0, sql);
    });
  });
});
