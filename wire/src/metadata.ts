/**
 * Stream metadata: which layout a stream's block payloads use. Written once per stream into
 * StreamInfo.objects_metadata / dependencies_metadata as CBOR `{format, version}`.
 */
import { encodeCbor, decodeCbor } from './cbor.js';
import { WireFormatError } from './errors.js';
import { DEPENDENCIES_FORMAT, FORMAT_VERSION, OBJECTS_FORMAT } from './format.js';

export interface FormatMetadata {
  format: string;
  version: number;
}

export function objectsMetadata(): Buffer {
  return encodeCbor({ format: OBJECTS_FORMAT, version: FORMAT_VERSION } satisfies FormatMetadata);
}

export function dependenciesMetadata(): Buffer {
  return encodeCbor({ format: DEPENDENCIES_FORMAT, version: FORMAT_VERSION } satisfies FormatMetadata);
}

/** Throws unless `bytes` describe a payload layout this reader can decode. */
export function checkObjectsMetadata(bytes: Uint8Array, stream_id?: string): FormatMetadata {
  const context = stream_id === undefined ? {} : { stream_id };
  const meta = decodeCbor(bytes, context) as Partial<FormatMetadata> | null;
  if (meta?.format !== OBJECTS_FORMAT || meta.version !== FORMAT_VERSION) {
    throw new WireFormatError(
      `stream objects_metadata ${JSON.stringify(meta)} is not ${OBJECTS_FORMAT} v${FORMAT_VERSION}`,
      'metadata', undefined, context,
    );
  }
  return meta as FormatMetadata;
}
