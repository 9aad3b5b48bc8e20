import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { SpanDescriptor } from '@micromegas/wire';
import { Dimensions } from './dimensions.js';
import type { SourceProcess } from './sources.js';
import { ThreadSpansBuilder, type CarriedSpan } from './thread-spans.js';

const PROCESS: SourceProcess = {
  process_id: 'p1', exe: 'game', username: 'u', computer: 'c',
  start_time_ns: 1_700_000_000_000_000_000n, start_ticks: 0, tsc_frequency: 1_000_000_000, properties_json: '[]',
};
const STREAM = 's1';
const desc = (name: string): SpanDescriptor => ({ name, target: 'game::loop', filename: 'src/game.ts', line: 1 });
const FRAME = desc('frame');
const UPDATE = desc('update');
const PHYSICS = desc('physics');
const RENDER = desc('render');

type Event = ['begin' | 'end', number, SpanDescriptor];
interface Row { id: number; parent: number; depth: number; name: string }

/** One partition: a builder over `blocks` (events of consecutive blocks), its rows by end and what it carries out. */
function partition(blocks: Event[][], firstOffset: number, carried: CarriedSpan[]): { rows: Row[]; carry: CarriedSpan[] } {
  const dims = new Dimensions();
  const process = dims.addProcess(PROCESS);
  const builder = new ThreadSpansBuilder(dims, process, STREAM, carried);
  let offset = firstOffset;
  for (const [i, events] of blocks.entries()) {
    builder.beginBlock(dims.beginBlock({
      block_id: `b${offset}`, stream_id: STREAM, process_id: PROCESS.process_id, begin_ticks: events[0]![1],
      object_offset: offset, nb_objects: events.length, insert_time_us: BigInt(i),
    }));
    for (const [kind, ticks, d] of events) {
      if (kind === 'begin') builder.spanBegin(ticks, d);
      else builder.spanEnd(ticks, d);
    }
    offset += events.length;
  }
  const facts = builder.stage().find((t) => t.name === 'mm_span_facts')!;
  const column = (name: string) => Array.from(facts.columns.find((c) => c.name === name)!.values as ArrayLike<number>);
  const [ids, parents, depths, descs] = ['id', 'parent', 'depth', 'desc'].map(column);
  const rows = ids!.map((id, i) => ({ id, parent: parents![i]!, depth: depths![i]!, name: builder.descs.get(descs![i]!).name }));
  return { rows, carry: builder.carryOut() };
}

// frame > (update > physics), render; then a second frame. Ids: 1 + index of the begin event.
const BLOCK_1: Event[] = [['begin', 100, FRAME], ['begin', 110, UPDATE], ['begin', 120, PHYSICS]];
const BLOCK_2: Event[] = [['end', 130, PHYSICS], ['end', 150, UPDATE], ['begin', 160, RENDER]];
const BLOCK_3: Event[] = [['end', 190, RENDER], ['end', 200, FRAME], ['begin', 210, FRAME], ['end', 220, FRAME]];
const EXPECTED: Row[] = [
  { id: 3, parent: 2, depth: 3, name: 'physics' },
  { id: 2, parent: 1, depth: 2, name: 'update' },
  { id: 6, parent: 1, depth: 2, name: 'render' },
  { id: 1, parent: 0, depth: 1, name: 'frame' },
  { id: 9, parent: 0, depth: 1, name: 'frame' },
];

describe('ThreadSpansBuilder depth', () => {
  it('puts top-level spans at depth 1 with parent 0 (the thread root, never a span id) and children one deeper', () => {
    const { rows, carry } = partition([BLOCK_1, BLOCK_2, BLOCK_3], 0, []);
    assert.deepEqual(rows, EXPECTED);
    assert.ok(rows.every((r) => r.id >= 1));
    assert.deepEqual(carry, []);
  });

  it('gives spans carried across partitions, and the spans opened under them, the same depths', () => {
    const first = partition([BLOCK_1], 0, []);
    assert.deepEqual(first.rows, []);
    assert.deepEqual(first.carry.map((s) => [s.id, s.name]), [[1, 'frame'], [2, 'update'], [3, 'physics']]);
    const second = partition([BLOCK_2], BLOCK_1.length, first.carry);
    assert.deepEqual(second.carry.map((s) => [s.id, s.name]), [[1, 'frame'], [6, 'render']]);
    const third = partition([BLOCK_3], BLOCK_1.length + BLOCK_2.length, second.carry);
    assert.deepEqual([...first.rows, ...second.rows, ...third.rows], EXPECTED);
  });

  it('carries exact begin times: a carried top-level span keeps its begin', () => {
    const first = partition([BLOCK_1], 0, []);
    const frame = first.carry[0]!;
    assert.equal(frame.begin_ns, (PROCESS.start_time_ns + 100n).toString());
  });
});
