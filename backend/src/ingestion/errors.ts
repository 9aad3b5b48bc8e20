/** A request ingestion refuses; `statusCode` is the HTTP status the client gets with the message. */
export class IngestionRequestError extends Error {
  override name = 'IngestionRequestError';
  constructor(readonly statusCode: number, message: string) {
    super(message);
  }
}

/** The body is not a well-formed envelope: empty, not CBOR, or a field missing or of the wrong type. */
export class BadEnvelopeError extends IngestionRequestError {
  override name = 'BadEnvelopeError';
  constructor(readonly envelope: string, message: string, readonly field?: string) {
    super(400, `${envelope}: ${field === undefined ? '' : `field '${field}' `}${message}`);
  }
}

/** The envelope is well-formed but refers to something ingestion has not recorded. */
export class UnknownReferenceError extends IngestionRequestError {
  override name = 'UnknownReferenceError';
  constructor(message: string) {
    super(422, message);
  }
}

/** Too many request bytes are already being received and processed: retry later (503, Retry-After). */
export class IngestionBusyError extends IngestionRequestError {
  override name = 'IngestionBusyError';
  constructor(readonly inFlightBytes: number, readonly requestBytes: number, readonly maxInFlightBytes: number) {
    super(503, `ingestion is busy: ${inFlightBytes} bytes of request bodies in flight, this one would add ${requestBytes} `
      + `(MICROMEGAS_INGESTION_MAX_INFLIGHT_BYTES=${maxInFlightBytes}); retry later`);
  }
}
