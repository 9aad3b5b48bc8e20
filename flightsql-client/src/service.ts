import type { MethodDefinition, ServiceDefinition } from '@grpc/grpc-js';
import { flight, type Codec } from './proto.js';

function method<Req, Res>(
  name: string, request: Codec<Req>, response: Codec<Res>, requestStream: boolean, responseStream: boolean,
): MethodDefinition<Req, Res> {
  return {
    path: `/arrow.flight.protocol.FlightService/${name}`,
    originalName: name,
    requestStream,
    responseStream,
    requestSerialize: (message: Req) => Buffer.from(request.encode(message)),
    requestDeserialize: (bytes: Buffer) => request.decode(bytes),
    responseSerialize: (message: Res) => Buffer.from(response.encode(message)),
    responseDeserialize: (bytes: Buffer) => response.decode(bytes),
  };
}

/** The Arrow Flight RPCs we serve and call; the rest (ListFlights, DoPut, DoExchange) answer UNIMPLEMENTED. */
export const flightServiceDefinition = {
  Handshake: method('Handshake', flight.HandshakeRequest, flight.HandshakeResponse, true, true),
  GetFlightInfo: method('GetFlightInfo', flight.FlightDescriptor, flight.FlightInfo, false, false),
  GetSchema: method('GetSchema', flight.FlightDescriptor, flight.SchemaResult, false, false),
  DoGet: method('DoGet', flight.Ticket, flight.FlightData, false, true),
  DoAction: method('DoAction', flight.Action, flight.Result, false, true),
  ListActions: method('ListActions', flight.Empty, flight.ActionType, false, true),
} satisfies ServiceDefinition;

/** gRPC metadata keys micromegas clients send with a query. */
export const QUERY_RANGE_BEGIN = 'query_range_begin';
export const QUERY_RANGE_END = 'query_range_end';
/** 'true' asks for dictionary-encoded strings as the engine produced them (plain Utf8 otherwise). */
export const PRESERVE_DICTIONARY = 'preserve_dictionary';

/** DoAction types of the FlightSQL prepared statement lifecycle. */
export const CREATE_PREPARED_STATEMENT = 'CreatePreparedStatement';
export const CLOSE_PREPARED_STATEMENT = 'ClosePreparedStatement';
