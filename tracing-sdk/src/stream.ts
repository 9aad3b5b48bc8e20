/** One telemetry stream of this thread: its StreamInfo and the buffer its events go to. */
import { randomUUID } from 'node:crypto';
import { dependenciesMetadata, objectsMetadata, type Properties, type StreamInfo } from '@micromegas/wire';
import type { EventBuffer } from './event-buffer.js';

export function streamInfo(processId: string, tags: string[], properties: Properties): StreamInfo {
  return {
    stream_id: randomUUID(),
    process_id: processId,
    dependencies_metadata: dependenciesMetadata(),
    objects_metadata: objectsMetadata(),
    tags,
    properties,
  };
}

export interface Stream {
  /** Position in the runtime's streams (log, metrics, cpu), as the slab header names it. */
  readonly index: number;
  readonly info: StreamInfo;
  readonly buffer: EventBuffer;
}
