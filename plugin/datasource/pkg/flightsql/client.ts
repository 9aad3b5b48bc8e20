// SqlEngine over @micromegas/flightsql-client.
import { FlightSQLClient } from '@micromegas/flightsql-client';
import type { ConnectionSettings, EngineFactory, SqlEngine } from './engine.js';

// FlightSQL SqlInfo ids (FlightSql.proto): FLIGHT_SQL_SERVER_NAME, FLIGHT_SQL_SERVER_VERSION.
const SERVER_NAME = 0;
const SERVER_VERSION = 1;

export const createFlightSqlEngine: EngineFactory = (settings: ConnectionSettings): SqlEngine => {
  const client = new FlightSQLClient({
    url: `${settings.tls ? 'grpc+tls' : 'grpc'}://${settings.address}`,
    ...(settings.apiKey ? { token: settings.apiKey } : {}),
  });
  return {
    query: (sql, range) => (range ? client.query(sql, range.begin, range.end) : client.query(sql)),
    async serverVersion() {
      const info = await client.getSqlInfo([SERVER_NAME, SERVER_VERSION]);
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
