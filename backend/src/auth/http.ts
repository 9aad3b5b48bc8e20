/**
 * A fastify plugin that lets a request through only with an API key of `role`: 401 without a valid
 * key, 403 with a key of another role, 503 when the keys cannot be read; a JSON body
 * `{error, message}` says which. Register it next to the routes it guards (it applies to its
 * registering scope and not beyond, so /health and /ready registered outside stay open to probes).
 * The caller is `request.caller`.
 */
import type { FastifyInstance, FastifyPluginAsync } from 'fastify';
import { AuthError, type Authenticator, type AuthFailure, type Caller } from './authenticator.js';
import type { KeyRole } from './roles.js';

declare module 'fastify' {
  interface FastifyRequest {
    caller?: Caller;
  }
}

export interface ApiKeyAuthOptions {
  authenticator: Authenticator;
  role: KeyRole;
}

const HTTP_STATUS: Record<AuthFailure, number> = { unauthenticated: 401, permission_denied: 403, unavailable: 503 };

async function apiKeyAuthPlugin(app: FastifyInstance, { authenticator, role }: ApiKeyAuthOptions): Promise<void> {
  if (!app.hasRequestDecorator('caller')) app.decorateRequest('caller', undefined);
  app.addHook('onRequest', async (request, reply) => {
    try {
      request.caller = await authenticator.authenticate(request.headers.authorization, role);
    } catch (err) {
      if (!(err instanceof AuthError)) throw err;
      if (err.code === 'unauthenticated') reply.header('www-authenticate', 'Bearer realm="micromegas"');
      return reply.code(HTTP_STATUS[err.code]).send({ error: err.code, message: err.message });
    }
  });
}

/** Not encapsulated (what fastify-plugin marks): the hook reaches the routes of the scope registering it. */
export const apiKeyAuth: FastifyPluginAsync<ApiKeyAuthOptions> = Object.assign(apiKeyAuthPlugin, { [Symbol.for('skip-override')]: true });
