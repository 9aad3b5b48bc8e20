/**
 * A pino log line (as pino-abstract-transport parses it) → our log entry: level, time, target,
 * message and properties. Pure functions: the transport in pino.ts feeds them.
 */
import { Level } from '@micromegas/wire';

export type PinoLine = Readonly<Record<string, unknown>>;

/** pino's levels as its transports receive them (`{ labels, values }`), for custom levels and label formatters. */
export interface PinoLevels {
  values?: Readonly<Record<string, number>>;
}

/** pino's standard level numbers; a custom level maps like the standard level at or below it. */
const PINO_FATAL = 60;
const PINO_ERROR = 50;
const PINO_WARN = 40;
const PINO_INFO = 30;
const PINO_DEBUG = 20;
const STANDARD_LABELS: Readonly<Record<string, number>> = { fatal: PINO_FATAL, error: PINO_ERROR, warn: PINO_WARN, info: PINO_INFO, debug: PINO_DEBUG, trace: 10 };

/** Our level (1 fatal … 6 trace) of pino's level: a number, or a label when `formatters.level` writes one. */
export function levelOf(level: unknown, levels?: PinoLevels): number {
  const n = typeof level === 'number' ? level
    : typeof level === 'string' ? (levels?.values?.[level] ?? STANDARD_LABELS[level.toLowerCase()]) : undefined;
  if (n === undefined || Number.isNaN(n)) return Level.Info;
  if (n >= PINO_FATAL) return Level.Fatal;
  if (n >= PINO_ERROR) return Level.Error;
  if (n >= PINO_WARN) return Level.Warn;
  if (n >= PINO_INFO) return Level.Info;
  if (n >= PINO_DEBUG) return Level.Debug;
  return Level.Trace;
}

/** Numbers below this are seconds (`stdTimeFunctions.unixTime`), above milliseconds: 1e11 ms is 1973, 1e11 s year 5138. */
const SECONDS_BELOW = 1e11;
const ISO = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d{1,9}))?(Z|[+-]\d\d:?\d\d)$/;

/**
 * Unix nanoseconds of pino's `time`: epoch milliseconds (the default), seconds (`unixTime`), or an
 * ISO 8601 string (`isoTime`, `isoTimeNano`: nanoseconds kept exactly). Undefined when absent
 * (`timestamp: false`) or unreadable.
 */
export function timeNsOf(time: unknown): bigint | undefined {
  if (typeof time === 'number' && Number.isFinite(time) && time >= 0) {
    const ms = time < SECONDS_BELOW ? time * 1000 : time;
    return Number.isInteger(ms) ? BigInt(ms) * 1_000_000n : BigInt(Math.round(ms * 1e6));
  }
  if (typeof time !== 'string') return undefined;
  const iso = ISO.exec(time);
  if (iso) {
    const zone = iso[3]!.length === 5 ? `${iso[3]!.slice(0, 3)}:${iso[3]!.slice(3)}` : iso[3]!;
    const wholeSecondMs = Date.parse(iso[1]! + zone);
    if (Number.isNaN(wholeSecondMs)) return undefined;
    return BigInt(wholeSecondMs) * 1_000_000n + BigInt((iso[2] ?? '').padEnd(9, '0'));
  }
  const ms = Date.parse(time);
  return Number.isNaN(ms) ? undefined : BigInt(ms) * 1_000_000n;
}

/** Times further than this from the line's arrival are not trusted as event times (a week, in ns). */
export const MAX_SKEW_NS = 7n * 86_400n * 1_000_000_000n;

/**
 * When the entry happened: pino's time, unless it is absent, unreadable or more than MAX_SKEW_NS
 * away from `nowNs` (a clock or timestamp gone wrong); then the arrival time, and pino's value is
 * kept as the `time` property.
 */
export function entryTime(time: unknown, nowNs: bigint): { ns: bigint; original?: string } {
  const ns = timeNsOf(time);
  if (ns !== undefined && ns - nowNs <= MAX_SKEW_NS && nowNs - ns <= MAX_SKEW_NS) return { ns };
  return time === undefined ? { ns: nowNs } : { ns: nowNs, original: text(time) };
}

/** A property value: strings as they are, everything else as JSON (arrays, numbers, booleans, null). */
function text(value: unknown): string {
  return typeof value === 'string' ? value : (JSON.stringify(value) ?? String(value));
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * The line's other fields (bindings and the logged object) as string properties: nested objects
 * flattened into dotted keys (`err.message`, `req.headers.host`), arrays and scalars as JSON text.
 */
export function propertiesOf(line: PinoLine, skip: (key: string, value: unknown) => boolean): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (object: Readonly<Record<string, unknown>>, prefix: string): void => {
    for (const [key, value] of Object.entries(object)) {
      if (value === undefined) continue;
      const name = prefix + key;
      if (isPlainObject(value) && Object.keys(value).length > 0) walk(value, name + '.');
      else out[name] = text(value);
    }
  };
  walk(Object.fromEntries(Object.entries(line).filter(([key, value]) => !skip(key, value))), '');
  return out;
}

/** The message: pino's `msg` (or its configured messageKey), JSON when it is not a string, '' when absent. */
export function messageOf(line: PinoLine, messageKey: string): string {
  const msg = line[messageKey];
  return msg === undefined ? '' : text(msg);
}
