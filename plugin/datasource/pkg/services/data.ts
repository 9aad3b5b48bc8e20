// Data.QueryData: every query runs independently and gets its own DataResponse, errors included
// (as sdk-go plugins answer): a settings error is each query's error, not a failed call.
import type { CallContext } from '../protocol/call.js';
import type { Logger } from '../protocol/logger.js';
import type { DataQuery, DataResponse, ErrorSource, QueryDataRequest } from '../protocol/messages.js';
import { encodeFrame } from '../frames/encode.js';
import { framesFor } from '../frames/formats/index.js';
import { prepareQuery, QueryModelError } from '../query/model.js';
import { MacroError } from '../query/macros.js';
import { FormatError } from '../frames/formats/errors.js';
import { DownstreamError } from '../flightsql/engine.js';
import type { EngineInstances } from '../instances.js';
import { readSettings, SettingsError } from '../settings.js';

/** HTTP status and source of a query's failure, as Grafana shows and accounts them. */
function classify(e: unknown): { status: number; errorSource: ErrorSource } {
  if (e instanceof QueryModelError || e instanceof MacroError || e instanceof FormatError || e instanceof SettingsError) {
    return { status: 400, errorSource: 'downstream' };
  }
  if (e instanceof DownstreamError) {
    return { status: e.status, errorSource: 'downstream' };
  }
  return { status: 500, errorSource: 'plugin' };
}

function failed(e: unknown): DataResponse {
  return { frames: [], error: (e as Error).message, ...classify(e), format: 'ARROW' };
}

function byRefId(queries: DataQuery[], responses: DataResponse[]): { responses: Record<string, DataResponse> } {
  const out: Record<string, DataResponse> = {};
  queries.forEach((q, i) => (out[q.refId] = responses[i]!));
  return { responses: out };
}

export function createQueryData(instances: EngineInstances, logger: Logger) {
  return async (request: QueryDataRequest, call: CallContext): Promise<{ responses: Record<string, DataResponse> }> => {
    let settings;
    try {
      settings = readSettings(request.pluginContext);
    } catch (e) {
      logger.log('warn', 'datasource settings refused', { error: (e as Error).message });
      return byRefId(
        request.queries,
        request.queries.map(() => failed(e)),
      );
    }
    const timeFilterDefault = settings.timeFilterDefault;
    const answered = instances.with(settings, call.tenantId, async (engine) => {
      const run = async (query: DataQuery): Promise<DataResponse> => {
        const started = Date.now();
        try {
          const prepared = prepareQuery(query, timeFilterDefault);
          const table = await engine.query(prepared.sql, prepared.range, call.signal);
          const frames = framesFor(prepared.format, table, query.refId, prepared.sql).map(encodeFrame);
          logger.log('debug', 'query done', { refId: query.refId, rows: table.numRows, frames: frames.length, ms: Date.now() - started });
          return { frames, error: '', status: 200, errorSource: '', format: 'ARROW' };
        } catch (e) {
          if (call.signal.aborted) {
            logger.log('debug', 'query cancelled', { refId: query.refId, ms: Date.now() - started });
          } else {
            logger.log('warn', 'query failed', { refId: query.refId, error: (e as Error).message });
          }
          return failed(e);
        }
      };
      return byRefId(request.queries, await Promise.all(request.queries.map(run)));
    });
    // Each query answers for itself even if no connection could be made at all.
    return answered.catch((e: unknown) =>
      byRefId(
        request.queries,
        request.queries.map(() => failed(e)),
      ),
    );
  };
}
