import { test } from 'node:test';
import assert from 'node:assert/strict';
import { resolveOptions, TelemetryConfigError } from './options.js';

test('defaults, and the URL from the options, the main thread, or the environment, in that order', () => {
  const saved = process.env['MICROMEGAS_TELEMETRY_URL'];
  try {
    delete process.env['MICROMEGAS_TELEMETRY_URL'];
    const d = resolveOptions({});
    assert.equal(d.url.href, 'http://127.0.0.1:9000/');
    assert.deepStrictEqual([d.flushPeriodMs, d.maxQueueBytes, d.blockEvents], [1000, 16 * 1024 * 1024, 4096]);
    process.env['MICROMEGAS_TELEMETRY_URL'] = 'http://env:1';
    assert.equal(resolveOptions({}).url.host, 'env:1');
    assert.equal(resolveOptions({}, { url: 'http://main:2' }).url.host, 'main:2');
    assert.equal(resolveOptions({ url: 'https://mine:3' }, { url: 'http://main:2' }).url.host, 'mine:3');
  } finally {
    if (saved === undefined) delete process.env['MICROMEGAS_TELEMETRY_URL'];
    else process.env['MICROMEGAS_TELEMETRY_URL'] = saved;
  }
});

test('the API key from the options, the main thread, or MICROMEGAS_API_KEY, in that order; none by default', () => {
  const saved = process.env['MICROMEGAS_API_KEY'];
  try {
    delete process.env['MICROMEGAS_API_KEY'];
    assert.equal(resolveOptions({}).apiKey, undefined);
    process.env['MICROMEGAS_API_KEY'] = 'mmk_env';
    assert.equal(resolveOptions({}).apiKey, 'mmk_env');
    assert.equal(resolveOptions({}, { url: 'http://main:2', apiKey: 'mmk_main' }).apiKey, 'mmk_main');
    assert.equal(resolveOptions({ apiKey: 'mmk_mine' }, { url: 'http://main:2', apiKey: 'mmk_main' }).apiKey, 'mmk_mine');
  } finally {
    if (saved === undefined) delete process.env['MICROMEGAS_API_KEY'];
    else process.env['MICROMEGAS_API_KEY'] = saved;
  }
});

test('bad options are refused at init with a message naming them', () => {
  assert.throws(() => resolveOptions({ url: 'not a url' }), (e) => e instanceof TelemetryConfigError && /init\(\{url\}\)/.test(e.message));
  assert.throws(() => resolveOptions({ url: 'ftp://x' }), TelemetryConfigError);
  assert.throws(() => resolveOptions({ flushPeriodMs: 0 }), /flushPeriodMs must be a positive number, got 0/);
  assert.throws(() => resolveOptions({ maxQueueBytes: Number.NaN }), /maxQueueBytes/);
});
