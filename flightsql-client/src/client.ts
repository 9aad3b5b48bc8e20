import {
  Client, credentials, Metadata, type ChannelCredentials, type ClientReadableStream, type MethodDefinition,
} from '@grpc/grpc-js';
import { Table, type RecordBatch, type Schema } from 'apache-arrow';
import { FlightSQLError } from './errors.js';
import { deserializeSchema, readFlightData } from './ipc.js';
import {
  DescriptorType, packAny, sql, unpackAny,
  type CommandGetDbSchemas, type CommandGetTables, type FlightInfo,
} from './proto.js';
import {
  CLOSE_PREPARED_STATEMENT, CREATE_PREPARED_STATEMENT, flightServiceDefinition as rpc, PRESERVE_DICTIONARY,
  QUERY_RANGE_BEGIN, QUERY_RANGE_END,
} from './service.js';

export interface FlightSQLClientOptions {
  /** `grpc://host:port` (plaintext) or `grpc+tls://host:port`. */
  url: string;
  /** Sent as `authorization: Bearer <token>` on every call. */
  token?: string;
  /** TLS settings for `grpc+tls://`: a CA bundle for servers with private certificates. */
  tls?: { rootCerts?: Buffer };
  /** Extra gRPC metadata on every call. */
  headers?: Record<string, string>;
  /** Ask for dictionary-encoded string columns as the engine keeps them (default: plain Utf8). */
  preserveDictionary?: boolean;
}

/** A time bound: a Date, or an RFC 3339 string passed through untouched. */
export type TimeBound = Date | string;

export interface CallOptions {
  /** Aborting cancels the gRPC calls (the server stops the query); the promise or iteration rejects with CANCELLED. */
  signal?: AbortSignal;
}

export interface QueryStream {
  schema: Schema;
  batches: AsyncIterable<RecordBatch>;
}

/** A server-side prepared statement (parameterless): run it any number of times, then close it. */
export interface PreparedStatement {
  schema: Schema;
  query(begin?: TimeBound, end?: TimeBound): Promise<Table>;
  close(): Promise<void>;
}

function channelCredentials(url: URL, tls: FlightSQLClientOptions['tls']): ChannelCredentials {
  switch (url.protocol) {
    case 'grpc:':
    case 'grpc+tcp:':
    case 'http:':
      return credentials.createInsecure();
    case 'grpc+tls:':
    case 'https:':
      return credentials.createSsl(tls?.rootCerts ?? null);
    default:
      throw new Error(`unsupported FlightSQL url scheme '${url.protocol}' (use grpc:// or grpc+tls://)`);
  }
}

/** A FlightSQL client speaking to micromegas (or any FlightSQL server), results as Arrow. */
export class FlightSQLClient {
  private readonly client: Client;

  constructor(private readonly options: FlightSQLClientOptions) {
    const url = new URL(options.url);
    const port = url.port || (url.protocol === 'grpc+tls:' || url.protocol === 'https:' ? '443' : '50051');
    // Results can come in large batches: accept messages of any size (the default stops at 4 MiB), and
    // open a 16 MiB HTTP/2 window: with the 64 KiB default, results stall on flow control (~2× slower).
    this.client = new Client(`${url.hostname}:${port}`, channelCredentials(url, options.tls), {
      'grpc.max_receive_message_length': -1,
      'grpc-node.flow_control_window': 16 * 1024 * 1024,
    });
  }

  close(): void {
    this.client.close();
  }

  /** Runs `sql` over [begin, end) and collects every batch into one table. */
  async query(sqlText: string, begin?: TimeBound, end?: TimeBound, options: CallOptions = {}): Promise<Table> {
    const { schema, batches } = await this.queryStream(sqlText, begin, end, options);
    return collect(schema, batches);
  }

  /** Runs `sql` over [begin, end); batches arrive as the server streams them. */
  async queryStream(sqlText: string, begin?: TimeBound, end?: TimeBound, options: CallOptions = {}): Promise<QueryStream> {
    return this.execute(packAny('CommandStatementQuery', { query: sqlText }), this.metadata(begin, end), options.signal);
  }

  /** The schema `sql` would return, without running it (GetSchema). */
  async getSchema(sqlText: string, begin?: TimeBound, end?: TimeBound): Promise<Schema> {
    const descriptor = { type: DescriptorType.CMD, cmd: packAny('CommandStatementQuery', { query: sqlText }) };
    const result = await this.unary(rpc.GetSchema, descriptor, this.metadata(begin, end));
    return deserializeSchema(result.schema);
  }

  async prepare(sqlText: string): Promise<PreparedStatement> {
    const body = packAny('ActionCreatePreparedStatementRequest', { query: sqlText });
    const [result] = await this.action(CREATE_PREPARED_STATEMENT, body);
    if (!result) throw new FlightSQLError(13, 'CreatePreparedStatement returned no result', 'DoAction');
    const created = sql.ActionCreatePreparedStatementResult.decode(unpackAny(result).value);
    const handle = created.prepared_statement_handle;
    return {
      schema: deserializeSchema(created.dataset_schema),
      query: async (begin, end) => {
        const command = packAny('CommandPreparedStatementQuery', { prepared_statement_handle: handle });
        const { schema, batches } = await this.execute(command, this.metadata(begin, end));
        return collect(schema, batches);
      },
      close: async () => {
        await this.action(CLOSE_PREPARED_STATEMENT, packAny('ActionClosePreparedStatementRequest', { prepared_statement_handle: handle }));
      },
    };
  }

  getCatalogs(): Promise<Table> {
    return this.metadataQuery(packAny('CommandGetCatalogs', {}));
  }

  getDbSchemas(filter: CommandGetDbSchemas = {}): Promise<Table> {
    return this.metadataQuery(packAny('CommandGetDbSchemas', filter));
  }

  getTables(filter: Partial<CommandGetTables> = {}): Promise<Table> {
    return this.metadataQuery(packAny('CommandGetTables', { table_types: [], include_schema: false, ...filter }));
  }

  getTableTypes(): Promise<Table> {
    return this.metadataQuery(packAny('CommandGetTableTypes', {}));
  }

  getPrimaryKeys(table: string): Promise<Table> {
    return this.metadataQuery(packAny('CommandGetPrimaryKeys', { table }));
  }

  /** SqlInfo rows (`info_name`, dense-union `value`); no ids means everything the server knows. */
  getSqlInfo(info: number[] = [], options: CallOptions = {}): Promise<Table> {
    return this.metadataQuery(packAny('CommandGetSqlInfo', { info }), options);
  }

  private async metadataQuery(command: Uint8Array, options: CallOptions = {}): Promise<Table> {
    const { schema, batches } = await this.execute(command, this.metadata(), options.signal);
    return collect(schema, batches);
  }

  private metadata(begin?: TimeBound, end?: TimeBound): Metadata {
    const metadata = new Metadata();
    for (const [key, value] of Object.entries(this.options.headers ?? {})) metadata.set(key, value);
    if (this.options.token) metadata.set('authorization', `Bearer ${this.options.token}`);
    if (this.options.preserveDictionary) metadata.set(PRESERVE_DICTIONARY, 'true');
    if (begin !== undefined) metadata.set(QUERY_RANGE_BEGIN, rfc3339(begin));
    if (end !== undefined) metadata.set(QUERY_RANGE_END, rfc3339(end));
    return metadata;
  }

  /** GetFlightInfo, then DoGet on every endpoint in order. */
  private async execute(command: Uint8Array, metadata: Metadata, signal?: AbortSignal): Promise<QueryStream> {
    const info: FlightInfo = await this.unary(rpc.GetFlightInfo, { type: DescriptorType.CMD, cmd: command }, metadata, signal);
    const schema = deserializeSchema(info.schema);
    const doGet = (ticket: FlightInfo['endpoint'][number]['ticket']) => this.stream(rpc.DoGet, ticket, metadata);
    async function* batches(): AsyncGenerator<RecordBatch> {
      for (const endpoint of info.endpoint) {
        if (signal?.aborted) throw FlightSQLError.cancelled('DoGet');
        const call = doGet(endpoint.ticket);
        // Cancelling the call ends the read below with CANCELLED, also while it waits for a first batch.
        const cancel = () => call.cancel();
        signal?.addEventListener('abort', cancel, { once: true });
        try {
          for await (const batch of await readFlightData(call)) yield batch;
        } catch (err) {
          throw FlightSQLError.from('DoGet', err);
        } finally {
          signal?.removeEventListener('abort', cancel);
          call.cancel(); // no-op once the stream ended; stops the server when the consumer quits early
        }
      }
    }
    return { schema, batches: batches() };
  }

  private async action(type: string, body: Uint8Array): Promise<Uint8Array[]> {
    const results: Uint8Array[] = [];
    try {
      for await (const result of this.stream(rpc.DoAction, { type, body }, this.metadata())) results.push(result.body);
    } catch (err) {
      throw FlightSQLError.from('DoAction', err);
    }
    return results;
  }

  private unary<Req, Res>(method: MethodDefinition<Req, Res>, request: Req, metadata: Metadata, signal?: AbortSignal): Promise<Res> {
    return new Promise((resolve, reject) => {
      if (signal?.aborted) return reject(FlightSQLError.cancelled(method.originalName ?? method.path));
      const cancel = () => call.cancel();
      const call = this.client.makeUnaryRequest(
        method.path, method.requestSerialize, method.responseDeserialize, request, metadata, {},
        (err, response) => {
          signal?.removeEventListener('abort', cancel);
          if (err || response === undefined) reject(FlightSQLError.from(method.originalName ?? method.path, err));
          else resolve(response);
        },
      );
      signal?.addEventListener('abort', cancel, { once: true });
    });
  }

  private stream<Req, Res>(method: MethodDefinition<Req, Res>, request: Req, metadata: Metadata): ClientReadableStream<Res> {
    return this.client.makeServerStreamRequest(method.path, method.requestSerialize, method.responseDeserialize, request, metadata, {});
  }
}

function rfc3339(bound: TimeBound): string {
  return typeof bound === 'string' ? bound : bound.toISOString();
}

async function collect(schema: Schema, batches: AsyncIterable<RecordBatch>): Promise<Table> {
  const all: RecordBatch[] = [];
  for await (const batch of batches) all.push(batch);
  return all.length > 0 ? new Table(all) : new Table(schema);
}
