import { fileURLToPath } from 'node:url';
import protobuf from 'protobufjs';

/** Our .proto files ship beside dist/ (package "files"); field names stay snake_case as in the specification. */
const protoDir = fileURLToPath(new URL('../proto/', import.meta.url));
const root = new protobuf.Root().loadSync(
  [`${protoDir}flight.proto`, `${protoDir}flight_sql.proto`, 'google/protobuf/any.proto'],
  { keepCase: true },
);

export interface Codec<T> {
  encode(message: T): Uint8Array;
  decode(bytes: Uint8Array): T;
}

/** Bytes that are not a valid encoding of the expected message (a peer's fault, not ours). */
export class MessageDecodeError extends Error {
  override name = 'MessageDecodeError';
  constructor(readonly messageType: string, options: { cause: unknown }) {
    super(`malformed ${messageType} message: ${(options.cause as Error)?.message ?? String(options.cause)}`, options);
  }
}

function codec<T>(fullName: string): Codec<T> {
  const type = root.lookupType(fullName);
  return {
    encode: (message) => type.encode(type.fromObject(message as object)).finish(),
    decode: (bytes) => {
      try {
        // proto3 `optional` fields stay undefined when absent (they are synthetic oneofs, never defaulted).
        return type.toObject(type.decode(bytes), { defaults: true, longs: Number }) as T;
      } catch (err) {
        throw new MessageDecodeError(type.name, { cause: err });
      }
    },
  };
}

// ---- Arrow Flight ----------------------------------------------------------------------------

export interface HandshakeMessage { protocol_version?: number; payload?: Uint8Array }
export interface Empty {}
export interface ActionType { type: string; description: string }
export interface Action { type: string; body?: Uint8Array }
export interface Result { body: Uint8Array }
export interface SchemaResult { schema: Uint8Array }
export enum DescriptorType { UNKNOWN = 0, PATH = 1, CMD = 2 }
export interface FlightDescriptor { type?: DescriptorType; cmd?: Uint8Array; path?: string[] }
export interface Ticket { ticket: Uint8Array }
export interface FlightEndpoint { ticket: Ticket; location?: { uri: string }[] }
export interface FlightInfo {
  schema: Uint8Array;
  flight_descriptor?: FlightDescriptor;
  endpoint: FlightEndpoint[];
  total_records: number;
  total_bytes: number;
  ordered?: boolean;
}
export interface FlightData {
  flight_descriptor?: FlightDescriptor;
  data_header?: Uint8Array;
  app_metadata?: Uint8Array;
  data_body?: Uint8Array;
}

const FLIGHT = 'arrow.flight.protocol';
export const flight = {
  HandshakeRequest: codec<HandshakeMessage>(`${FLIGHT}.HandshakeRequest`),
  HandshakeResponse: codec<HandshakeMessage>(`${FLIGHT}.HandshakeResponse`),
  Empty: codec<Empty>(`${FLIGHT}.Empty`),
  ActionType: codec<ActionType>(`${FLIGHT}.ActionType`),
  Action: codec<Action>(`${FLIGHT}.Action`),
  Result: codec<Result>(`${FLIGHT}.Result`),
  SchemaResult: codec<SchemaResult>(`${FLIGHT}.SchemaResult`),
  FlightDescriptor: codec<FlightDescriptor>(`${FLIGHT}.FlightDescriptor`),
  FlightInfo: codec<FlightInfo>(`${FLIGHT}.FlightInfo`),
  Ticket: codec<Ticket>(`${FLIGHT}.Ticket`),
  FlightData: codec<FlightData>(`${FLIGHT}.FlightData`),
};

// ---- FlightSQL commands ----------------------------------------------------------------------

export interface CommandGetSqlInfo { info: number[] }
export interface CommandGetCatalogs {}
export interface CommandGetDbSchemas { catalog?: string; db_schema_filter_pattern?: string }
export interface CommandGetTables {
  catalog?: string;
  db_schema_filter_pattern?: string;
  table_name_filter_pattern?: string;
  table_types: string[];
  include_schema: boolean;
}
export interface CommandGetTableTypes {}
export interface CommandGetKeys { catalog?: string; db_schema?: string; table: string }
export interface CommandGetCrossReference {
  pk_catalog?: string;
  pk_db_schema?: string;
  pk_table: string;
  fk_catalog?: string;
  fk_db_schema?: string;
  fk_table: string;
}
export interface CommandStatementQuery { query: string; transaction_id?: Uint8Array }
export interface TicketStatementQuery { statement_handle: Uint8Array }
export interface CommandPreparedStatementQuery { prepared_statement_handle: Uint8Array }
export interface ActionCreatePreparedStatementRequest { query: string; transaction_id?: Uint8Array }
export interface ActionCreatePreparedStatementResult {
  prepared_statement_handle: Uint8Array;
  dataset_schema: Uint8Array;
  parameter_schema?: Uint8Array;
}
export interface ActionClosePreparedStatementRequest { prepared_statement_handle: Uint8Array }

/** The FlightSQL messages we exchange, by their specification name (also the Any type_url suffix). */
export interface SqlMessages {
  CommandGetSqlInfo: CommandGetSqlInfo;
  CommandGetCatalogs: CommandGetCatalogs;
  CommandGetDbSchemas: CommandGetDbSchemas;
  CommandGetTables: CommandGetTables;
  CommandGetTableTypes: CommandGetTableTypes;
  CommandGetPrimaryKeys: CommandGetKeys;
  CommandGetExportedKeys: CommandGetKeys;
  CommandGetImportedKeys: CommandGetKeys;
  CommandGetCrossReference: CommandGetCrossReference;
  CommandStatementQuery: CommandStatementQuery;
  TicketStatementQuery: TicketStatementQuery;
  CommandPreparedStatementQuery: CommandPreparedStatementQuery;
  ActionCreatePreparedStatementRequest: ActionCreatePreparedStatementRequest;
  ActionCreatePreparedStatementResult: ActionCreatePreparedStatementResult;
  ActionClosePreparedStatementRequest: ActionClosePreparedStatementRequest;
}
export type SqlMessageName = keyof SqlMessages;

const SQL = 'arrow.flight.protocol.sql';
const sqlMessageNames: SqlMessageName[] = [
  'CommandGetSqlInfo', 'CommandGetCatalogs', 'CommandGetDbSchemas', 'CommandGetTables', 'CommandGetTableTypes',
  'CommandGetPrimaryKeys', 'CommandGetExportedKeys', 'CommandGetImportedKeys', 'CommandGetCrossReference',
  'CommandStatementQuery', 'TicketStatementQuery', 'CommandPreparedStatementQuery',
  'ActionCreatePreparedStatementRequest', 'ActionCreatePreparedStatementResult', 'ActionClosePreparedStatementRequest',
];
export const sql = Object.fromEntries(sqlMessageNames.map((name) => [name, codec(`${SQL}.${name}`)])) as {
  [K in SqlMessageName]: Codec<SqlMessages[K]>;
};

// ---- google.protobuf.Any ---------------------------------------------------------------------

interface AnyMessage { type_url: string; value: Uint8Array }
const anyCodec = codec<AnyMessage>('google.protobuf.Any');
const TYPE_URL_PREFIX = `type.googleapis.com/${SQL}.`;

/** Wraps a FlightSQL message in the Any envelope every FlightSQL peer expects. */
export function packAny<K extends SqlMessageName>(name: K, message: SqlMessages[K]): Uint8Array {
  return anyCodec.encode({ type_url: TYPE_URL_PREFIX + name, value: sql[name].encode(message) });
}

/** An unpacked Any: the FlightSQL message name (undefined when it is not one of ours) and its raw bytes. */
export interface UnpackedAny {
  typeUrl: string;
  name: SqlMessageName | undefined;
  /** Absent `value` (some clients send empty commands that way) decodes as empty bytes. */
  value: Uint8Array;
}

export function unpackAny(bytes: Uint8Array): UnpackedAny {
  const { type_url: typeUrl, value } = anyCodec.decode(bytes);
  const suffix = typeUrl.startsWith(TYPE_URL_PREFIX) ? typeUrl.slice(TYPE_URL_PREFIX.length) : '';
  const name = (sqlMessageNames as string[]).includes(suffix) ? (suffix as SqlMessageName) : undefined;
  return { typeUrl, name, value: value ?? new Uint8Array() };
}
