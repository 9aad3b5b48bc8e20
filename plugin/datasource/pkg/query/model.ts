// Turns one Grafana DataQuery into the SQL statement and time range sent to FlightSQL.
import { FORMATS, type Format, type MicromegasQuery } from '../../src/types.js';
import type { DataQuery } from '../protocol/messages.js';
import { expandMacros } from './macros.js';

export interface QueryRange {
  begin: Date;
  end: Date;
}

export interface PreparedQuery {
  refId: string;
  format: Format;
  sql: string;
  /** Present when the time-filter switch is on: sent as query_range_begin/end. */
  range?: QueryRange;
}

export class QueryModelError extends Error {
  constructor(
    readonly refId: string,
    message: string,
  ) {
    super(message);
    this.name = 'QueryModelError';
  }
}

const TRAILING_LIMIT = /\blimit\s+\d+(\s+offset\s+\d+)?\s*;?\s*$/i;

/** Wraps the statement so at most `limit` rows come back, unless it already ends with a LIMIT. */
export function applyAutoLimit(sql: string, limit: number): string {
  const statement = sql.trim().replace(/;\s*$/, '');
  if (limit <= 0 || TRAILING_LIMIT.test(statement)) {
    return statement;
  }
  return `SELECT * FROM (${statement}) LIMIT ${Math.floor(limit)}`;
}

function parseModel(query: DataQuery): Partial<MicromegasQuery> {
  if (query.json.length === 0) {
    return {};
  }
  try {
    return JSON.parse(query.json.toString('utf8')) as Partial<MicromegasQuery>;
  } catch (e) {
    throw new QueryModelError(query.refId, `query model is not valid JSON: ${(e as Error).message}`);
  }
}

export function prepareQuery(query: DataQuery, timeFilterDefault: boolean): PreparedQuery {
  const model = parseModel(query);
  const rawSql = (model.rawSql ?? '').trim();
  if (rawSql.length === 0) {
    throw new QueryModelError(query.refId, 'the query has no SQL');
  }
  const format = model.format ?? 'table';
  if (!FORMATS.includes(format)) {
    throw new QueryModelError(query.refId, `unknown format "${String(format)}" (expected one of ${FORMATS.join(', ')})`);
  }
  const from = new Date(query.timeRange?.fromEpochMS ?? 0);
  const to = new Date(query.timeRange?.toEpochMS ?? Date.now());
  const intervalMs =
    query.intervalMS > 0 ? query.intervalMS : Math.max(1, (to.getTime() - from.getTime()) / Math.max(1, query.maxDataPoints || 1000));
  let sql = expandMacros(rawSql, { from, to, intervalMs });
  if (model.autoLimit) {
    sql = applyAutoLimit(sql, query.maxDataPoints > 0 ? query.maxDataPoints : 1000);
  }
  const timeFilter = model.timeFilter ?? timeFilterDefault;
  return { refId: query.refId, format, sql, ...(timeFilter ? { range: { begin: from, end: to } } : {}) };
}
