import { createWriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { once } from 'node:events';
import { FlightSQLError } from '@micromegas/flightsql-client';
import { parseCommandLine, UsageError, type Command } from '../command.js';
import { CONNECT_OPTIONS, CONNECT_USAGE, connect } from './flightsql-connect.js';
import { parseTimeOptions } from './query-time.js';

const SPAN_TYPES = ['thread', 'async', 'both'];

const literal = (text: string) => `'${text.replaceAll("'", "''")}'`;

export const command: Command = {
  summary: 'write a process’s Perfetto trace (thread and async spans) to a file',
  usage: 'micromegas perfetto <process_id> --begin 1h [--end now] [--span-types thread|async|both] [-o trace.perfetto] [--url grpc://host:port] [--api-key K]\n'
    + `  --begin/--end: now, a duration back from now (30m, 1h, 2d) or RFC 3339; -o defaults to <process_id>.perfetto; ${CONNECT_USAGE}\n`
    + '  open the file at https://ui.perfetto.dev (Open trace file)',
  async run(args) {
    const { values, positionals } = parseCommandLine(args, {
      begin: { type: 'string' },
      end: { type: 'string', default: 'now' },
      'span-types': { type: 'string', default: 'both' },
      output: { type: 'string', short: 'o' },
      ...CONNECT_OPTIONS,
    });
    if (positionals.length !== 1 || positionals[0]!.trim() === '') throw new UsageError('expected exactly one process id');
    const processId = positionals[0]!.trim();
    if (values.begin === undefined) throw new UsageError('--begin is required');
    const spanTypes = values['span-types'];
    if (!SPAN_TYPES.includes(spanTypes)) throw new UsageError(`--span-types must be one of ${SPAN_TYPES.join(', ')}`);
    const { begin, end } = parseTimeOptions(values, new Date()) as { begin: Date; end: Date };
    if (!(begin < end)) throw new UsageError(`--begin (${begin.toISOString()}) must be before --end (${end.toISOString()})`);
    const output = values.output ?? `${processId.replace(/[^A-Za-z0-9._-]/g, '_')}.perfetto`;

    const client = connect(values);
    // Written aside and renamed when complete: a failed export leaves no truncated trace behind.
    const partial = `${output}.partial`;
    try {
      const sql = `SELECT chunk_id, chunk_data FROM perfetto_trace_chunks(${literal(processId)}, ${literal(spanTypes)}, `
        + `${literal(begin.toISOString())}, ${literal(end.toISOString())}) ORDER BY chunk_id`;
      const { batches } = await client.queryStream(sql, begin, end);
      const file = createWriteStream(partial);
      let chunks = 0;
      let bytes = 0;
      try {
        for await (const batch of batches) {
          const ids = batch.getChild('chunk_id')!;
          const data = batch.getChild('chunk_data')!;
          for (let i = 0; i < batch.numRows; i++) {
            if (ids.get(i) !== chunks) throw new Error(`chunk ${String(ids.get(i))} came where chunk ${chunks} was expected`);
            const chunk = data.get(i) as Uint8Array;
            if (!file.write(chunk)) await once(file, 'drain');
            chunks++;
            bytes += chunk.byteLength;
          }
        }
      } finally {
        file.end();
        await once(file, 'close');
      }
      await rename(partial, output);
      console.log(`micromegas perfetto: wrote ${output} (${bytes} bytes, ${chunks} chunks): open it at https://ui.perfetto.dev`);
      return 0;
    } catch (err) {
      await rm(partial, { force: true });
      if (!(err instanceof FlightSQLError)) throw err;
      console.error(`micromegas perfetto: ${err.codeName}: ${err.message}`);
      return 1;
    } finally {
      client.close();
    }
  },
};
