/**
 * Records accepted OTLP blocks as the SDK's are recorded: the process and stream rows first (once
 * each, remembered), the payload in a pack, then the block row that makes it visible. Every row is
 * written idempotently (same ids, ON CONFLICT DO NOTHING), so a resent request, or one retried after
 * a storage failure part-way, records each block exactly once (a resent payload is only bytes of a
 * pack that no row refers to).
 */
import type { MetadataStore } from '../../lake/metadata/store.js';
import type { ObjectStore } from '../../lake/object-store/store.js';
import { insertProcess, insertStream, UnknownProcessError, UnknownStreamError } from '../../lake/telemetry/write.js';
import type { BlockRecord } from '../../lake/telemetry/records.js';
import { encodeOtlpPayload, otlpFormat } from '../../lake/otlp/payload.js';
import { signals, type Signal } from '../../lake/otlp/schema.js';
import { RecentIds } from '../recent-ids.js';
import { BlockWriter } from '../block-writer.js';
import { stampUnsetTimes, type AcceptedBlock } from './accept.js';
import { blockIdOf, processRecordOf, streamIdOf } from './identity.js';

/** Stream tags, as micromegas names them: log_entries reads 'log' streams, measures 'metrics', otel_spans 'trace'. */
export const STREAM_TAGS: Record<Signal, string> = { logs: 'log', metrics: 'metrics', traces: 'trace' };

/** Processes and streams remembered as recorded: far more than send at once. */
const KNOWN_IDS = 100_000;

export class OtlpStorage {
  readonly #known = new RecentIds<true>(KNOWN_IDS);
  readonly #blocks: BlockWriter;

  constructor(private readonly metadata: MetadataStore, objects: ObjectStore) {
    this.#blocks = new BlockWriter(metadata, objects);
  }

  async store(signal: Signal, block: AcceptedBlock, receivedNs: bigint): Promise<void> {
    const type = signals[signal].request;
    const streamId = streamIdOf(block.processId, signal);
    let data = type.encode(block.request).finish();
    // The id comes from the request as sent, so that a resend finds the block whatever time it is stamped with.
    const blockId = blockIdOf(streamId, data);
    if (block.unsetTimes.length > 0) {
      stampUnsetTimes(block.unsetTimes, receivedNs);
      data = type.encode(block.request).finish();
    }
    const payload = encodeOtlpPayload({ signal, data });
    const record: Omit<BlockRecord, 'payload'> = {
      block_id: blockId, stream_id: streamId, process_id: block.processId, begin_time_ns: block.beginNs, begin_ticks: block.beginNs,
      end_time_ns: block.endNs, end_ticks: block.endNs, nb_objects: block.items, object_offset: 0,
    };
    try {
      await this.#record(signal, block, record, payload);
    } catch (err) {
      if (!(err instanceof UnknownProcessError || err instanceof UnknownStreamError)) throw err;
      // A remembered row is gone (retention deleted an idle process): record it again, once.
      this.#known.forget(block.processId);
      this.#known.forget(streamId);
      await this.#record(signal, block, record, payload);
    }
  }

  async #record(signal: Signal, block: AcceptedBlock, record: Omit<BlockRecord, 'payload'>, payload: Uint8Array): Promise<void> {
    const { process_id: processId, stream_id: streamId } = record;
    if (this.#known.get(processId) === undefined) {
      await insertProcess(this.metadata, processRecordOf(processId, block.resource, block.beginNs));
      this.#known.remember(processId, true);
    }
    if (this.#known.get(streamId) === undefined) {
      await insertStream(this.metadata, {
        stream_id: streamId, process_id: processId, dependencies_metadata: new Uint8Array(), objects_metadata: new Uint8Array(),
        tags: [STREAM_TAGS[signal]], properties: [{ key: 'format', value: otlpFormat(signal) }],
      });
      this.#known.remember(streamId, true);
    }
    // A block already recorded is this very request sent again (its id hashes the request): keep the first.
    await this.#blocks.write(record, payload);
  }
}
