import { status, type ServiceError } from '@grpc/grpc-js';

/** A failed FlightSQL call: `code` is the gRPC status, `message` the server's own words. */
export class FlightSQLError extends Error {
  override name = 'FlightSQLError';

  constructor(readonly code: status, message: string, readonly rpc: string, options?: { cause?: unknown }) {
    super(message, options);
  }

  get codeName(): string {
    return status[this.code] ?? String(this.code);
  }

  /** The call was given up by the caller (its AbortSignal) before it was made. */
  static cancelled(rpc: string): FlightSQLError {
    return new FlightSQLError(status.CANCELLED, 'Cancelled on client', rpc);
  }

  static from(rpc: string, err: unknown): FlightSQLError {
    if (err instanceof FlightSQLError) return err;
    const grpcError = err as Partial<ServiceError>;
    if (typeof grpcError.code === 'number') {
      return new FlightSQLError(grpcError.code, grpcError.details || grpcError.message || 'unknown error', rpc, { cause: err });
    }
    return new FlightSQLError(status.INTERNAL, err instanceof Error ? err.message : String(err), rpc, { cause: err });
  }
}
