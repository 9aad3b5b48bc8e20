import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { testMetadataBackends, type TestMetadataStore } from '../lake/metadata/test-stores.js';
import { PartitionIndex, type NewPartition } from './partition-index.js';

const T = Date.UTC(2026, 10, 30, 12, 0, 0);
const partition = (instanceId: string, from: number, to: number, file: string | null = `f-${instanceId}-${from}-${to}`): NewPartition => ({
  viewSet: 'log_entries', instanceId, beginInsert: new Date(T + from * 1000), endInsert: new Date(T + to * 1000),
  minEventNs: BigInt(T) * 1_000_000n, maxEventNs: BigInt(T) * 1_000_000n, filePath: file, fileSize: 1,
  fileSchemaHash: 's', sourceDataHash: '1.1', numRows: 1, carry: null,
});

for (const backend of testMetadataBackends) {
  describe(`partition index (${backend.name})`, () => {
    let db: TestMetadataStore;
    let index: PartitionIndex;
    before(async () => {
      db = await backend.open();
      index = new PartitionIndex(db.store);
    });
    after(async () => { await db.drop(); });

    const ranges = async (instanceId: string) => (await index.ofInstance('log_entries', instanceId))
      .map((p) => [(p.begin_insert_time.getTime() - T) / 1000, (p.end_insert_time.getTime() - T) / 1000]);
    const expired = async () => (await db.store.query<{ file_path: string }>('SELECT file_path FROM lakehouse_expired_files ORDER BY 1')).map((r) => r.file_path);

    it('a partition replaces those inside its range and expires their files', async () => {
      for (const [from, to] of [[0, 1], [1, 2], [5, 6], [60, 61]]) assert.equal(await index.upsert(partition('a', from!, to!)), true);
      assert.equal(await index.upsert(partition('a', 0, 60)), true);
      assert.deepEqual(await ranges('a'), [[0, 60], [60, 61]]);
      assert.deepEqual(await expired(), ['f-a-0-1', 'f-a-1-2', 'f-a-5-6']);
    });

    it('a partition reaching into a wider one loses: not recorded, its file expired, the wider one kept', async () => {
      assert.equal(await index.upsert(partition('a', 30, 31)), false);
      assert.equal(await index.upsert(partition('a', 59, 62)), false);
      assert.deepEqual(await ranges('a'), [[0, 60], [60, 61]]);
      assert.ok((await expired()).includes('f-a-30-31') && (await expired()).includes('f-a-59-62'));
      assert.equal(await index.upsert(partition('a', 0, 60, 'f-a-0-60-again')), true, 'the same range is replaced');
      assert.ok((await expired()).includes('f-a-0-60'));
    });

    it('concurrent writers of overlapping ranges never leave two partitions over the same inserts', async () => {
      const spans = [[0, 1], [0, 60], [1, 2], [30, 90], [59, 61], [60, 120], [0, 3600], [100, 101], [119, 120], [3599, 3600]];
      await Promise.all(spans.map(([from, to]) => index.upsert(partition('b', from!, to!))));
      const recorded = await ranges('b');
      assert.ok(recorded.length > 0);
      for (let i = 1; i < recorded.length; i++) assert.ok(recorded[i - 1]![1]! <= recorded[i]![0]!, JSON.stringify(recorded));
    });
  });
}
