export { FlightSQLClient, type CallOptions, type FlightSQLClientOptions, type PreparedStatement, type QueryStream, type TimeBound } from './client.js';
export { FlightSQLError } from './errors.js';
export { deserializeSchema, readFlightData, serializeSchema, toFlightData, toIpcStream } from './ipc.js';
export * from './proto.js';
export * from './service.js';
export { batchRows, columnReader, formatTimestamp, plainValue } from './values.js';
