// Server-side expansion of Grafana SQL macros into DuckDB SQL (the engine behind our FlightSQL server).
// Arguments are split on top-level commas, so `$__timeGroup(coalesce(a, b), 1m)` works; quoted text is
// never scanned for macros. Column arguments are expanded in turn; interval arguments are read as durations.

export interface MacroContext {
  from: Date;
  to: Date;
  intervalMs: number;
}

export class MacroError extends Error {
  constructor(
    readonly macro: string,
    message: string,
  ) {
    super(`$__${macro}: ${message}`);
    this.name = 'MacroError';
  }
}

const DURATION_UNITS_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/** Parses Grafana duration strings (`500ms`, `30s`, `1m`, `2h`, `1d`, `1w`), optionally quoted, or `$__interval`. */
export function parseDurationMs(text: string, ctx: MacroContext): number | undefined {
  const trimmed = text.trim().replace(/^'(.*)'$/, '$1');
  if (trimmed === '$__interval') {
    return ctx.intervalMs;
  }
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h|d|w)$/.exec(trimmed);
  if (!match) {
    return undefined;
  }
  return Number(match[1]) * DURATION_UNITS_MS[match[2]!]!;
}

// The lake's time columns are UTC TIMESTAMP_NS, which DuckDB compares with TIMESTAMP but not with
// TIMESTAMPTZ: bounds are written as UTC wall-clock TIMESTAMP literals.
const timestamp = (date: Date) => `TIMESTAMP '${date.toISOString().replace('T', ' ').replace('Z', '')}'`;
const interval = (ms: number) => `INTERVAL '${Math.max(1, Math.round(ms))} milliseconds'`;

type Expander = (args: string[] | undefined, ctx: MacroContext) => string;

function requireArgs(name: string, args: string[] | undefined, count: number): string[] {
  if (!args || args.length !== count || args.some((a) => a.length === 0)) {
    throw new MacroError(
      name,
      `expects ${count} argument${count > 1 ? 's' : ''}, got ${args && args.length > 0 ? `(${args.join(', ')})` : 'none'}`,
    );
  }
  return args;
}

const MACROS: Record<string, Expander> = {
  timeFilter: (args, ctx) => {
    const column = expandMacros(requireArgs('timeFilter', args, 1)[0]!, ctx);
    return `(${column} >= ${timestamp(ctx.from)} AND ${column} <= ${timestamp(ctx.to)})`;
  },
  timeFrom: (_args, ctx) => timestamp(ctx.from),
  timeTo: (_args, ctx) => timestamp(ctx.to),
  interval: (_args, ctx) => interval(ctx.intervalMs),
  interval_ms: (_args, ctx) => String(Math.round(ctx.intervalMs)),
  timeGroup: (args, ctx) => {
    const [column, spec] = requireArgs('timeGroup', args, 2);
    const ms = parseDurationMs(spec!, ctx);
    if (ms === undefined) {
      throw new MacroError('timeGroup', `cannot read "${spec}" as an interval (use e.g. 30s, 5m, 1h or $__interval)`);
    }
    return `time_bucket(${interval(ms)}, ${expandMacros(column!, ctx)})`;
  },
  dateBin: (args, ctx) => {
    const column = expandMacros(requireArgs('dateBin', args, 1)[0]!, ctx);
    return `time_bucket(${interval(ctx.intervalMs)}, ${column})`;
  },
};

/** Splits `a, f(b, c), 'x,y'` at top-level commas. Returns the args and the index after the closing paren. */
function readArguments(sql: string, open: number, name: string): { args: string[]; end: number } {
  const args: string[] = [];
  let depth = 0;
  let quote: string | null = null;
  let start = open + 1;
  for (let i = open; i < sql.length; i++) {
    const c = sql[i]!;
    if (quote) {
      if (c === quote) {
        quote = null;
      }
    } else if (c === "'" || c === '"') {
      quote = c;
    } else if (c === '(') {
      depth++;
    } else if (c === ')') {
      depth--;
      if (depth === 0) {
        const last = sql.slice(start, i).trim();
        if (last.length > 0 || args.length > 0) {
          args.push(last);
        }
        return { args, end: i + 1 };
      }
    } else if (c === ',' && depth === 1) {
      args.push(sql.slice(start, i).trim());
      start = i + 1;
    }
  }
  throw new MacroError(name, 'unbalanced parentheses');
}

export function expandMacros(sql: string, ctx: MacroContext): string {
  let out = '';
  let quote: string | null = null;
  for (let i = 0; i < sql.length;) {
    const c = sql[i]!;
    if (quote) {
      out += c;
      if (c === quote) {
        quote = null;
      }
      i++;
      continue;
    }
    if (c === "'" || c === '"') {
      quote = c;
      out += c;
      i++;
      continue;
    }
    const match = c === '$' ? /^\$__([A-Za-z_]+)/.exec(sql.slice(i)) : null;
    if (!match) {
      out += c;
      i++;
      continue;
    }
    // Longest known name wins, so `$__interval_ms` is not read as `$__interval` + `_ms`.
    const name = match[1]!;
    const expander = MACROS[name];
    if (!expander) {
      throw new MacroError(
        name,
        `unknown macro (known: ${Object.keys(MACROS)
          .map((m) => `$__${m}`)
          .join(', ')})`,
      );
    }
    let next = i + match[0].length;
    let args: string[] | undefined;
    if (sql[next] === '(') {
      const read = readArguments(sql, next, name);
      args = read.args;
      next = read.end;
    }
    out += expander(args, ctx);
    i = next;
  }
  return out;
}
