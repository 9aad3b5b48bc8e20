import type { ServiceContext } from './context.js';

/** One capability of the backend (ingestion, flightsql, …), started on its own listener. */
export interface Role {
  readonly name: string;
  readonly summary: string;
  start(context: ServiceContext): Promise<RunningRole>;
}

export interface RunningRole {
  readonly name: string;
  /** Where it listens, e.g. http://127.0.0.1:9000 or grpc://127.0.0.1:50051. */
  readonly url: string;
  /** Stops accepting work and waits for what is in flight. */
  stop(): Promise<void>;
}
