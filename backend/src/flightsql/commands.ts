import { status } from '@grpc/grpc-js';
import { packAny, sql, unpackAny } from '@micromegas/flightsql-client';
import type { RecordBatch, Schema } from 'apache-arrow';
import type { QueryEngine, QueryOptions, QueryResult } from '../query/engine.js';
import {
  catalogs, catalogsSchema, dbSchemas, dbSchemasSchema, foreignKeysSchema, noRows, primaryKeysSchema, tables,
  tablesSchema, tableTypes, tableTypesSchema,
} from './catalog-commands.js';
import { FlightSqlRequestError } from './errors.js';
import { sqlInfo, sqlInfoSchema } from './sql-info.js';
import { decodeHandle, encodeHandle, handleOptions } from './statement-handle.js';
import type { TableLister } from './tables.js';

/** What GetFlightInfo / GetSchema describe and DoGet runs, whichever FlightSQL command asked for it. */
export interface Command {
  schema(): Promise<Schema>;
  execute(): Promise<QueryResult>;
  /** The DoGet ticket that runs this command. */
  ticket: Uint8Array;
}

export interface CommandContext {
  engine: QueryEngine;
  tables: TableLister;
  version: string;
  /** Range and encoding from the call's metadata (plus its cancellation signal on DoGet). */
  options: QueryOptions;
}

function statementCommand(engine: QueryEngine, sqlText: string, options: QueryOptions): Command {
  return {
    schema: () => engine.schema(sqlText, options),
    execute: () => engine.query(sqlText, options),
    ticket: packAny('TicketStatementQuery', { statement_handle: encodeHandle(sqlText, options) }),
  };
}

/** Metadata commands answer one small batch; their ticket is the command itself. */
function metadataCommand(ticket: Uint8Array, schema: Schema, rows: () => RecordBatch | Promise<RecordBatch>): Command {
  return {
    schema: async () => schema,
    execute: async () => {
      const batch = await rows();
      return { schema, batches: (async function* () { yield batch; })() };
    },
    ticket,
  };
}

/** Decodes an Any-wrapped FlightSQL command (FlightDescriptor.cmd or Ticket.ticket). */
export function resolveCommand(bytes: Uint8Array, ctx: CommandContext): Command {
  const { name, typeUrl, value } = unpackAny(bytes);
  switch (name) {
    case 'CommandStatementQuery':
      return statementCommand(ctx.engine, sql.CommandStatementQuery.decode(value).query, ctx.options);
    case 'CommandPreparedStatementQuery': {
      const handle = decodeHandle(sql.CommandPreparedStatementQuery.decode(value).prepared_statement_handle);
      return statementCommand(ctx.engine, handle.sql, ctx.options);
    }
    case 'TicketStatementQuery': {
      const handle = decodeHandle(sql.TicketStatementQuery.decode(value).statement_handle);
      return statementCommand(ctx.engine, handle.sql, handleOptions(handle, ctx.options));
    }
    case 'CommandGetCatalogs':
      return metadataCommand(bytes, catalogsSchema, catalogs);
    case 'CommandGetDbSchemas': {
      const command = sql.CommandGetDbSchemas.decode(value);
      return metadataCommand(bytes, dbSchemasSchema, () => dbSchemas(command));
    }
    case 'CommandGetTables': {
      const command = sql.CommandGetTables.decode(value);
      const preserve = ctx.options.preserveDictionary ?? false;
      return metadataCommand(bytes, tablesSchema(command.include_schema), () => tables(command, ctx.tables, preserve));
    }
    case 'CommandGetTableTypes':
      return metadataCommand(bytes, tableTypesSchema, tableTypes);
    case 'CommandGetPrimaryKeys':
      return metadataCommand(bytes, primaryKeysSchema, () => noRows(primaryKeysSchema));
    case 'CommandGetExportedKeys':
    case 'CommandGetImportedKeys':
    case 'CommandGetCrossReference':
      return metadataCommand(bytes, foreignKeysSchema, () => noRows(foreignKeysSchema));
    case 'CommandGetSqlInfo': {
      const command = sql.CommandGetSqlInfo.decode(value);
      return metadataCommand(bytes, sqlInfoSchema, () => sqlInfo(command, ctx.version));
    }
    default:
      throw new FlightSqlRequestError(status.UNIMPLEMENTED, `unsupported FlightSQL command '${typeUrl || '(empty)'}'`);
  }
}
