/**
 * Shared by the ingestion end-to-end tests: a real ingestion service on a loopback port over a given
 * metadata backend and object store, and hand-built envelopes.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { encodeCbor } from '@micromegas/wire';
import { loadConfig } from '@micromegas/backend/config';
import { startServices, type Services } from '@micromegas/backend/service/services';
import { testMetadataBackends, type TestMetadataBackend, type TestMetadataStore } from '@micromegas/backend/lake/metadata/test-stores';
import { testObjectBackends, type TestObjectBackend, type TestObjectStore } from '@micromegas/backend/lake/object-store/test-stores';
import type { Block, ProcessInfo, StreamInfo } from '@micromegas/wire/envelope';
import { PACK_CLAIM_SECONDS } from '@micromegas/backend/lake/telemetry/packs';
import { deleteDueFiles } from '@micromegas/backend/views/expired-files';

export interface IngestionUnderTest {
  url: string;
  db: TestMetadataStore;
  os: TestObjectStore;
  services: Services;
  close(): Promise<void>;
}

export async function startIngestion(
  metadataBackend: TestMetadataBackend,
  objectBackend: TestObjectBackend,
  env: Record<string, string> = {},
): Promise<IngestionUnderTest> {
  const [db, os] = await Promise.all([metadataBackend.open(), objectBackend.open()]);
  const config = loadConfig({ MICROMEGAS_INGESTION_PORT: '0', MICROMEGAS_LOG_LEVEL: 'silent', ...env });
  const services = await startServices(config, ['ingestion'], { metadata: db.store, objects: os.store });
  return {
    url: services.running[0]!.url, db, os, services,
    async close() {
      await services.stop();
      await Promise.all([db.drop(), os.drop()]);
    },
  };
}

/** Every pairing of metadata backend and object store, named for test titles. */
export const storageMatrix = testMetadataBackends.flatMap((m) =>
  testObjectBackends.map((o) => ({ name: `${m.name} + ${o.name}`, metadata: m, objects: o })));

export async function post(url: string, path: string, body: Uint8Array | string): Promise<{ status: number; text: string }> {
  const response = await fetch(`${url}/ingestion/${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/cbor' },
    body,
  });
  return { status: response.status, text: await response.text() };
}

export function cbor(value: unknown): Uint8Array {
  return encodeCbor(value);
}

export function sampleProcess(overrides: Partial<ProcessInfo> = {}): ProcessInfo {
  return {
    process_id: randomUUID(),
    exe: '/usr/bin/node game.js',
    username: 'ada',
    realname: 'Ada Lovelace',
    computer: 'analytical-engine',
    distro: 'Debian 12',
    cpu_brand: 'Intel(R) Xeon(R) CPU',
    tsc_frequency: 1_000_000_000,
    start_time: '2026-11-23T12:00:00.123456789Z',
    start_ticks: 987_654_321,
    parent_process_id: '',
    properties: { version: '1.2.3', region: 'eu' },
    ...overrides,
  };
}

export function sampleStream(process: ProcessInfo, overrides: Partial<StreamInfo> = {}): StreamInfo {
  return {
    stream_id: randomUUID(),
    process_id: process.process_id,
    dependencies_metadata: new Uint8Array([1, 2, 3, 4]),
    objects_metadata: new Uint8Array([5, 6, 7]),
    tags: ['cpu'],
    properties: { 'thread-id': '1', 'thread-name': 'main' },
    ...overrides,
  };
}

export function sampleBlock(stream: StreamInfo, overrides: Partial<Block> = {}): Block {
  return {
    block_id: randomUUID(),
    stream_id: stream.stream_id,
    process_id: stream.process_id,
    begin_time: '2026-11-23T12:00:01.000000001Z',
    begin_ticks: 1_987_654_322,
    end_time: '2026-11-23T12:00:02.999999999Z',
    end_ticks: 3_987_654_320,
    payload: { dependencies: randomBytes(300), objects: randomBytes(5000) },
    object_offset: 0,
    nb_objects: 1234,
    ...overrides,
  };
}

export async function count(db: TestMetadataStore, table: 'processes' | 'streams' | 'blocks'): Promise<number> {
  const [row] = await db.store.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table}`);
  return row!.n;
}

export async function objectKeys(os: TestObjectStore): Promise<string[]> {
  const keys: string[] = [];
  for await (const key of os.store.list('')) keys.push(key);
  return keys.sort();
}

/** Runs the expired-file sweep as it will run once packs no row refers to are due (an hour on). */
export async function sweepUnreferencedPacks(it_: Pick<IngestionUnderTest, 'db' | 'os'>): Promise<void> {
  const later = new Date(Date.now() + (PACK_CLAIM_SECONDS + 60) * 1000);
  await deleteDueFiles(it_.db.store, (key) => it_.os.store.delete(key), { now: later, batchSize: 1000 });
}

/** The packs block rows refer to, sorted. */
export async function referencedPacks(db: TestMetadataStore): Promise<string[]> {
  const rows = await db.store.query<{ k: string }>('SELECT DISTINCT payload_key AS k FROM blocks WHERE payload_key IS NOT NULL ORDER BY 1');
  return rows.map((r) => r.k).sort();
}
