/** Where in a block a decoding problem was found, so a bad block can be traced to its source. */
export interface BlockContext {
  block_id?: string;
  stream_id?: string;
  process_id?: string;
}

/** Any malformed input to the wire codecs: bad CBOR, bad LZ4, or a record that breaks the layout. */
export class WireFormatError extends Error {
  override name = 'WireFormatError';
  constructor(
    message: string,
    /** `dependencies`, `objects`, or `envelope`. */
    readonly section: string,
    /** Byte offset within the decompressed section, when known. */
    readonly offset: number | undefined,
    readonly context: BlockContext = {},
  ) {
    super(describe(message, section, offset, context));
  }
}

function describe(message: string, section: string, offset: number | undefined, context: BlockContext): string {
  const where = [
    context.block_id && `block ${context.block_id}`,
    context.stream_id && `stream ${context.stream_id}`,
    section,
    offset !== undefined && `offset ${offset}`,
  ].filter(Boolean);
  return `${message} (${where.join(', ')})`;
}
