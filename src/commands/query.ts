import { once } from 'node:events';
import { parseArgs } from 'node:util';
import { FlightSQLClient, FlightSQLError } from '@micromegas/flightsql-client';
import { UsageError, type Command } from '../command.js';
import { OUTPUT_FORMATS, writeResult, type OutputFormat } from './query-format.js';
import { parseTimeBound, TimeBoundError } from './query-time.js';

const DEFAULT_URL = 'grpc://127.0.0.1:50051';

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
    + `  --begin/--end: now, a duration back from now (30m, 1h, 2d) or RFC 3339; --url defaults to $MICROMEGAS_FLIGHTSQL_URL or ${DEFAULT_URL}, --api-key to $MICROMEGAS_API_KEY`,
  async run(args) {
    let parsed;
    try {
      parsed = parseArgs({
        args,
        allowPositionals: true,
        strict: true,
        options: {
          begin: { type: 'string' },
          end: { type: 'string' },
          format: { type: 'string', default: 'table' },
          url: { type: 'string' },
          'api-key': { type: 'string' },
        },
      });
    } catch (err) {
      throw new UsageError((err as Error).message);
    }
    const { values, positionals } = parsed;
    if (positionals.length !== 1 || positionals[0]!.trim() === '') throw new UsageError('expected exactly one SQL argument');
    const format = values.format as OutputFormat;
    if (!OUTPUT_FORMATS.includes(format)) throw new UsageError(`--format must be one of ${OUTPUT_FORMATS.join(', ')}`);
    const now = new Date();
    let begin: Date | undefined;
    let end: Date | undefined;
    try {
      begin = values.begin === undefined ? undefined : parseTimeBound('--begin', values.begin, now);
      end = values.end === undefined ? undefined : parseTimeBound('--end', values.end, now);
    } catch (err) {
      if (err instanceof TimeBoundError) throw new UsageError(err.message);
      throw err;
    }
    if (begin && end && begin > end) throw new UsageError(`--begin (${begin.toISOString()}) is after --end (${end.toISOString()})`);

    const url = values.url ?? process.env.MICROMEGAS_FLIGHTSQL_URL ?? DEFAULT_URL;
    const token = values['api-key'] ?? process.env.MICROMEGAS_API_KEY;
    let client: FlightSQLClient;
    try {
      client = new FlightSQLClient({ url, ...(token ? { token } : {}) });
    } catch (err) {
      throw new UsageError(`--url '${url}': ${(err as Error).message}`);
    }
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
