// SqlEngine over @micromegas/flightsql-client.
import { status } from '@grpc/grpc-js';
import { FlightSQLClient, FlightSQLError } from '@micromegas/flightsql-client';
import { DownstreamError, type ConnectionSettings, type EngineFactory, type SqlEngine } from './engine.js';

// FlightSQL SqlInfo ids (FlightSql.proto): FLIGHT_SQL_SERVER_NAME, FLIGHT_SQL_SERVER_VERSION.
const SERVER_NAME = 0;
const SERVER_VERSION = 1;

/** gRPC status → HTTP status, as grpc-gateway maps them; anything else is the server's 500. */
const HTTP_STATUS: Partial<Record<status, number>> = {
  [status.INVALID_ARGUMENT]: 400,
  [status.OUT_OF_RANGE]: 400,
  [status.FAILED_PRECONDITION]: 400,
  [status.UNAUTHENTICATED]: 401,
  [status.PERMISSION_DENIED]: 403,
  [status.NOT_FOUND]: 404,
  [status.RESOURCE_EXHAUSTED]: 429,
  [status.UNIMPLEMENTED]: 501,
  [status.UNAVAILABLE]: 502,
  [status.DEADLINE_EXCEEDED]: 504,
};

function downstream(e: unknown): never {
  if (e instanceof FlightSQLError) {
    throw new DownstreamError(HTTP_STATUS[e.code] ?? 500, `${e.codeName}: ${e.message}`, { cause: e });
  }
  throw e;
}

export const createFlightSqlEngine: EngineFactory = (settings: ConnectionSettings): SqlEngine => {
  const client = new FlightSQLClient({
    url: `${settings.tls ? 'grpc+tls' : 'grpc'}://${settings.address}`,
    ...(settings.apiKey ? { token: settings.apiKey } : {}),
  });
  return {
    query: (sql, range, signal) => client.query(sql, range?.begin, range?.end, signal ? { signal } : {}).catch(downstream),
    async serverVersion(signal) {
      const info = await client.getSqlInfo([SERVER_NAME, SERVER_VERSION], signal ? { signal } : {}).catch(downstream);
      const ids = info.getChild('info_name');
      const values = info.getChild('value');
      const byId = new Map<number, string>();
      for (let i = 0; i < info.numRows; i++) {
        byId.set(Number(ids?.get(i)), String(values?.get(i)));
      }
      return [byId.get(SERVER_NAME), byId.get(SERVER_VERSION)].filter(Boolean).join(' ') || 'unknown server';
    },
    close: () => client.close(),
  };
};
