/**
 * Shared by the lakehouse tests: telemetry written through the real storage layer (wire encoder →
 * object store + metadata rows), a catalog over it, Parquet read back through DuckDB, and a BigInt
 * reference for tick → time conversion that the tests compare against.
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { BlockEncoder, compressSection, uncompressSection, type BlockPayload, type Properties, type SpanDescriptor } from '@micromegas/wire';
import type { MetadataStore } from '@micromegas/backend/lake/metadata/store';
import type { ObjectStore } from '@micromegas/backend/lake/object-store/store';
import { insertBlock, insertProcess, insertStream } from '@micromegas/backend/lake/telemetry/write';
import type { Property } from '@micromegas/backend/lake/telemetry/records';
import { createViewCatalog, type LakehouseCatalog, type ViewCatalogOptions } from '@micromegas/backend/views/lakehouse-catalog';
import type { TestMetadataBackend } from '@micromegas/backend/lake/metadata/test-stores';
import { testObjectBackends } from '@micromegas/backend/lake/object-store/test-stores';

export type TestEvent =
  | { kind: 'log'; ticks: number; level: number; target: string; msg: string; properties?: Properties }
  | { kind: 'measure'; ticks: number; desc: { name: string; unit: string; target: string }; value: number; properties?: Properties }
  | { kind: 'begin' | 'end'; ticks: number; desc: SpanDescriptor }
  | { kind: 'asyncBegin' | 'asyncEnd'; ticks: number; desc: SpanDescriptor; spanId: number; parentSpanId: number; depth: number };

export interface TestProcess {
  process_id: string;
  exe: string;
  username: string;
  computer: string;
  start_time_ns: bigint;
  start_ticks: number;
  tsc_frequency: number;
  properties: Property[];
}

export interface WrittenBlock {
  block_id: string;
  stream_id: string;
  object_offset: number;
  events: TestEvent[];
}

/** Exact reference: start_time + floor((ticks - start_ticks) * 1e9 / tsc_frequency). */
export function expectedNs(p: TestProcess, ticks: number): bigint {
  const scaled = (BigInt(ticks) - BigInt(p.start_ticks)) * 1_000_000_000n;
  const f = BigInt(p.tsc_frequency);
  const q = scaled / f;
  return p.start_time_ns + (scaled % f !== 0n && scaled < 0n ? q - 1n : q);
}

function props(p: Properties | undefined): number {
  return p === undefined ? 0 : Object.keys(p).length;
}

export class TelemetryWriter {
  readonly #offsets = new Map<string, number>();

  constructor(readonly db: MetadataStore, readonly objects: ObjectStore) {}

  async process(overrides: Partial<TestProcess> = {}): Promise<TestProcess> {
    const p: TestProcess = {
      process_id: randomUUID(), exe: '/usr/bin/node game.js', username: 'ada', computer: 'engine-1',
      // A TSC-like clock: 1e9/f is no integer and tick products overflow doubles.
      start_time_ns: 1_795_000_000_123_456_789n, start_ticks: 7_000_000_000_000, tsc_frequency: 2_400_000_001,
      properties: [{ key: 'version', value: '1.2.3' }], ...overrides,
    };
    await insertProcess(this.db, {
      process_id: p.process_id, exe: p.exe, username: p.username, realname: 'Ada', computer: p.computer, distro: 'Debian',
      cpu_brand: 'Xeon', tsc_frequency: p.tsc_frequency, start_time_ns: p.start_time_ns, start_ticks: p.start_ticks,
      parent_process_id: '', properties: p.properties,
    });
    return p;
  }

  async stream(p: TestProcess, tags: string[], properties: Property[] = [{ key: 'thread-name', value: 'main' }]): Promise<string> {
    const stream_id = randomUUID();
    await insertStream(this.db, {
      stream_id, process_id: p.process_id, dependencies_metadata: new Uint8Array([1]), objects_metadata: new Uint8Array([2]),
      tags, properties,
    });
    return stream_id;
  }

  /** Encodes `events` as one block of the stream (after the stream's previous blocks) and stores it. */
  async block(p: TestProcess, streamId: string, events: TestEvent[]): Promise<WrittenBlock> {
    return this.#store(p, streamId, events, (payload) => payload);
  }

  /**
   * Stores `events` as a block whose objects section then goes wrong (an event of an unknown kind):
   * every event decodes, then the block fails, as when a sink's buffer was overwritten.
   */
  async blockWithCorruptTail(p: TestProcess, streamId: string, events: TestEvent[]): Promise<WrittenBlock> {
    return this.#store(p, streamId, events, (payload) => ({
      dependencies: payload.dependencies,
      objects: compressSection(Buffer.concat([uncompressSection(payload.objects, 'objects'), Buffer.from([0x3f, 0x00])])),
    }));
  }

  /** Stores a block whose payload object is not a payload at all (not CBOR). */
  async blockWithGarbageObject(p: TestProcess, streamId: string, events: TestEvent[]): Promise<WrittenBlock> {
    const written = await this.block(p, streamId, events);
    const [row] = await this.db.query<{ payload_key: string; payload_size: number }>(
      'SELECT payload_key, payload_size::int AS payload_size FROM blocks WHERE block_id = $1', [written.block_id]);
    // The block's pack holds only its payload: overwrite it with as many 0xff (a CBOR 'break' out of place).
    await this.objects.put(row!.payload_key, new Uint8Array(row!.payload_size).fill(0xff));
    return written;
  }

  async #store(p: TestProcess, streamId: string, events: TestEvent[], alter: (payload: BlockPayload) => BlockPayload): Promise<WrittenBlock> {
    const beginTicks = events[0]?.ticks ?? p.start_ticks;
    const endTicks = events.at(-1)?.ticks ?? beginTicks;
    const encoder = new BlockEncoder(beginTicks);
    for (const e of events) {
      switch (e.kind) {
        case 'log': encoder.log(e.ticks, e.level, e.target, e.msg, props(e.properties)); break;
        case 'measure':
          if (Number.isInteger(e.value)) encoder.intMeasure(e.ticks, e.desc, e.value, props(e.properties));
          else encoder.floatMeasure(e.ticks, e.desc, e.value, props(e.properties));
          break;
        case 'begin': encoder.spanBegin(e.ticks, e.desc); break;
        case 'end': encoder.spanEnd(e.ticks, e.desc); break;
        case 'asyncBegin': encoder.asyncBegin(e.ticks, e.desc, e.spanId, e.parentSpanId, e.depth); break;
        case 'asyncEnd': encoder.asyncEnd(e.ticks, e.desc, e.spanId, e.parentSpanId, e.depth); break;
      }
      if ((e.kind === 'log' || e.kind === 'measure') && e.properties) {
        for (const [k, v] of Object.entries(e.properties)) encoder.property(k, v);
      }
    }
    const object_offset = this.#offsets.get(streamId) ?? 0;
    this.#offsets.set(streamId, object_offset + events.length);
    const block_id = randomUUID();
    await insertBlock(this.db, this.objects, {
      block_id, stream_id: streamId, process_id: p.process_id,
      begin_time_ns: expectedNs(p, beginTicks), begin_ticks: beginTicks, end_time_ns: expectedNs(p, endTicks), end_ticks: endTicks,
      nb_objects: events.length, object_offset, payload: alter(encoder.finish()),
    });
    return { block_id, stream_id: streamId, object_offset, events };
  }

  /** Stores a block whose payload is not a valid event section (what a buggy sink could send). */
  async corruptBlock(p: TestProcess, streamId: string): Promise<string> {
    const block_id = randomUUID();
    const object_offset = this.#offsets.get(streamId) ?? 0;
    await insertBlock(this.db, this.objects, {
      block_id, stream_id: streamId, process_id: p.process_id, begin_time_ns: p.start_time_ns, begin_ticks: p.start_ticks,
      end_time_ns: p.start_time_ns, end_ticks: p.start_ticks, nb_objects: 1, object_offset,
      payload: { dependencies: new Uint8Array([0xff, 0x00]), objects: new Uint8Array([1, 2, 3]) },
    });
    return block_id;
  }

  /** Moves blocks' insert time (as if ingested then), to place them in chosen partitions. */
  async setInsertTime(blockIds: readonly string[], at: Date): Promise<void> {
    await this.db.query('UPDATE blocks SET insert_time = $1 WHERE block_id = ANY($2)', [at, [...blockIds]]);
  }
}

export interface CatalogUnderTest {
  catalog: LakehouseCatalog;
  cacheDir: string;
  close(): Promise<void>;
}

export async function openCatalog(options: Omit<ViewCatalogOptions, 'cacheDir'>): Promise<CatalogUnderTest> {
  const cacheDir = await mkdtemp(join(tmpdir(), 'mm-lake-cache-'));
  const catalog = await createViewCatalog({ ...options, cacheDir });
  return {
    catalog, cacheDir,
    async close() {
      await catalog.close();
      await rm(cacheDir, { recursive: true, force: true });
    },
  };
}

/** A fresh lake on `metadataBackend` and a file object store: its catalog and a writer; `close` drops it all. */
export async function openFileLake(metadataBackend: TestMetadataBackend): Promise<{ lake: CatalogUnderTest; writer: TelemetryWriter; close(): Promise<void> }> {
  const [db, os] = await Promise.all([metadataBackend.open(), testObjectBackends.find((b) => b.name === 'file')!.open()]);
  const lake = await openCatalog({ metadata: db.store, objects: os.store });
  return {
    lake, writer: new TelemetryWriter(db.store, os.store),
    async close() {
      await lake.close();
      await Promise.all([db.drop(), os.drop()]);
    },
  };
}

/** Rows of `sql` over the given Parquet files (`{files}` in the SQL stands for read_parquet([...])). */
export async function readParquet(paths: readonly string[], sql: string): Promise<Record<string, unknown>[]> {
  if (paths.length === 0) return [];
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  try {
    const source = `read_parquet([${paths.map((p) => `'${p.replaceAll("'", "''")}'`).join(', ')}])`;
    const reader = await connection.runAndReadAll(sql.replaceAll('{files}', source));
    return reader.getRowObjectsJson() as Record<string, unknown>[];
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}
