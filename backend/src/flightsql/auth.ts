import { Metadata, ServerInterceptingCall, status, type ServerInterceptor } from '@grpc/grpc-js';
import { AuthError, type Authenticator, type AuthFailure, type Caller } from '../auth/authenticator.js';

const GRPC_STATUS: Record<AuthFailure, status> = {
  unauthenticated: status.UNAUTHENTICATED,
  permission_denied: status.PERMISSION_DENIED,
  unavailable: status.UNAVAILABLE,
};

/** Who made each call: set by the interceptor on the metadata the handlers receive. */
const callers = new WeakMap<Metadata, Caller>();

/** The authenticated caller of a call; undefined if the call did not pass through `apiKeyInterceptor`. */
export function callerOf(metadata: Metadata): Caller | undefined {
  return callers.get(metadata);
}

/**
 * Requires an API key of the query role (`authorization: Bearer <key>`) on every call, before any
 * handler runs; otherwise the call ends with UNAUTHENTICATED, PERMISSION_DENIED or UNAVAILABLE and
 * a message saying why.
 */
export function apiKeyInterceptor(authenticator: Authenticator): ServerInterceptor {
  return (_method, call) => new ServerInterceptingCall(call, {
    start(next) {
      next({
        onReceiveMetadata(metadata, accept) {
          const [header] = metadata.get('authorization');
          authenticator.authenticate(typeof header === 'string' ? header : undefined, 'query').then(
            (caller) => {
              callers.set(metadata, caller);
              accept(metadata);
            },
            (err: unknown) => call.sendStatus({
              code: err instanceof AuthError ? GRPC_STATUS[err.code] : status.INTERNAL,
              details: err instanceof AuthError ? err.message : `authentication failed: ${String(err)}`,
              metadata: new Metadata(),
            }),
          );
        },
      });
    },
  });
}
