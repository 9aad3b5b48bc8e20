// Grafana's browser half around our datasource: @grafana/runtime's real DataSourceWithBackend (our
// DataSource extends it) with the services Grafana 13 installs behind it, ported or played:
//  - TemplateSrv.replace (grafana public/app/features/templating/template_srv.ts): with a scene
//    object in the scoped vars (`__sceneObject`, which scenes always passes) it is scenes'
//    interpolation in that object's scope; the pre-scenes path is not ported;
//  - backendSrv.fetch: POST /api/ds/query answered by the query service port over the real plugin
//    executable (a status ≥ 400 rejects, as Grafana's fetch does);
//  - the datasource service: our one datasource, by uid;
//  - runRequest's callQueryMethod (public/app/features/query/state/runRequest.ts): hidden and empty
//    queries are dropped by the datasource's filterQuery before query().
import { lastValueFrom, from as fromPromise, map, type Observable } from 'rxjs';
import { dateTime, type DataQueryRequest, type DataQueryResponse, type DataSourceInstanceSettings, type ScopedVars } from '@grafana/data';
import { setBackendSrv, setDataSourceSrv, setTemplateSrv, type BackendSrv, type FetchResponse } from '@grafana/runtime';
import { DataSource } from '../../datasource/src/datasource';
import type { MicromegasDataSourceOptions, MicromegasQuery } from '../../datasource/src/types';
import type { DatasourceConfig, GrafanaHost } from '../grafanaHost';
import { queryService, type MetricRequest } from './queryService';
import { sceneInterpolator, type InterpolationFormat, type SceneNode } from './scenes/interpolation';
import type { MetricFind } from './scenes/variables';

const PLUGIN_JSON = require('../../datasource/src/plugin.json');

export class GrafanaFrontendError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'GrafanaFrontendError';
  }
}

/** Grafana 13's TemplateSrv, for code that reaches it through getTemplateSrv(). */
export function installTemplateSrv(): void {
  setTemplateSrv(templateSrv() as never);
}

function templateSrv() {
  const replace = (target?: string, scopedVars?: ScopedVars, format?: InterpolationFormat): string => {
    const scene = scopedVars?.__sceneObject?.value as SceneNode | undefined;
    if (!scene) {
      throw new GrafanaFrontendError(`interpolating "${target}" without a scene object: the pre-scenes TemplateSrv is not ported`);
    }
    return sceneInterpolator(scene, target, scopedVars as Record<string, { value: unknown }>, format);
  };
  return {
    replace,
    getVariables: () => [],
    containsTemplate: (target?: string) => Boolean(target && /\$\w|\[\[|\$\{/.test(target)),
    updateTimeRange: () => undefined,
    getAdhocFilters: () => [],
  };
}

function backendSrv(host: GrafanaHost, config: DatasourceConfig): Pick<BackendSrv, 'fetch'> {
  return {
    fetch<T>(options: { url: string; method?: string; data?: unknown }): Observable<FetchResponse<T>> {
      if (!options.url.startsWith('/api/ds/query') || options.method !== 'POST') {
        throw new GrafanaFrontendError(`the harness serves POST /api/ds/query only, not ${options.method} ${options.url}`);
      }
      return fromPromise(queryService(host, config, options.data as MetricRequest)).pipe(
        map(({ status, body }) => {
          const response = { status, statusText: status === 200 ? 'OK' : 'Bad Request', ok: status < 300, data: JSON.parse(body) as T };
          if (!response.ok) {
            throw { ...response, config: options };
          }
          return {
            ...response,
            headers: new Headers(),
            redirected: false,
            type: 'basic',
            url: options.url,
            config: options,
          } as FetchResponse<T>;
        }),
      );
    },
  };
}

export interface GrafanaFrontend {
  datasource: DataSource;
  /** Runs a request as a panel's query runner does (runRequest → callQueryMethod → query). */
  run(request: DataQueryRequest<MicromegasQuery>): Promise<DataQueryResponse>;
  /** A query variable's options, as scenes' LegacyQueryRunner asks the datasource for them. */
  metricFind: MetricFind;
}

/** The instance settings Grafana's frontend gives our datasource for `jsonData`. */
export function datasourceSettings(jsonData: MicromegasDataSourceOptions): DataSourceInstanceSettings<MicromegasDataSourceOptions> {
  return {
    id: 1,
    uid: 'micromegas',
    type: PLUGIN_JSON.id,
    name: 'Micromegas',
    access: 'proxy',
    readOnly: false,
    jsonData,
    meta: { ...PLUGIN_JSON, info: { ...PLUGIN_JSON.info, logos: {} } },
  } as unknown as DataSourceInstanceSettings<MicromegasDataSourceOptions>;
}

/** Installs Grafana's services for the datasource `config` served by `host`, and creates the datasource. */
export function grafanaFrontend(host: GrafanaHost, config: DatasourceConfig & { jsonData: MicromegasDataSourceOptions }): GrafanaFrontend {
  const settings = datasourceSettings(config.jsonData);
  installTemplateSrv();
  setBackendSrv(backendSrv(host, config) as BackendSrv);
  setDataSourceSrv({
    getInstanceSettings: (ref: { uid?: string } | string | null | undefined) =>
      (typeof ref === 'string' ? ref : ref?.uid) === settings.uid ? settings : undefined,
  } as never);
  const datasource = new DataSource(settings);
  return {
    datasource,
    run: (request) => {
      const targets = request.targets.filter((t) => datasource.filterQuery(t));
      return targets.length === 0 ? Promise.resolve({ data: [] }) : lastValueFrom(datasource.query({ ...request, targets }));
    },
    // QueryVariable.getRequest + LegacyQueryRunner.runRequest: the scene's range, no interval.
    metricFind: (query, { range, scopedVars, variable }) =>
      datasource.metricFindQuery(
        query as never,
        {
          app: 'dashboard',
          requestId: `variable-${variable.name}`,
          timezone: '',
          range: { from: dateTime(range.from), to: dateTime(range.to), raw: { from: dateTime(range.from), to: dateTime(range.to) } },
          interval: '',
          intervalMs: 0,
          targets: [query],
          scopedVars: scopedVars as ScopedVars,
          startTime: Date.now(),
          variable,
        } as never,
      ) as never,
  };
}
