// Data.QueryData: every query runs independently; one query's failure is its own DataResponse.error.
import type { Logger } from '../protocol/logger.js';
import type { DataQuery, DataResponse, QueryDataRequest } from '../protocol/messages.js';
import { encodeFrame } from '../frames/encode.js';
import { framesFor } from '../frames/formats/index.js';
import { prepareQuery, QueryModelError } from '../query/model.js';
import { MacroError } from '../query/macros.js';
import { FormatError } from '../frames/formats/errors.js';
import type { EngineInstances } from '../instances.js';
import { readSettings } from '../settings.js';

/** Errors caused by the query text rather than by the server: HTTP 400 in Grafana's terms. */
const isUserError = (e: unknown) => e instanceof QueryModelError || e instanceof MacroError || e instanceof FormatError;

export function createQueryData(instances: EngineInstances, logger: Logger) {
  return async (request: QueryDataRequest): Promise<{ responses: Record<string, DataResponse> }> => {
    const settings = readSettings(request.pluginContext);
    const engine = instances.get(settings);
    const run = async (query: DataQuery): Promise<DataResponse> => {
      const started = Date.now();
      try {
        const prepared = prepareQuery(query, settings.timeFilterDefault);
        const table = await engine.query(prepared.sql, prepared.range);
        const frames = framesFor(prepared.format, table, query.refId, prepared.sql).map(encodeFrame);
        logger.log('debug', 'query done', { refId: query.refId, rows: table.numRows, frames: frames.length, ms: Date.now() - started });
        return { frames, error: '', status: 200 };
      } catch (e) {
        const message = (e as Error).message;
        logger.log('warn', 'query failed', { refId: query.refId, error: message });
        return { frames: [], error: message, status: isUserError(e) ? 400 : 500 };
      }
    };
    const results = await Promise.all(request.queries.map(run));
    const responses: Record<string, DataResponse> = {};
    request.queries.forEach((q, i) => (responses[q.refId] = results[i]!));
    return { responses };
  };
}
