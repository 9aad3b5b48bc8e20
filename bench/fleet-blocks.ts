/**
 * One simulated game process's blocks at SDK defaults: every second, one block per stream (thread:
 * 60 frames of 6 nested spans; metrics: 3 measures a frame; log: a few lines). Payloads are encoded
 * once, with ticks counted from 0; a block of second k only rewrites the section's base tick (the
 * events are tick deltas from it) and recompresses, so the client costs microseconds a block while
 * every event keeps a real timestamp.
 */
import { randomUUID } from 'node:crypto';
import {
  BlockEncoder, ByteWriter, compressSection, dependenciesMetadata, encodeCbor, FORMAT_VERSION, Level, objectsMetadata,
  uncompressSection, type MetricDescriptor, type ProcessInfo, type SpanDescriptor, type StreamInfo,
} from '@micromegas/wire';

const NS_PER_S = 1_000_000_000;
const FRAMES = 60;
const VARIANTS = 8;

export type StreamKind = 'thread' | 'metrics' | 'log';
export const STREAM_KINDS: readonly StreamKind[] = ['thread', 'metrics', 'log'];
const TAGS: Record<StreamKind, string[]> = { thread: ['cpu'], metrics: ['metrics'], log: ['log'] };

const spans: SpanDescriptor[] = ['frame', 'update', 'physics', 'ai', 'render', 'present']
  .map((name, line) => ({ name, target: 'game::loop', filename: 'game.ts', line: 10 + line }));
const measures: MetricDescriptor[] = [
  { name: 'frame_time', unit: 'ms', target: 'game::loop' },
  { name: 'entities', unit: 'count', target: 'game::world' },
  { name: 'draw_calls', unit: 'count', target: 'game::render' },
];
const FRAME_NS = NS_PER_S / FRAMES;

function thread(variant: number, encoder: BlockEncoder): void {
  for (let f = 0; f < FRAMES; f++) {
    let t = f * FRAME_NS;
    encoder.spanBegin(t, spans[0]!);
    encoder.spanBegin(t += 1000, spans[1]!);
    for (const child of [spans[2]!, spans[3]!]) {
      encoder.spanBegin(t += 2000, child);
      encoder.spanEnd(t += 500_000 + ((f * 7919 + variant * 104_729) % 1_500_000), child);
    }
    encoder.spanEnd(t += 1000, spans[1]!);
    for (const child of [spans[4]!, spans[5]!]) {
      encoder.spanBegin(t += 2000, child);
      encoder.spanEnd(t += 1_000_000 + ((f * 6007 + variant) % 2_000_000), child);
    }
    encoder.spanEnd(t + 1000, spans[0]!);
  }
}

function metrics(variant: number, encoder: BlockEncoder): void {
  for (let f = 0; f < FRAMES; f++) {
    const t = f * FRAME_NS + FRAME_NS - 1000;
    encoder.floatMeasure(t, measures[0]!, 12 + ((f * 31 + variant * 17) % 80) / 10);
    encoder.intMeasure(t, measures[1]!, 1000 + variant * 10 + f);
    encoder.intMeasure(t, measures[2]!, 300 + ((f * 13) % 50));
  }
}

/** Three lines a second; one process in eight logs an error each second, another a warning. */
function logs(variant: number, encoder: BlockEncoder): void {
  encoder.log(100_000_000, Level.Info, 'game::net', `tick ${variant}: 24 players, 3 packets dropped`);
  encoder.log(500_000_000, Level.Debug, 'game::assets', `streamed chunk ${variant * 37} (412 kB)`);
  const level = variant === 0 ? Level.Error : variant === 1 ? Level.Warn : Level.Info;
  encoder.log(900_000_000, level, 'game::loop', variant === 0 ? 'frame budget exceeded: 41 ms' : `frame ${variant} ok`);
}

const FILL: Record<StreamKind, (variant: number, encoder: BlockEncoder) => void> = { thread, metrics, log: logs };

/** A payload with base tick 0: the objects section without its header, ready for another base. */
interface Template {
  objectsBody: Buffer;
  dependencies: Uint8Array;
  events: number;
}

function template(kind: StreamKind, variant: number): Template {
  const encoder = new BlockEncoder(0);
  FILL[kind](variant, encoder);
  const events = encoder.count;
  const payload = encoder.finish();
  // The header is the format version and zigzag(0): two bytes.
  const objectsBody = uncompressSection(payload.objects, 'objects').subarray(2);
  return { objectsBody: Buffer.from(objectsBody), dependencies: payload.dependencies, events };
}

export const TEMPLATES: Record<StreamKind, Template[]> = Object.fromEntries(STREAM_KINDS.map(
  (kind) => [kind, Array.from({ length: VARIANTS }, (_, v) => template(kind, v))],
)) as Record<StreamKind, Template[]>;

/** Events a simulated process sends each second. */
export const EVENTS_PER_PROCESS_SECOND = STREAM_KINDS.reduce((n, kind) => n + TEMPLATES[kind][0]!.events, 0);

function rfc3339(ms: number): string {
  return new Date(ms).toISOString().replace('Z', '000000Z');
}

/** A simulated process: its envelopes, and one block per stream for each second since its start. */
export class SimulatedProcess {
  readonly process: ProcessInfo;
  readonly streams: StreamInfo[];
  readonly #offsets = [0, 0, 0];

  constructor(readonly index: number, readonly startMs: number) {
    this.process = {
      process_id: randomUUID(), exe: 'game-server', username: 'fleet', realname: 'fleet', computer: `host-${index % 50}`,
      distro: 'linux', cpu_brand: 'bench', tsc_frequency: NS_PER_S, start_time: rfc3339(startMs), start_ticks: 0,
      parent_process_id: '', properties: { region: `r${index % 4}` },
    };
    this.streams = STREAM_KINDS.map((kind) => ({
      stream_id: randomUUID(), process_id: this.process.process_id, tags: TAGS[kind],
      objects_metadata: objectsMetadata(), dependencies_metadata: dependenciesMetadata(),
      properties: kind === 'thread' ? { 'thread-name': 'main' } : {} as Record<string, string>,
    }));
  }

  /** The CBOR bodies of the blocks of second `k` after start (one per stream) and their events. */
  blocksOf(k: number): { body: Buffer; events: number }[] {
    return STREAM_KINDS.map((kind, s) => {
      const t = TEMPLATES[kind][(this.index + k) % VARIANTS]!;
      const header = new ByteWriter(16);
      header.u8(FORMAT_VERSION);
      header.zigzag(k * NS_PER_S);
      const objects = compressSection(Buffer.concat([header.view(), t.objectsBody]));
      const body = encodeCbor({
        block_id: randomUUID(), stream_id: this.streams[s]!.stream_id, process_id: this.process.process_id,
        begin_time: rfc3339(this.startMs + k * 1000), begin_ticks: k * NS_PER_S,
        end_time: rfc3339(this.startMs + (k + 1) * 1000), end_ticks: (k + 1) * NS_PER_S,
        payload: { objects, dependencies: t.dependencies }, object_offset: this.#offsets[s]!, nb_objects: t.events,
      });
      this.#offsets[s]! += t.events;
      return { body, events: t.events };
    });
  }
}
