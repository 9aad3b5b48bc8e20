/**
 * For tests: reads a trace file with Perfetto's own perfetto_trace.proto and rebuilds what its trace
 * processor would, checking the rules it relies on: one trusted sequence whose first packet clears
 * the incremental state, interned ids defined on the sequence before use by packets that say they
 * need it, events on described tracks, and slices as the processor nests them (events sorted by
 * timestamp, stable; an end closes the track's innermost open slice).
 */
import protobuf from 'protobufjs';
import { PROTO_DIR } from '../trace-proto.js';

let official: protobuf.Type | undefined;

/** Perfetto's `Trace` message from its full proto (parsed once: it takes about a second). */
export function officialTraceType(): protobuf.Type {
  official ??= new protobuf.Root().loadSync(`${PROTO_DIR}perfetto_trace.proto`, { keepCase: true }).lookupType('perfetto.protos.Trace');
  return official;
}

type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

export interface ReadProcess { uuid: string; pid: number; name: string; startNs: bigint; labels: string[] }
export interface ReadThread { uuid: string; parent: string; pid: number; tid: number; name: string }
export interface ReadTrack { uuid: string; parent: string; name: string }
export interface ReadSlice {
  track: string;
  name: string;
  category: string;
  file: string;
  line: number;
  beginNs: bigint;
  endNs: bigint;
  /** 0 for a slice with no enclosing slice on its track. */
  depth: number;
  /** Index in `slices` of the enclosing slice. */
  parent?: number;
}

export interface ReadTrace {
  packets: Obj[];
  processes: ReadProcess[];
  threads: ReadThread[];
  tracks: ReadTrack[];
  /** In the order they begin (by timestamp, then position in the file). */
  slices: ReadSlice[];
}

const CLEARED = 1;
const NEEDS = 2;
const BEGIN = 1;
const END = 2;

function fail(index: number, message: string): never {
  throw new Error(`packet ${index}: ${message}`);
}

export function readTrace(bytes: Uint8Array): ReadTrace {
  const Trace = officialTraceType();
  const packets = (Trace.toObject(Trace.decode(bytes), { longs: String, enums: Number, defaults: false }) as Obj)['packet'] as Obj[] ?? [];
  const interned = { names: new Map<string, string>(), categories: new Map<string, string>(), locations: new Map<string, { file: string; line: number }>() };
  let cleared = false;
  const processes: ReadProcess[] = [];
  const threads: ReadThread[] = [];
  const tracks: ReadTrack[] = [];
  const events: { index: number; ts: bigint; event: Obj }[] = [];

  packets.forEach((packet, index) => {
    if (packet['trusted_packet_sequence_id'] !== 1) fail(index, `not on trusted sequence 1: ${packet['trusted_packet_sequence_id']}`);
    const flags = packet['sequence_flags'] ?? 0;
    if (index === 0 && (!(flags & CLEARED) || packet['first_packet_on_sequence'] !== true)) fail(index, 'the first packet does not clear the incremental state');
    if (flags & CLEARED) {
      cleared = true;
      interned.names.clear();
      interned.categories.clear();
      interned.locations.clear();
    }
    const data = packet['interned_data'] as Obj | undefined;
    if (data) {
      if (!(flags & NEEDS) || !cleared) fail(index, 'interned data on a packet without valid incremental state');
      const define = <T>(map: Map<string, T>, iid: string, value: T) => {
        if (map.has(iid) && JSON.stringify(map.get(iid)) !== JSON.stringify(value)) fail(index, `iid ${iid} redefined`);
        map.set(iid, value);
      };
      for (const e of data['event_names'] ?? []) define(interned.names, e['iid'], e['name']);
      for (const e of data['event_categories'] ?? []) define(interned.categories, e['iid'], e['name']);
      for (const e of data['source_locations'] ?? []) define(interned.locations, e['iid'], { file: e['file_name'], line: e['line_number'] });
    }
    const track = packet['track_descriptor'] as Obj | undefined;
    if (track) {
      const uuid = String(track['uuid']);
      if ([...processes, ...threads, ...tracks].some((t) => t.uuid === uuid)) fail(index, `track ${uuid} described twice`);
      if (track['process']) {
        const p = track['process'];
        processes.push({ uuid, pid: p['pid'], name: p['process_name'], startNs: BigInt(p['start_timestamp_ns'] ?? 0), labels: p['process_labels'] ?? [] });
      } else if (track['thread']) {
        const t = track['thread'];
        threads.push({ uuid, parent: String(track['parent_uuid']), pid: t['pid'], tid: Number(t['tid']), name: t['thread_name'] });
      } else {
        tracks.push({ uuid, parent: String(track['parent_uuid']), name: track['name'] });
      }
    }
    const event = packet['track_event'] as Obj | undefined;
    if (event) {
      if (packet['timestamp'] === undefined) fail(index, 'track event without a timestamp');
      const usesIids = event['name_iid'] !== undefined || (event['category_iids'] ?? []).length > 0 || event['source_location_iid'] !== undefined;
      if (usesIids && (!(flags & NEEDS) || !cleared)) fail(index, 'interned ids used without SEQ_NEEDS_INCREMENTAL_STATE');
      // Resolved now: what the sequence has interned up to this packet.
      const resolved = { ...event };
      if (event['type'] === BEGIN) {
        const name = interned.names.get(event['name_iid']);
        const category = interned.categories.get((event['category_iids'] ?? [])[0]);
        const location = interned.locations.get(event['source_location_iid']);
        if (name === undefined || category === undefined || location === undefined) fail(index, 'slice begin with an undefined iid');
        Object.assign(resolved, { name, category, location });
      }
      events.push({ index, ts: BigInt(packet['timestamp']), event: resolved });
    }
  });

  const described = new Set([...processes, ...threads, ...tracks].map((t) => t.uuid));
  events.sort((a, b) => (a.ts < b.ts ? -1 : a.ts > b.ts ? 1 : a.index - b.index));
  const slices: ReadSlice[] = [];
  const open = new Map<string, number[]>();
  for (const { index, ts, event } of events) {
    const track = String(event['track_uuid']);
    if (!described.has(track)) fail(index, `event on undescribed track ${track}`);
    const stack = open.get(track) ?? [];
    open.set(track, stack);
    if (event['type'] === BEGIN) {
      const parent = stack.at(-1);
      slices.push({
        track, name: event['name'], category: event['category'], file: event['location'].file, line: event['location'].line,
        beginNs: ts, endNs: -1n, depth: stack.length, ...(parent === undefined ? {} : { parent }),
      });
      stack.push(slices.length - 1);
    } else if (event['type'] === END) {
      const innermost = stack.pop();
      if (innermost === undefined) fail(index, `end without an open slice on track ${track}`);
      slices[innermost]!.endNs = ts;
    } else {
      fail(index, `unexpected event type ${event['type']}`);
    }
  }
  for (const [track, stack] of open) if (stack.length > 0) throw new Error(`${stack.length} slice(s) never end on track ${track}`);
  return { packets, processes, threads, tracks, slices };
}
