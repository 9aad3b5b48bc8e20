/**
 * OTLP blocks in the lakehouse like the SDK's: the maintenance path (materializePartitions) builds
 * otel_spans' global partitions, and a stored OTLP payload that no longer decodes is skipped and
 * reported while the other blocks materialize.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { testMetadataBackends } from '@micromegas/backend/lake/metadata/test-stores';
import { testObjectBackends } from '@micromegas/backend/lake/object-store/test-stores';
import { writePack } from '@micromegas/backend/lake/telemetry/packs';
import { encodeOtlpPayload } from '@micromegas/backend/lake/otlp/payload';
import { signals } from '@micromegas/backend/lake/otlp/schema';
import { accept } from '@micromegas/backend/ingestion/otlp/accept';
import { OtlpStorage } from '@micromegas/backend/ingestion/otlp/storage';
import { openCatalog, readParquet } from './lakehouse-fixtures.js';

const NOW_NS = BigInt(Date.now()) * 1_000_000n;

function traces(service: string, names: string[]): object {
  return signals.traces.request.fromObject({
    resourceSpans: [{
      resource: { attributes: [{ key: 'service.name', value: { stringValue: service } }] },
      scopeSpans: [{
        spans: names.map((name, i) => ({
          traceId: Buffer.alloc(16, 1), spanId: Buffer.alloc(8, i + 1), name,
          startTimeUnixNano: (NOW_NS + BigInt(i)).toString(), endTimeUnixNano: (NOW_NS + BigInt(i) + 1000n).toString(),
        })),
      }],
    }],
  });
}

describe('OTLP blocks in the lakehouse', () => {
  it('are materialized by the maintenance path, and a payload that does not decode is skipped and reported', async () => {
    const db = await testMetadataBackends.find((b) => b.name === 'pglite')!.open();
    const os = await testObjectBackends.find((b) => b.name === 'file')!.open();
    const skipped: string[] = [];
    const lake = await openCatalog({ metadata: db.store, objects: os.store, onSkippedBlock: ({ block, error }) => skipped.push(`${block.block_id}: ${error.name}`) });
    try {
      const storage = new OtlpStorage(db.store, os.store);
      const begin = new Date();
      for (const [service, names] of [['good', ['a', 'b']], ['bad', ['c']]] as const) {
        const [block] = accept('traces', traces(service, [...names]), NOW_NS).blocks;
        await storage.store('traces', block!, NOW_NS);
      }
      const [bad] = await db.store.query<{ block_id: string }>(
        `SELECT b.block_id FROM blocks b JOIN processes p USING (process_id) WHERE p.exe = 'bad'`);
      // Its payload replaced by one whose request does not decode.
      const corrupt = encodeOtlpPayload({ signal: 'traces', data: new Uint8Array([0x0a, 0x7f, 0x01]) });
      const [pack] = await writePack(db.store, os.store, [corrupt]);
      await db.store.query('UPDATE blocks SET payload_key = $1, payload_offset = $2, payload_size = $3 WHERE block_id = $4',
        [pack!.key, pack!.offset, corrupt.byteLength, bad!.block_id]);

      const built = await lake.catalog.materializePartitions('otel_spans', begin, new Date(Date.now() + 2000), 1);
      assert.ok(built > 0);
      const files = await lake.catalog.partitionsFor('otel_spans', 'global', {});
      const rows = await readParquet(files.map((f) => f.path), 'SELECT name, exe FROM {files} ORDER BY name');
      assert.deepEqual(rows, [{ name: 'a', exe: 'good' }, { name: 'b', exe: 'good' }]);
      assert.deepEqual(skipped, [`${bad!.block_id}: WireFormatError`]);
    } finally {
      await lake.close();
      await Promise.all([db.drop(), os.drop()]);
    }
  });
});
