/** `micromegas query` time bounds: `now`, a duration back from now (30s, 15m, 1h, 2d, 1w) or RFC 3339. */
import { UsageError } from '../command.js';

const UNIT_MS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };
const RELATIVE = /^(\d+(?:\.\d+)?)(ms|s|m|h|d|w)$/;
const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;

export class TimeBoundError extends Error {
  override name = 'TimeBoundError';
  constructor(readonly option: string, readonly value: string) {
    super(`${option} '${value}': expected now, a duration such as 30m/1h/2d, or an RFC 3339 timestamp`);
  }
}

export function parseTimeBound(option: string, value: string, now: Date): Date {
  const text = value.trim();
  if (text === 'now') return now;
  const relative = RELATIVE.exec(text);
  if (relative) return new Date(now.getTime() - Number(relative[1]) * UNIT_MS[relative[2]!]!);
  if (RFC3339.test(text)) {
    const date = new Date(text);
    if (!Number.isNaN(date.getTime())) return date;
  }
  throw new TimeBoundError(option, value);
}

/** A verb's `--begin`/`--end` (an absent one stays undefined); a bad one is a UsageError naming it. */
export function parseTimeOptions(values: { begin?: string | undefined; end?: string | undefined }, now: Date): { begin?: Date; end?: Date } {
  try {
    return {
      ...(values.begin === undefined ? {} : { begin: parseTimeBound('--begin', values.begin, now) }),
      ...(values.end === undefined ? {} : { end: parseTimeBound('--end', values.end, now) }),
    };
  } catch (err) {
    if (err instanceof TimeBoundError) throw new UsageError(err.message);
    throw err;
  }
}
