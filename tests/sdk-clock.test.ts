// Event times, whichever clock stamps them (the CPU's counter through the native part, or
// performance.now()), are nanoseconds on the main thread's performance.now() timeline.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { clockSource, init, logger, shutdown, spanScope, streamIds, TelemetryConfigError, type ClockChoice } from '@micromegas/tracing';
import { counterInvariant, tscAddon } from '@micromegas/tracing/tsc';
import { StubIngestion } from './sdk-stub-ingestion.js';

const stub = new StubIngestion();
let url = '';
before(async () => {
  url = await stub.start();
});
after(() => stub.stop());

/** Worst distance in ns between an event's ticks and the performance.now() readings around its call. */
async function worstDistance(clock: ClockChoice): Promise<number> {
  init({ url, clock, blockEvents: 16, flushPeriodMs: 20 });
  const ids = streamIds()!;
  const log = logger('clock');
  const span = spanScope('step');
  const brackets: [number, number][] = [];
  for (let i = 0; i < 60; i++) {
    const before = performance.now();
    log.info('tick');
    span.begin();
    span.end();
    brackets.push([before * 1e6, performance.now() * 1e6]);
    await sleep(i % 10 === 0 ? 30 : 2); // across several blocks and clock checks
  }
  assert.equal(await shutdown(), true);
  const logs = stub.eventsOf(ids.log);
  const spans = stub.eventsOf(ids.cpu);
  assert.equal(logs.length, 60);
  assert.equal(spans.length, 120);
  let worst = 0;
  brackets.forEach(([from, to], i) => {
    for (const e of [logs[i]!, spans[2 * i]!, spans[2 * i + 1]!]) worst = Math.max(worst, from - e.ticks, e.ticks - to, 0);
  });
  return worst;
}

test('the counter stamps events where the native part is built and the counter invariant, else performance.now()', async () => {
  const expected = tscAddon() !== undefined && counterInvariant() ? 'tsc' : 'performance.now';
  init({ url });
  assert.equal(clockSource(), expected);
  await shutdown();
  init({ url, clock: 'portable' });
  assert.equal(clockSource(), 'performance.now');
  await shutdown();
  assert.equal(clockSource(), undefined);
});

test('MICROMEGAS_TELEMETRY_CLOCK chooses the clock; a bad value is refused at init', async () => {
  process.env['MICROMEGAS_TELEMETRY_CLOCK'] = 'portable';
  try {
    init({ url });
    assert.equal(clockSource(), 'performance.now');
    await shutdown();
    process.env['MICROMEGAS_TELEMETRY_CLOCK'] = 'fastest';
    assert.throws(() => init({ url }), (e) => e instanceof TelemetryConfigError && /MICROMEGAS_TELEMETRY_CLOCK must be 'auto' or 'portable', got 'fastest'/.test(e.message));
  } finally {
    delete process.env['MICROMEGAS_TELEMETRY_CLOCK'];
  }
});

for (const clock of ['auto', 'portable'] as const) {
  test(`${clock} clock: every event is within 200 µs of the performance.now() readings around it`, async () => {
    const worst = await worstDistance(clock);
    assert.ok(worst <= 200_000, `worst ${worst} ns`);
  });
}
