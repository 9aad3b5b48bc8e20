import {
  status, type Metadata, type sendUnaryData, type ServerDuplexStream, type ServerUnaryCall, type ServerWritableStream,
  type UntypedServiceImplementation,
} from '@grpc/grpc-js';
import {
  CLOSE_PREPARED_STATEMENT, CREATE_PREPARED_STATEMENT, DescriptorType, packAny, serializeSchema, sql, toFlightData,
  unpackAny, type Action, type ActionType, type FlightData, type FlightDescriptor, type FlightInfo,
  type HandshakeMessage, type Result, type SchemaResult, type Ticket,
} from '@micromegas/flightsql-client';
import type { QueryEngine } from '../query/engine.js';
import { boundedBatches } from './bounded-batches.js';
import { resolveCommand, type Command, type CommandContext } from './commands.js';
import { FlightSqlRequestError, toServiceError } from './errors.js';
import { queryOptionsFrom } from './request-options.js';
import { decodeHandle, encodeHandle } from './statement-handle.js';
import type { TableLister } from './tables.js';

export interface FlightSqlDeps {
  engine: QueryEngine;
  tables: TableLister;
  version: string;
  /** Largest record batch body sent as one FlightData; bigger batches are sliced. */
  maxMessageBytes: number;
  /** Told about failures that are the server's fault (INTERNAL), not the client's. */
  onInternalError?: (error: unknown, rpc: string) => void;
}

const EMPTY = new Uint8Array(0);

const ACTIONS: ActionType[] = [
  { type: CREATE_PREPARED_STATEMENT, description: 'Prepare a SQL query (no parameters); the handle carries the SQL' },
  { type: CLOSE_PREPARED_STATEMENT, description: 'Release a prepared statement handle' },
];


/** Waits until the stream drains or the call goes away. */
function drained(call: ServerWritableStream<unknown, unknown>, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      call.off('drain', done);
      signal.removeEventListener('abort', done);
      resolve();
    };
    call.once('drain', done);
    signal.addEventListener('abort', done, { once: true });
  });
}

export function flightSqlHandlers(deps: FlightSqlDeps): UntypedServiceImplementation {
  const failure = (rpc: string, err: unknown) => {
    const serviceError = toServiceError(err);
    if (serviceError.code === status.INTERNAL) deps.onInternalError?.(err, rpc);
    return serviceError;
  };

  async function answer<T>(rpc: string, callback: sendUnaryData<T>, work: () => Promise<T>): Promise<void> {
    try {
      callback(null, await work());
    } catch (err) {
      callback(failure(rpc, err));
    }
  }

  const context = (metadata: Metadata, signal?: AbortSignal): CommandContext => {
    const options = queryOptionsFrom(metadata);
    if (signal) options.signal = signal;
    return { engine: deps.engine, tables: deps.tables, version: deps.version, options };
  };

  const describedCommand = (descriptor: FlightDescriptor, metadata: Metadata): Command => {
    if (descriptor.type !== DescriptorType.CMD) {
      throw new FlightSqlRequestError(status.INVALID_ARGUMENT, 'only CMD flight descriptors (FlightSQL commands) are served');
    }
    return resolveCommand(descriptor.cmd ?? EMPTY, context(metadata));
  };

  return {
    Handshake(call: ServerDuplexStream<HandshakeMessage, HandshakeMessage>) {
      // No credentials to check: answer each round so clients that insist on a handshake proceed.
      call.on('data', (request: HandshakeMessage) => call.write({ protocol_version: request.protocol_version ?? 0, payload: EMPTY }));
      call.on('end', () => call.end());
    },

    GetFlightInfo(call: ServerUnaryCall<FlightDescriptor, FlightInfo>, callback: sendUnaryData<FlightInfo>) {
      void answer('GetFlightInfo', callback, async () => {
        const command = describedCommand(call.request, call.metadata);
        return {
          schema: serializeSchema(await command.schema()),
          flight_descriptor: call.request,
          endpoint: [{ ticket: { ticket: command.ticket } }],
          total_records: -1,
          total_bytes: -1,
          ordered: true,
        };
      });
    },

    GetSchema(call: ServerUnaryCall<FlightDescriptor, SchemaResult>, callback: sendUnaryData<SchemaResult>) {
      void answer('GetSchema', callback, async () => ({ schema: serializeSchema(await describedCommand(call.request, call.metadata).schema()) }));
    },

    async DoGet(call: ServerWritableStream<Ticket, FlightData>) {
      const abort = new AbortController();
      call.on('cancelled', () => abort.abort());
      try {
        const command = resolveCommand(call.request.ticket, context(call.metadata, abort.signal));
        const { schema, batches } = await command.execute();
        for await (const message of toFlightData(schema, boundedBatches(batches, deps.maxMessageBytes))) {
          if (abort.signal.aborted) return; // leaving the loop closes the engine's stream
          if (!call.write(message)) await drained(call, abort.signal);
        }
        call.end();
      } catch (err) {
        if (!abort.signal.aborted) call.emit('error', failure('DoGet', err));
      }
    },

    async DoAction(call: ServerWritableStream<Action, Result>) {
      try {
        const { type, body } = call.request;
        const { name, value } = unpackAny(body ?? EMPTY);
        if (type === CREATE_PREPARED_STATEMENT && name === 'ActionCreatePreparedStatementRequest') {
          const { query } = sql.ActionCreatePreparedStatementRequest.decode(value);
          const schema = await deps.engine.schema(query, queryOptionsFrom(call.metadata));
          call.write({
            body: packAny('ActionCreatePreparedStatementResult', {
              prepared_statement_handle: encodeHandle(query),
              dataset_schema: serializeSchema(schema),
              parameter_schema: EMPTY,
            }),
          });
        } else if (type === CLOSE_PREPARED_STATEMENT && name === 'ActionClosePreparedStatementRequest') {
          decodeHandle(sql.ActionClosePreparedStatementRequest.decode(value).prepared_statement_handle);
        } else {
          throw new FlightSqlRequestError(status.INVALID_ARGUMENT, `unsupported action '${type}'`);
        }
        call.end();
      } catch (err) {
        call.emit('error', failure('DoAction', err));
      }
    },

    ListActions(call: ServerWritableStream<unknown, ActionType>) {
      for (const action of ACTIONS) call.write(action);
      call.end();
    },
  };
}
