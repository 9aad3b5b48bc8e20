// go-plugin forwards every stderr line of a plugin to the host's log (client.go logStderr). A line
// keeps its level and fields only if it parses as hclog's JSON (log_entry.go parseJSON): `@level`
// one of trace, debug, info, warn, error; `@message` a string; `@timestamp` in Go's layout
// 2006-01-02T15:04:05.000000Z07:00 (exactly six fraction digits: three fail the whole line); other
// keys become fields. Lines that do not parse, and lines longer than the host's 64 KiB read buffer,
// are logged raw at DEBUG.

export type LogLevel = 'trace' | 'debug' | 'info' | 'warn' | 'error';

export interface Logger {
  log(level: LogLevel, message: string, fields?: Record<string, unknown>): void;
}

/** Well under go-plugin's 64 KiB stderr line buffer (PluginLogBufferSize). */
export const MAX_LINE_BYTES = 32 * 1024;

/** Now, in microseconds since the epoch: the wall clock at start plus the monotonic clock since. */
function nowMicros(): number {
  return Math.floor((performance.timeOrigin + performance.now()) * 1000);
}

/** `2024-05-01T10:00:00.123456Z`: hclog's JSON timestamp, in UTC. */
export function hclogTimestamp(micros: number = nowMicros()): string {
  const millis = Math.floor(micros / 1000);
  const iso = new Date(millis).toISOString(); // ….mmmZ
  return `${iso.slice(0, -1)}${String(micros - millis * 1000).padStart(3, '0')}Z`;
}

function bigintAsString(_key: string, value: unknown): unknown {
  return typeof value === 'bigint' ? value.toString() : value;
}

/** Shortens the longest string value until the line fits, so it still reaches Grafana as one entry. */
function fitted(record: Record<string, unknown>): string {
  let line = JSON.stringify(record, bigintAsString);
  while (Buffer.byteLength(line) > MAX_LINE_BYTES) {
    let longest: string | undefined;
    for (const [key, value] of Object.entries(record)) {
      if (typeof value === 'string' && (longest === undefined || value.length > (record[longest] as string).length)) {
        longest = key;
      }
    }
    const value = longest === undefined ? '' : (record[longest] as string);
    if (longest === undefined || value.length < 64) {
      // Only non-string fields are large: keep what hclog needs.
      return JSON.stringify({ '@level': record['@level'], '@message': record['@message'], '@timestamp': record['@timestamp'] });
    }
    record[longest] = `${value.slice(0, Math.floor(value.length / 2))}… (truncated)`;
    line = JSON.stringify(record, bigintAsString);
  }
  return line;
}

export function jsonLinesLogger(write: (line: string) => void = (line) => process.stderr.write(line)): Logger {
  return {
    log(level, message, fields = {}) {
      write(fitted({ ...fields, '@level': level, '@message': message, '@timestamp': hclogTimestamp() }) + '\n');
    },
  };
}
