/** The FlightSQL connection of the client verbs (query, perfetto): --url and --api-key, or the environment. */
import { FlightSQLClient } from '@micromegas/flightsql-client';
import { UsageError } from '../command.js';

export const DEFAULT_FLIGHTSQL_URL = 'grpc://127.0.0.1:50051';

export const CONNECT_USAGE = `--url defaults to $MICROMEGAS_FLIGHTSQL_URL or ${DEFAULT_FLIGHTSQL_URL}, --api-key to $MICROMEGAS_API_KEY`;

export const CONNECT_OPTIONS = {
  url: { type: 'string' },
  'api-key': { type: 'string' },
} as const;

export function connect(values: { url?: string | undefined; 'api-key'?: string | undefined }): FlightSQLClient {
  const url = values.url ?? process.env.MICROMEGAS_FLIGHTSQL_URL ?? DEFAULT_FLIGHTSQL_URL;
  const token = values['api-key'] ?? process.env.MICROMEGAS_API_KEY;
  try {
    return new FlightSQLClient({ url, ...(token ? { token } : {}) });
  } catch (err) {
    throw new UsageError(`--url '${url}': ${(err as Error).message}`);
  }
}
