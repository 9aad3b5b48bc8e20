/**
 * An app that logs with pino through `@micromegas/tracing/pino`, run as a child process by
 * sdk-pino.test.ts: `node pino-app.js <scenario> <ingestion url>`. pino's own file target copies
 * every line to stdout where the test reads what pino wrote.
 */
import { pino } from 'pino';

const [scenario, url] = process.argv.slice(2);
const ours = (options: Record<string, unknown> = {}) => ({
  target: '@micromegas/tracing/pino',
  options: { url, exe: 'shop-api', properties: { deploy: 'blue' }, ...options },
});
const toStdout = { target: 'pino/file', options: { destination: 1 } };

switch (scenario) {
  case 'exit': {
    // Ends by running out of work: pino ends the transport at exit and waits for its delivery.
    const log = pino({ name: 'shop', level: 'trace', transport: { targets: [{ ...ours(), level: 'trace' }, { ...toStdout, level: 'trace' }] } });
    log.child({ module: 'cart' }).info({ user: { id: 7, tags: ['a', 'b'] }, ok: true }, 'checkout %d', 3);
    log.warn({ retry: null }, 'slow');
    log.error(new Error('boom'), 'failed');
    log.fatal('down');
    log.debug({ n: 1.5 }, 'detail');
    log.trace('step');
    log.info('plain');
    break;
  }
  case 'flush': {
    // Nanosecond timestamps, a custom level and message key; flush, then stay alive until killed.
    // Our transport alone: pino passes flush() on to a single target only.
    const times: string[] = [];
    const log = pino({
      level: 'trace', messageKey: 'message', customLevels: { audit: 35 },
      timestamp: () => {
        const time = pino.stdTimeFunctions.isoTimeNano();
        times.push(time);
        return time;
      },
      transport: ours({ exe: 'flusher' }),
    });
    log.audit({ who: 'ana' }, 'opened');
    log.info('second');
    log.flush((error) => {
      process.stdout.write(`${JSON.stringify({ flushed: error ? String(error) : true, times })}\n`);
      setInterval(() => {}, 1000);
    });
    break;
  }
  case 'unreachable': {
    // Nothing listens at `url`: the app logs, flushes and exits all the same.
    const log = pino({ name: 'lost', transport: ours({ exe: 'lost', shutdownTimeoutMs: 300 }) });
    for (let i = 0; i < 5000; i++) log.info({ i }, 'line');
    log.flush((error) => process.stdout.write(`${JSON.stringify({ flushed: error ? String(error) : true, logged: 5000 })}\n`));
    break;
  }
  default:
    throw new Error(`unknown scenario ${scenario}`);
}
