import { IngestionRequestError } from '../errors.js';

/**
 * A request OTLP/HTTP refuses as a whole: the HTTP status, and the google.rpc.Code its Status body
 * carries (OTLP clients go by the HTTP status: 400, 413 and 415 are never retried, 503 is).
 */
export const RpcCode = {
  INVALID_ARGUMENT: 3, PERMISSION_DENIED: 7, RESOURCE_EXHAUSTED: 8, INTERNAL: 13, UNAVAILABLE: 14, UNAUTHENTICATED: 16,
} as const;

export class OtlpRequestError extends IngestionRequestError {
  override name = 'OtlpRequestError';
  constructor(override readonly statusCode: 400 | 413 | 415, message: string, options?: { cause: unknown }) {
    super(statusCode, message);
    if (options) this.cause = options.cause;
  }

  get rpcCode(): number {
    return this.statusCode === 413 ? RpcCode.RESOURCE_EXHAUSTED : RpcCode.INVALID_ARGUMENT;
  }
}
