// Starts flightsqlFixture.mjs and follows what it reports.
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

export type FixtureEvent =
  | { event: 'listening'; address: string }
  | { event: 'call'; rpc: string; authorization: string | null }
  | { event: 'query-start'; id: number; sql: string; running: number }
  | {
      event: 'query-end';
      id: number;
      outcome: 'completed' | 'cancelled' | 'failed' | 'abandoned';
      code?: string;
      message?: string;
      running: number;
    };

export interface ObservedFlightSql {
  address: string;
  events: FixtureEvent[];
  /** Resolves with the first event (already seen or to come) that matches. */
  next<E extends FixtureEvent['event']>(
    event: E,
    match?: (e: Extract<FixtureEvent, { event: E }>) => boolean,
  ): Promise<Extract<FixtureEvent, { event: E }>>;
  stop(): Promise<void>;
}

export async function startObservedFlightSql(options: { maxMessageBytes?: number } = {}): Promise<ObservedFlightSql> {
  const args = options.maxMessageBytes ? ['--max-message-bytes', String(options.maxMessageBytes)] : [];
  const child: ChildProcess = spawn(process.execPath, [join(__dirname, 'flightsqlFixture.mjs'), ...args], {
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const events: FixtureEvent[] = [];
  const waiters: Array<{ test: (e: FixtureEvent) => boolean; resolve: (e: FixtureEvent) => void }> = [];
  createInterface({ input: child.stdout! }).on('line', (line) => {
    const event = JSON.parse(line) as FixtureEvent;
    events.push(event);
    for (const waiter of [...waiters]) {
      if (waiter.test(event)) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve(event);
      }
    }
  });
  const next: ObservedFlightSql['next'] = (event, match = () => true) =>
    new Promise((resolve) => {
      const test = (e: FixtureEvent) => e.event === event && match(e as never);
      const seen = events.find(test);
      if (seen) {
        resolve(seen as never);
      } else {
        waiters.push({ test, resolve: resolve as (e: FixtureEvent) => void });
      }
    });
  const listening = await Promise.race([
    next('listening'),
    new Promise<never>((_, reject) => child.on('exit', (code) => reject(new Error(`FlightSQL fixture exited with ${code}: ${stderr}`)))),
  ]);
  return {
    address: listening.address,
    events,
    next,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) {
          return resolve();
        }
        child.on('exit', () => resolve());
        child.stdin!.end();
      }),
  };
}
