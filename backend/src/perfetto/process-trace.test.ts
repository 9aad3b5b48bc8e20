import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { writeProcessTrace, type AsyncSpan, type SpanTypes, type ThreadSpan, type TraceProcess, type TraceSource, type TraceThread } from './process-trace.js';
import { PerfettoWriter } from './trace-writer.js';
import { officialTraceType, readTrace, type ReadSlice } from './testing/trace-reader.js';

const T = 1_767_225_600_000_000_000n; // 2026-01-01T00:00:00Z in ns
const PROCESS: TraceProcess = { processId: 'b7c1e3a0-0000-4000-8000-000000000001', exe: 'game', startTimeNs: T - 5n, properties: { version: '1.2', pid: '4242' } };

const span = (id: number, parent: number, begin: number, end: number, name: string): ThreadSpan =>
  ({ id: BigInt(id), parent: BigInt(parent), beginNs: T + BigInt(begin), endNs: T + BigInt(end), name, target: `mod.${name}`, filename: `${name}.ts`, line: id });

async function* each<T>(items: readonly T[]): AsyncIterable<T> {
  yield* items;
}

function source(threads: { thread: TraceThread; spans: ThreadSpan[] }[], asyncSpans: AsyncSpan[] = []): TraceSource {
  return {
    threads: async () => threads.map((t) => t.thread),
    threadSpans: (streamId) => each(threads.find((t) => t.thread.streamId === streamId)!.spans),
    asyncSpans: () => each(asyncSpans),
  };
}

async function trace(src: TraceSource, spanTypes: SpanTypes = 'both'): Promise<{ bytes: Uint8Array; chunks: Uint8Array[] }> {
  const chunks: Uint8Array[] = [];
  await writeProcessTrace(new PerfettoWriter((chunk) => chunks.push(chunk)), PROCESS, src, spanTypes);
  return { bytes: Buffer.concat(chunks), chunks };
}

/** A slice as `name@begin-end`, relative to T, with its enclosing slice's name. */
const shape = (slices: ReadSlice[], track: string) => slices.filter((s) => s.track === track)
  .map((s) => `${s.name}@${s.beginNs - T}-${s.endNs - T}${s.parent === undefined ? '' : ` in ${slices[s.parent]!.name}`}`);

describe('Perfetto trace of a process', () => {
  // main: frame [0,100] > update [0,40] > physics [10,40]; render [40,100] (begins as update ends);
  //       flush [100,100] (zero-length, in frame at its very end); the next frame [100,150].
  const main = [
    span(1, 0, 0, 100, 'frame'), span(2, 1, 0, 40, 'update'), span(3, 2, 10, 40, 'physics'), span(4, 1, 40, 100, 'render'),
    span(5, 1, 100, 100, 'flush'), span(6, 0, 100, 150, 'frame'),
    // Its parent began before the range (not exported): it starts a tree of its own.
    span(9, 8, 160, 170, 'orphan'),
  ];
  const worker = [span(1, 0, 5, 25, 'job'), span(2, 1, 5, 25, 'decode')];
  const threads = [
    { thread: { streamId: 's-main', threadId: '0', threadName: 'main' }, spans: main },
    { thread: { streamId: 's-worker', threadId: '3', threadName: 'worker-3' }, spans: worker },
  ];

  it('has a process track, a thread track per thread stream, and spans nested as recorded, to the nanosecond', async () => {
    const read = readTrace((await trace(source(threads), 'thread')).bytes);
    assert.equal(read.processes.length, 1);
    const [proc] = read.processes;
    assert.deepEqual({ ...proc!, uuid: undefined }, { uuid: undefined, pid: 4242, name: 'game', startNs: T - 5n, labels: ['version=1.2', 'pid=4242'] });
    assert.deepEqual(read.threads.map(({ pid, tid, name, parent }) => ({ pid, tid, name, parent })), [
      { pid: 4242, tid: 4242, name: 'main', parent: proc!.uuid },
      { pid: 4242, tid: 4245, name: 'worker-3', parent: proc!.uuid },
    ]);
    assert.deepEqual(shape(read.slices, read.threads[0]!.uuid), [
      'frame@0-100', 'update@0-40 in frame', 'physics@10-40 in update', 'render@40-100 in frame', 'flush@100-100 in frame',
      'frame@100-150', 'orphan@160-170',
    ]);
    assert.deepEqual(shape(read.slices, read.threads[1]!.uuid), ['job@5-25', 'decode@5-25 in job']);
    const physics = read.slices.find((s) => s.name === 'physics')!;
    assert.deepEqual([physics.category, physics.file, physics.line, physics.depth], ['mod.physics', 'physics.ts', 3, 2]);
    assert.equal(read.tracks.length, 0, 'no async track when only thread spans are asked for');
  });

  it('interns each name, category and source location once on the sequence', async () => {
    const read = readTrace((await trace(source(threads), 'thread')).bytes);
    const defined = read.packets.flatMap((p) => p['interned_data']?.['event_names'] ?? []).map((e: { name: string }) => e.name);
    assert.deepEqual(defined, ['frame', 'update', 'physics', 'render', 'flush', 'orphan', 'job', 'decode']);
    assert.equal(read.packets.filter((p) => (p['sequence_flags'] ?? 0) & 1).length, 1, 'incremental state cleared once, first');
  });

  it('lays async spans on lanes where a slice only ever encloses its own children', async () => {
    const a = (id: number, parent: number, begin: number, end: number, name: string): AsyncSpan => span(id, parent, begin, end, name);
    const spans = [
      a(1, 0, 0, 100, 'request'), a(2, 1, 10, 50, 'db'), a(3, 1, 20, 60, 'cache'), a(4, 0, 30, 40, 'tick'),
      a(5, 2, 15, 45, 'query'), a(6, 0, 50, 70, 'request'), a(7, 6, 60, 90, 'unawaited'), a(8, 0, 100, 120, 'later'),
    ];
    const read = readTrace((await trace(source([], spans), 'async')).bytes);
    assert.equal(read.threads.length, 0);
    assert.ok(read.tracks.length >= 2 && read.tracks.every((t) => t.name === 'async' && t.parent === read.processes[0]!.uuid));
    const parentName = new Map(spans.map((s) => [s.name + (s.beginNs - T), spans.find((p) => p.id === s.parent)?.name]));
    for (const slice of read.slices) {
      if (slice.parent === undefined) continue;
      assert.equal(read.slices[slice.parent]!.name, parentName.get(slice.name + (slice.beginNs - T)), `${slice.name} only nests in its parent`);
    }
    const all = read.slices.map((s) => `${s.name}@${s.beginNs - T}-${s.endNs - T}`).sort();
    assert.deepEqual(all, spans.map((s) => `${s.name}@${s.beginNs - T}-${s.endNs - T}`).sort(), 'every span, exactly');
    assert.equal(read.slices.filter((s) => s.parent !== undefined).length, 2, 'db in request, query in db');
  });

  it('cuts a long trace into chunks that each decode as a Trace and concatenate into the whole', async () => {
    const many = Array.from({ length: 3000 }, (_, i) => span(i + 1, 0, i * 10, i * 10 + 5, `s${i % 7}`));
    const { bytes, chunks } = await trace(source([{ thread: { streamId: 's', threadName: 'main', threadId: '0' }, spans: many }]), 'both');
    assert.ok(chunks.length > 1);
    const Trace = officialTraceType();
    const perChunk = chunks.map((c) => (Trace.decode(c) as unknown as { packet: unknown[] }).packet.length);
    assert.equal(perChunk.reduce((x, y) => x + y), 2 + 3000 * 2);
    assert.equal(readTrace(bytes).slices.length, 3000);
  });
});
