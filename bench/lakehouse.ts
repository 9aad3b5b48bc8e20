/**
 * Lakehouse ETL and JIT materialization, in one run:
 * - block decoding into view columns (events/s) beside the bare wire decode (no-op visitor: the
 *   floor) and the same columns built through one object per event (the convenient alternative);
 * - JIT materialization (payload reads, decode, DuckDB staging, sorted Parquet, upload, index) in
 *   events/s on embedded PGlite + a file:// store;
 * - Parquet bytes per event beside the LZ4 wire payload bytes per event.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { BlockEncoder, decodeBlockEvents, readBlockEvents, type BlockPayload, type EventVisitor } from '@micromegas/wire';
import { openMetadataStore } from '@micromegas/backend/lake/metadata/open';
import { openObjectStore } from '@micromegas/backend/lake/object-store/open';
import { Dimensions } from '@micromegas/backend/etl/dimensions';
import { LogEntriesBuilder } from '@micromegas/backend/etl/log-entries';
import { MeasuresBuilder } from '@micromegas/backend/etl/measures';
import { ThreadSpansBuilder } from '@micromegas/backend/etl/thread-spans';
import type { ViewBuilder } from '@micromegas/backend/etl/view-builder';
import type { SourceProcess } from '@micromegas/backend/etl/sources';
import { openCatalog, TelemetryWriter, type TestEvent } from '../tests/lakehouse-fixtures.js';

const BLOCKS = 500;
const EVENTS_PER_BLOCK = 2000;
const TICKS_PER_EVENT = 24_000; // 10 µs at 2.4 GHz
const START_TICKS = 7_000_000_000_000;
const FREQ = 2_400_000_001;

type Workload = 'log_entries' | 'measures' | 'thread_spans';
const WORKLOADS: Workload[] = ['log_entries', 'measures', 'thread_spans'];
const SPAN_NAMES = ['frame', 'update', 'physics', 'render', 'audio', 'net'].map((name, i) => ({ name, target: 'game', filename: 'src/game.ts', line: 10 * i }));
const METRICS = ['frame_time', 'cpu', 'mem', 'fps'].map((name) => ({ name, unit: 'ns', target: 'game::stats' }));

/** The events of one block: realistic repetition (few targets/names), distinct messages. */
function blockEvents(workload: Workload, block: number): TestEvent[] {
  const events: TestEvent[] = [];
  const t = (i: number) => START_TICKS + (block * EVENTS_PER_BLOCK + i) * TICKS_PER_EVENT;
  for (let i = 0; i < EVENTS_PER_BLOCK; i++) {
    if (workload === 'log_entries') events.push({ kind: 'log', ticks: t(i), level: 1 + (i % 6), target: `game::mod${i % 12}`, msg: `request ${block * EVENTS_PER_BLOCK + i} served in ${i % 97} ms` });
    else if (workload === 'measures') events.push({ kind: 'measure', ticks: t(i), desc: METRICS[i % 4]!, value: i % 3 === 0 ? i * 0.5 : i });
  }
  if (workload === 'thread_spans') {
    // Nested frames of 4 levels: begin ×4 then end ×4, repeated.
    for (let i = 0; i < EVENTS_PER_BLOCK; i += 8) {
      for (let d = 0; d < 4; d++) events.push({ kind: 'begin', ticks: t(i + d), desc: SPAN_NAMES[d]! });
      for (let d = 3; d >= 0; d--) events.push({ kind: 'end', ticks: t(i + 7 - d), desc: SPAN_NAMES[d]! });
    }
  }
  return events;
}

function encode(events: TestEvent[]): BlockPayload {
  const encoder = new BlockEncoder(events[0]!.ticks);
  for (const e of events) {
    if (e.kind === 'log') encoder.log(e.ticks, e.level, e.target, e.msg);
    else if (e.kind === 'measure') encoder.intMeasure(e.ticks, e.desc, e.value);
    else if (e.kind === 'begin') encoder.spanBegin(e.ticks, e.desc);
    else if (e.kind === 'end') encoder.spanEnd(e.ticks, e.desc);
  }
  return encoder.finish();
}

const noop = (): void => {};
const NOOP_VISITOR: EventVisitor = { log: noop, measure: noop, spanBegin: noop, spanEnd: noop, asyncBegin: noop, asyncEnd: noop };

const PROCESS: SourceProcess = {
  process_id: 'bench', exe: 'bench', username: 'u', computer: 'c', start_time_ns: 1_795_000_000_000_000_000n,
  start_ticks: START_TICKS, tsc_frequency: FREQ, properties_json: '[]',
};

function builderFor(workload: Workload, dims: Dimensions): ViewBuilder {
  if (workload === 'log_entries') return new LogEntriesBuilder(dims);
  if (workload === 'measures') return new MeasuresBuilder(dims);
  return new ThreadSpansBuilder(dims, dims.addProcess(PROCESS), 's', []);
}

function best(fn: () => void, runs = 3): number {
  let bestMs = Infinity;
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    fn();
    bestMs = Math.min(bestMs, performance.now() - start);
  }
  return bestMs;
}

const mEvPerS = (events: number, ms: number) => (events / ms / 1000).toFixed(2);

function decodeBench(payloads: Record<Workload, BlockPayload[]>): void {
  const events = BLOCKS * EVENTS_PER_BLOCK;
  const rows = WORKLOADS.map((workload) => {
    const blocks = payloads[workload];
    const floor = best(() => { for (const p of blocks) readBlockEvents(p, NOOP_VISITOR); });
    // Both paths end with the same columns: straight from the visitor, or through event objects.
    const intoColumns = (viaObjects: boolean) => () => {
      const dims = new Dimensions();
      dims.addProcess(PROCESS);
      const builder = builderFor(workload, dims);
      blocks.forEach((p, i) => {
        const cursor = dims.beginBlock({
          block_id: `b${i}`, stream_id: 's', process_id: PROCESS.process_id, begin_ticks: START_TICKS + i * EVENTS_PER_BLOCK * TICKS_PER_EVENT,
          object_offset: i * EVENTS_PER_BLOCK, nb_objects: EVENTS_PER_BLOCK, insert_time_us: 0n,
        });
        if (!viaObjects) {
          builder.visitBlock(cursor, { kind: 'wire', payload: p }, `b${i}`);
          return;
        }
        builder.beginBlock(cursor);
        for (const e of decodeBlockEvents(p)) {
          if (e.kind === 'log') builder.log(e.ticks, e.level, e.target, e.msg, e.properties);
          else if (e.kind === 'measure') builder.measure(e.ticks, e.target, e.name, e.unit, e.value, e.properties);
          else if (e.kind === 'spanBegin') builder.spanBegin(e.ticks, e.desc);
          else if (e.kind === 'spanEnd') builder.spanEnd(e.ticks, e.desc);
        }
      });
    };
    const columns = best(intoColumns(false));
    const objects = best(intoColumns(true));
    return {
      view: workload,
      'events': events,
      'wire decode, no-op visitor (M ev/s)': mEvPerS(events, floor),
      'decode → columns (M ev/s)': mEvPerS(events, columns),
      'via event objects → columns (M ev/s)': mEvPerS(events, objects),
      'visitor speed-up': `${(objects / columns).toFixed(2)}×`,
      'columns vs floor': `${(columns / floor).toFixed(2)}× the time`,
    };
  });
  console.log('\nBlock decoding into view columns (target ≥ 2 M events/s)');
  console.table(rows);
}

async function jitBench(payloadBytes: Record<Workload, number>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'mm-bench-lake-'));
  const metadata = await openMetadataStore({ kind: 'pglite' });
  const objects = openObjectStore(pathToFileURL(join(dir, 'objects')).href);
  const writer = new TelemetryWriter(metadata, objects);
  const lake = await openCatalog({ metadata, objects, instanceSegmentSeconds: 3600 });
  try {
    const proc = await writer.process({ start_ticks: START_TICKS, tsc_frequency: FREQ });
    const instances: Record<Workload, string> = { log_entries: proc.process_id, measures: proc.process_id, thread_spans: '' };
    for (const workload of WORKLOADS) {
      const stream = await writer.stream(proc, [workload === 'log_entries' ? 'log' : workload === 'measures' ? 'metrics' : 'cpu']);
      if (workload === 'thread_spans') instances.thread_spans = stream;
      for (let b = 0; b < BLOCKS; b++) await writer.block(proc, stream, blockEvents(workload, b));
    }
    const events = BLOCKS * EVENTS_PER_BLOCK;
    const rows = [];
    for (const workload of WORKLOADS) {
      let start = performance.now();
      const files = await lake.catalog.partitionsFor(workload, instances[workload], {});
      const coldMs = performance.now() - start;
      // A check is a few milliseconds: the median of several, not one noisy shot.
      const checks: number[] = [];
      for (let i = 0; i < 15; i++) {
        start = performance.now();
        await lake.catalog.partitionsFor(workload, instances[workload], {});
        checks.push(performance.now() - start);
      }
      const warmMs = checks.sort((a, b) => a - b)[7]!;
      const parts = (await lake.catalog.listPartitions()).filter((p) => p.view_set_name === workload && p.view_instance_id === instances[workload]);
      const parquetBytes = parts.reduce((sum, p) => sum + p.file_size, 0);
      const numRows = files.reduce((sum, f) => sum + f.numRows, 0);
      rows.push({
        view: workload,
        events,
        rows: numRows,
        'JIT build (ms)': coldMs.toFixed(0),
        'JIT (M ev/s)': mEvPerS(events, coldMs),
        'up-to-date check, median (ms)': warmMs.toFixed(1),
        'Parquet B/event': (parquetBytes / events).toFixed(2),
        'wire LZ4 B/event': (payloadBytes[workload] / events).toFixed(2),
        'Parquet vs wire': `${(parquetBytes / payloadBytes[workload]).toFixed(2)}×`,
      });
    }
    console.log('\nJIT materialization (PGlite + file://, one process, cold then up to date)');
    console.table(rows);
  } finally {
    await lake.close();
    await metadata.close();
    await rm(dir, { recursive: true, force: true });
  }
}

export async function run(): Promise<void> {
  const payloads = Object.fromEntries(WORKLOADS.map((w) => [w, Array.from({ length: BLOCKS }, (_, b) => encode(blockEvents(w, b)))])) as Record<Workload, BlockPayload[]>;
  const payloadBytes = Object.fromEntries(WORKLOADS.map((w) => [w, payloads[w].reduce((s, p) => s + p.dependencies.byteLength + p.objects.byteLength, 0)])) as Record<Workload, number>;
  decodeBench(payloads);
  await jitBench(payloadBytes);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await run();
