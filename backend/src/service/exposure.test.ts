import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError } from '../config.js';
import { Authenticator } from '../auth/authenticator.js';
import { checkExposure, isLoopback } from './exposure.js';

describe('checkExposure', () => {
  it('knows loopback addresses', () => {
    for (const host of ['127.0.0.1', '127.1.2.3', '::1', '[::1]', 'localhost', 'LOCALHOST']) assert.ok(isLoopback(host), host);
    for (const host of ['0.0.0.0', '::', '[::]', '10.0.0.5', 'backend', '128.0.0.1', '127.example.com']) assert.ok(!isLoopback(host), host);
  });

  it('refuses a non-loopback address without keys, naming the variable and the way out; allows it with keys', () => {
    const open = new Authenticator({ required: false, cacheTtlMs: 0 });
    const keyed = new Authenticator({ required: true, cacheTtlMs: 0 });
    checkExposure('MICROMEGAS_FLIGHTSQL_HOST', '127.0.0.1', open);
    assert.throws(() => checkExposure('MICROMEGAS_FLIGHTSQL_HOST', '0.0.0.0', open), (err: unknown) =>
      err instanceof ConfigError && err.variable === 'MICROMEGAS_FLIGHTSQL_HOST' && /no API key is configured.*MICROMEGAS_ADMIN_KEY.*keys create/.test(err.message));
    checkExposure('MICROMEGAS_FLIGHTSQL_HOST', '0.0.0.0', keyed);
  });
});
