import { Metadata, ServerInterceptingCall, status, type ServerInterceptor } from '@grpc/grpc-js';

/**
 * Requires `authorization: Bearer <token>` with one of `tokens` on every call, before any handler runs;
 * anything else ends the call with UNAUTHENTICATED.
 */
export function bearerTokenAuth(tokens: readonly string[]): ServerInterceptor {
  const allowed = new Set(tokens);
  return (_method, call) => new ServerInterceptingCall(call, {
    start(next) {
      next({
        onReceiveMetadata(metadata, accept) {
          const [header] = metadata.get('authorization');
          const token = typeof header === 'string' && header.startsWith('Bearer ') ? header.slice('Bearer '.length) : undefined;
          if (token !== undefined && allowed.has(token)) {
            accept(metadata);
          } else {
            call.sendStatus({ code: status.UNAUTHENTICATED, details: 'missing or invalid bearer token', metadata: new Metadata() });
          }
        },
      });
    },
  });
}
