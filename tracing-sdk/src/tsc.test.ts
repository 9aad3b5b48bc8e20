import { test } from 'node:test';
import assert from 'node:assert/strict';
import { invariantCounter, TscTimebase } from './tsc.js';

/**
 * A simulated machine: true time advances 40 ns per hrtime read (so calibration loops end), and a
 * counter runs at `rate` counts per ns, which a test may change (a drifting oscillator).
 */
class FakeMachine {
  ns = 1_000_000;
  count = 0;
  rate = 2.5;

  advance(ns: number): void {
    this.ns += ns;
    this.count += ns * this.rate;
  }

  readonly hrtime = (): bigint => {
    this.advance(40);
    return BigInt(Math.round(this.ns));
  };

  readonly tsc = { now: (): number => this.count };
}

function timebase(m: FakeMachine): TscTimebase {
  return new TscTimebase(m.tsc, 0n, undefined, m.hrtime);
}

test('calibrated, counter readings map to the hrtime they were taken at', () => {
  const m = new FakeMachine();
  const time = timebase(m);
  m.advance(5e6);
  time.refine();
  for (let i = 0; i < 200; i++) {
    m.advance(1e6 + (i % 7) * 1e5);
    time.refine();
    assert.ok(Math.abs(time.ticks(m.count) - m.ns) <= 100, `at ${m.ns} ns: ${time.ticks(m.count)}`);
  }
});

test('a reading maps to the same ticks whenever it is encoded, and later readings never map earlier', () => {
  const m = new FakeMachine();
  const time = timebase(m);
  time.refine();
  const readings: number[] = [];
  const first: number[] = [];
  for (let i = 0; i < 40; i++) {
    m.advance(37e6);
    m.rate *= 1 + (i % 2 === 0 ? 3e-5 : -2e-5); // drift both ways: segments of different slopes
    readings.push(m.count);
    first.push(time.ticks(m.count));
    time.refine();
  }
  assert.deepStrictEqual(readings.map((r) => time.ticks(r)), first, 'unchanged by later segments');
  for (let c = readings[0]!, prev = -Infinity; c < readings.at(-1)!; c += (readings.at(-1)! - readings[0]!) / 5000) {
    const t = time.ticks(c);
    assert.ok(t >= prev, 'increasing across segment starts');
    prev = t;
  }
});

test('a counter whose rate drifts by 100 ppm is followed: the error stays within a check interval of drift and then vanishes', () => {
  const m = new FakeMachine();
  const time = timebase(m);
  time.refine();
  let worst = 0;
  for (let i = 0; i < 600; i++) {
    if (i === 100) m.rate *= 1 + 1e-4;
    m.advance(50e6);
    worst = Math.max(worst, Math.abs(time.ticks(m.count) - m.ns));
    time.refine();
  }
  assert.ok(worst < 150_000, `worst error ${worst} ns`);
  assert.ok(Math.abs(time.ticks(m.count) - m.ns) < 1_000, 'converged');
});

test('the counter is used only where it is invariant', () => {
  const flags = (f: string) => `processor\t: 0\nflags\t\t: fpu tsc ${f} rdtscp\n`;
  assert.equal(invariantCounter('x64', 'linux', flags('constant_tsc nonstop_tsc'), 'tsc hpet acpi_pm\n'), true);
  assert.equal(invariantCounter('x64', 'linux', flags('constant_tsc nonstop_tsc'), undefined), true);
  assert.equal(invariantCounter('x64', 'linux', flags('constant_tsc'), 'tsc'), false, 'stops in deep C-states');
  assert.equal(invariantCounter('x64', 'linux', flags('nonstop_tsc'), 'tsc'), false, 'rate follows the CPU frequency');
  assert.equal(invariantCounter('x64', 'linux', flags('constant_tsc nonstop_tsc'), 'hpet acpi_pm'), false, 'the kernel withdrew the TSC');
  assert.equal(invariantCounter('x64', 'linux', undefined, undefined), false);
  assert.equal(invariantCounter('x64', 'darwin', undefined, undefined), false);
  assert.equal(invariantCounter('arm64', 'linux', undefined, undefined), true);
});
