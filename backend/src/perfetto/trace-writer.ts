/**
 * Writes a Perfetto trace as a stream of chunks: track descriptors and slice begin/end events, on
 * one packet sequence whose first packet clears the incremental state, with event names, categories
 * (our targets) and source locations interned on first use, as Perfetto's SDK does.
 */
import {
  encodeTrace, u64, SEQ_INCREMENTAL_STATE_CLEARED, SEQ_NEEDS_INCREMENTAL_STATE, TYPE_SLICE_BEGIN, TYPE_SLICE_END,
  type InternedData, type TracePacket, type TrackDescriptor, type U64,
} from './trace-proto.js';

/** Packets per chunk: a chunk is some tens of KB, a row of perfetto_trace_chunks(). */
const PACKETS_PER_CHUNK = 2048;
/** The one sequence every packet is on (a trace file's writer is its only producer). */
export const SEQUENCE_ID = 1;

/** What a slice shows: its name, category (target) and source location. */
export interface SliceInfo {
  name: string;
  target: string;
  filename: string;
  line: number;
}

/** Strings (or locations) to interning ids, from 1, and what is new since the last packet. */
class Interner {
  readonly #ids = new Map<string, number>();

  /** The id of `key`, and whether this is its first use (it must then be sent). */
  id(key: string): { iid: number; fresh: boolean } {
    const known = this.#ids.get(key);
    if (known !== undefined) return { iid: known, fresh: false };
    const iid = this.#ids.size + 1;
    this.#ids.set(key, iid);
    return { iid, fresh: true };
  }
}

export class PerfettoWriter {
  #packets: TracePacket[] = [];
  #first = true;
  readonly #names = new Interner();
  readonly #categories = new Interner();
  readonly #locations = new Interner();

  /** `sink` receives each chunk: concatenated in order, they are the trace file. */
  constructor(private readonly sink: (chunk: Uint8Array) => void) {}

  track(descriptor: TrackDescriptor): void {
    this.#push({ trusted_packet_sequence_id: SEQUENCE_ID, track_descriptor: descriptor });
  }

  begin(track: U64, timeNs: bigint, slice: SliceInfo): void {
    const interned: InternedData = {};
    const name = this.#names.id(slice.name);
    if (name.fresh) interned.event_names = [{ iid: name.iid, name: slice.name }];
    const category = this.#categories.id(slice.target);
    if (category.fresh) interned.event_categories = [{ iid: category.iid, name: slice.target }];
    const location = this.#locations.id(`${slice.line}:${slice.filename}`);
    if (location.fresh) interned.source_locations = [{ iid: location.iid, file_name: slice.filename, line_number: slice.line }];
    this.#push({
      timestamp: u64(timeNs),
      trusted_packet_sequence_id: SEQUENCE_ID,
      sequence_flags: SEQ_NEEDS_INCREMENTAL_STATE,
      ...(name.fresh || category.fresh || location.fresh ? { interned_data: interned } : {}),
      track_event: {
        type: TYPE_SLICE_BEGIN, track_uuid: track, name_iid: name.iid, category_iids: [category.iid], source_location_iid: location.iid,
      },
    });
  }

  /** Ends the innermost open slice of `track`. */
  end(track: U64, timeNs: bigint): void {
    this.#push({
      timestamp: u64(timeNs),
      trusted_packet_sequence_id: SEQUENCE_ID,
      sequence_flags: SEQ_NEEDS_INCREMENTAL_STATE,
      track_event: { type: TYPE_SLICE_END, track_uuid: track },
    });
  }

  /** Sends what is buffered; the trace is complete once the last packet was written. */
  flush(): void {
    if (this.#packets.length === 0) return;
    const packets = this.#packets;
    this.#packets = [];
    this.sink(encodeTrace(packets));
  }

  #push(packet: TracePacket): void {
    if (this.#first) {
      // The sequence starts here: whatever a reader held for it before is void, interning starts over.
      packet.sequence_flags = SEQ_INCREMENTAL_STATE_CLEARED | SEQ_NEEDS_INCREMENTAL_STATE;
      packet.first_packet_on_sequence = true;
      this.#first = false;
    }
    this.#packets.push(packet);
    if (this.#packets.length >= PACKETS_PER_CHUNK) this.flush();
  }
}
