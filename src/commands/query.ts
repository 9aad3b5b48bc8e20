import { once } from 'node:events';
import { FlightSQLError } from '@micromegas/flightsql-client';
import { parseCommandLine, UsageError, type Command } from '../command.js';
import { CONNECT_OPTIONS, CONNECT_USAGE, connect } from './flightsql-connect.js';
import { OUTPUT_FORMATS, writeResult, type OutputFormat } from './query-format.js';
import { parseTimeOptions } from './query-time.js';

/** Writes with backpressure; rejects once stdout is gone (e.g. piped into `head`), which ends the query. */
function stdoutWriter(): (text: string) => Promise<void> {
  const gone = new Promise<never>((_, reject) => process.stdout.once('error', reject));
  gone.catch(() => {}); // observed through the race below
  return async (text) => {
    if (!process.stdout.write(text)) await Promise.race([once(process.stdout, 'drain'), gone]);
  };
}

const isBrokenPipe = (err: unknown) => (err as NodeJS.ErrnoException).code === 'EPIPE';

export const command: Command = {
  summary: 'run a SQL query over FlightSQL and print the result',
  usage: 'micromegas query "SQL" [--begin 1h] [--end now] [--format table|csv|json] [--url grpc://host:port] [--api-key K]\n'
    + `  --begin/--end: now, a duration back from now (30m, 1h, 2d) or RFC 3339; ${CONNECT_USAGE}`,
  async run(args) {
    const { values, positionals } = parseCommandLine(args, {
      begin: { type: 'string' },
      end: { type: 'string' },
      format: { type: 'string', default: 'table' },
      ...CONNECT_OPTIONS,
    });
    if (positionals.length !== 1 || positionals[0]!.trim() === '') throw new UsageError('expected exactly one SQL argument');
    const format = values.format as OutputFormat;
    if (!OUTPUT_FORMATS.includes(format)) throw new UsageError(`--format must be one of ${OUTPUT_FORMATS.join(', ')}`);
    const { begin, end } = parseTimeOptions(values, new Date());
    if (begin && end && begin > end) throw new UsageError(`--begin (${begin.toISOString()}) is after --end (${end.toISOString()})`);

    const client = connect(values);
    try {
      const { schema, batches } = await client.queryStream(positionals[0]!, begin, end);
      await writeResult(format, schema, batches, stdoutWriter());
      return 0;
    } catch (err) {
      if (isBrokenPipe(err)) return 0; // the reader has all it wanted
      if (!(err instanceof FlightSQLError)) throw err;
      console.error(`micromegas query: ${err.codeName}: ${err.message}`);
      return 1;
    } finally {
      client.close();
    }
  },
};
