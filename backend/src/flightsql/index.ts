export { startFlightSqlServer, type FlightSqlServer, type FlightSqlServerOptions } from './server.js';
export { viewSetTables, type TableInfo, type TableLister } from './tables.js';
