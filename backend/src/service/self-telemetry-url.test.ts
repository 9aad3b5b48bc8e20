import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { loadConfig } from '../config.js';
import type { RunningRole } from './role.js';
import { selfTelemetryUrl } from './self-telemetry-url.js';

const running = (name: string, url: string): RunningRole => ({ name, url, stop: async () => {} });
const maintenance = running('maintenance', '(no listener; elected by a lease)');
const targetOf = (value?: string) => loadConfig(value === undefined ? {} : { MICROMEGAS_SELF_TELEMETRY_URL: value }).selfTelemetry;

describe('selfTelemetryUrl', () => {
  it('by default, is the ingestion role of this process, reached through loopback when it listens on every interface', () => {
    assert.equal(selfTelemetryUrl(targetOf(), [running('ingestion', 'http://127.0.0.1:41234'), maintenance]), 'http://127.0.0.1:41234');
    assert.equal(selfTelemetryUrl(targetOf(), [running('ingestion', 'http://0.0.0.0:9000')]), 'http://127.0.0.1:9000');
    assert.equal(selfTelemetryUrl(targetOf(), [running('ingestion', 'http://[::]:9000')]), 'http://[::1]:9000');
  });

  it('by default, is off when ingestion runs elsewhere', () => {
    assert.equal(selfTelemetryUrl(targetOf(), [maintenance, running('gateway', 'http://127.0.0.1:8000')]), undefined);
  });

  it('is the configured URL, or off, whatever runs here', () => {
    const here = [running('ingestion', 'http://127.0.0.1:9000'), maintenance];
    assert.equal(selfTelemetryUrl(targetOf('http://central:9000'), here), 'http://central:9000');
    assert.equal(selfTelemetryUrl(targetOf('off'), here), undefined);
  });
});
