// What Grafana's log shows for each line a plugin writes to stderr: a port of hashicorp/go-plugin's
// Client.logStderr (client.go) and parseJSON (log_entry.go), with hclog's LevelFromString.
//  - stderr is read with a 64 KiB bufio.Reader; a longer line comes out in pieces, each logged raw at DEBUG;
//  - a line that parses as a JSON object is an hclog entry: `@message` and `@level` are taken with Go
//    type assertions (a non-string panics the host), `@timestamp` must parse with the layout
//    2006-01-02T15:04:05.000000Z07:00 or the whole line fails; the other keys become fields;
//  - an entry whose level hclog does not know is logged raw at DEBUG, so are lines that are not JSON,
//    unless they start with [TRACE] … [ERROR]; after a line starting "panic: " or "fatal error: ",
//    every non-JSON line is an ERROR.

export type HostLevel = 'trace' | 'debug' | 'info' | 'warn' | 'error';

export interface HostLogEntry {
  level: HostLevel;
  message: string;
  /** The entry's other keys, as go-plugin passes them to hclog (plus its own `timestamp`). */
  fields: Record<string, unknown>;
  /** True when go-plugin could not read the line as an hclog entry and logged it verbatim. */
  raw: boolean;
}

/** go-plugin's defaultPluginLogBufferSize. */
export const PLUGIN_LOG_BUFFER_BYTES = 64 * 1024;

/** A line that would panic Grafana's log goroutine (and so Grafana). */
export class HostPanicError extends Error {}

const TIMESTAMP = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})[.,](\d{6})(Z|[+-]\d{2}:\d{2})$/;

/** Go's time.Parse("2006-01-02T15:04:05.000000Z07:00", value): exactly six fraction digits. */
export function parseGoTimestamp(value: string): Date {
  const m = TIMESTAMP.exec(value);
  if (!m) {
    throw new Error(`parsing time "${value}" as "2006-01-02T15:04:05.000000Z07:00": cannot parse`);
  }
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth || hour > 23 || minute > 59 || second > 59) {
    throw new Error(`parsing time "${value}": value out of range`);
  }
  const zone = m[8]!;
  const offsetMinutes = zone === 'Z' ? 0 : (zone[0] === '-' ? -1 : 1) * (Number(zone.slice(1, 3)) * 60 + Number(zone.slice(4, 6)));
  return new Date(Date.UTC(year, month - 1, day, hour, minute, second) + Number(m[7]!.slice(0, 3)) - offsetMinutes * 60_000);
}

interface ParsedEntry {
  message: string;
  level: string;
  timestamp?: Date;
  kv: Record<string, unknown>;
}

/** log_entry.go parseJSON: throws where Go returns an error, HostPanicError where Go panics. */
export function parseJSON(line: string): ParsedEntry {
  const raw: unknown = JSON.parse(line);
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new Error('json: cannot unmarshal into Go value of type map[string]interface {}');
  }
  const { '@message': message, '@level': level, '@timestamp': timestamp, ...kv } = raw as Record<string, unknown>;
  const entry: ParsedEntry = { message: '', level: '', kv };
  for (const [key, value] of [
    ['@message', message],
    ['@level', level],
    ['@timestamp', timestamp],
  ] as const) {
    if (value !== undefined && typeof value !== 'string') {
      throw new HostPanicError(`interface conversion: ${key} is ${typeof value}, not string`);
    }
  }
  entry.message = (message as string | undefined) ?? '';
  entry.level = (level as string | undefined) ?? '';
  if (timestamp !== undefined) {
    entry.timestamp = parseGoTimestamp(timestamp as string);
  }
  return entry;
}

/** hclog.LevelFromString: undefined is NoLevel; "off" is hclog.Off. */
function levelFromString(level: string): HostLevel | 'off' | undefined {
  const l = level.trim().toLowerCase();
  return ['trace', 'debug', 'info', 'warn', 'error', 'off'].includes(l) ? (l as HostLevel | 'off') : undefined;
}

const PREFIXES: Array<[string, HostLevel]> = [
  ['[TRACE]', 'trace'],
  ['[DEBUG]', 'debug'],
  ['[INFO]', 'info'],
  ['[WARN]', 'warn'],
  ['[ERROR]', 'error'],
];

/** Reads a plugin's stderr as go-plugin does, one call per chunk; `entries` is what the host logged. */
export class StderrReader {
  readonly entries: HostLogEntry[] = [];
  private pending = Buffer.alloc(0);
  private inPanic = false;

  push(chunk: Buffer): void {
    this.pending = Buffer.concat([this.pending, chunk]);
    for (;;) {
      const newline = this.pending.indexOf(0x0a);
      if (newline < 0) {
        // ReadLine hands out a full buffer as a prefix of a longer line.
        while (this.pending.length >= PLUGIN_LOG_BUFFER_BYTES) {
          this.raw('debug', this.pending.subarray(0, PLUGIN_LOG_BUFFER_BYTES).toString('utf8'));
          this.pending = this.pending.subarray(PLUGIN_LOG_BUFFER_BYTES);
        }
        return;
      }
      let line = this.pending.subarray(0, newline);
      this.pending = this.pending.subarray(newline + 1);
      if (line.length > 0 && line[line.length - 1] === 0x0d) {
        line = line.subarray(0, line.length - 1);
      }
      if (line.length >= PLUGIN_LOG_BUFFER_BYTES) {
        for (let start = 0; start < line.length; start += PLUGIN_LOG_BUFFER_BYTES) {
          this.raw('debug', line.subarray(start, start + PLUGIN_LOG_BUFFER_BYTES).toString('utf8'));
        }
        continue;
      }
      this.line(line.toString('utf8'));
    }
  }

  private raw(level: HostLevel, message: string): void {
    this.entries.push({ level, message, fields: {}, raw: true });
  }

  private line(line: string): void {
    let entry: ParsedEntry;
    try {
      entry = parseJSON(line);
    } catch (e) {
      if (e instanceof HostPanicError) {
        throw e;
      }
      const prefixed = PREFIXES.find(([prefix]) => line.startsWith(prefix));
      if (prefixed) {
        this.raw(prefixed[1], line);
      } else if (line.startsWith('panic: ') || line.startsWith('fatal error: ') || this.inPanic) {
        this.inPanic = true;
        this.raw('error', line);
      } else {
        this.raw('debug', line);
      }
      return;
    }
    const level = levelFromString(entry.level);
    if (level === undefined || level === 'off') {
      this.raw('debug', line);
      return;
    }
    this.entries.push({ level, message: entry.message, fields: { ...entry.kv, timestamp: entry.timestamp }, raw: false });
  }
}
