// Plays Grafana's part for the datasource executable, from Grafana's own code: go-plugin's client
// starts and stops it (grafana/goPluginClient.ts), requests carry the PluginContext Grafana builds
// (org, user, datasource instance settings, Grafana's config, user agent), calls can be cancelled or
// given a deadline as Grafana's request context is, and every response goes through what Grafana
// does with it (sdk-go backend.FromProto().QueryDataResponse: status, error source, frames read by
// data.UnmarshalArrowFrame, ported in grafana/arrowFrame.ts) before a test sees it.
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Metadata, type ServiceError } from '@grpc/grpc-js';
import { unmarshalArrowFrame, type SdkFrame } from './grafana/arrowFrame';
import { GoPluginClient, type Handshake, type KillResult } from './grafana/goPluginClient';
import type { HostLogEntry } from './grafana/goPluginLog';

export const EXECUTABLE = join(__dirname, '../datasource/dist/gpx_micromegas_linux_amd64');
export const PLUGIN_ID = 'micromegas-flightsql-datasource';
const GRAFANA_VERSION = '13.0.0';

/** A datasource as Grafana stores it: the numeric id is unique across orgs, the uid only within one. */
export interface DatasourceConfig {
  orgId?: number;
  id?: number;
  uid?: string;
  name?: string;
  /** Grafana's `updated` time of the datasource (changes each time it is saved). */
  lastUpdatedMS?: number;
  jsonData: Record<string, unknown> | string;
  secure?: Record<string, string>;
}

export interface HostQuery {
  refId: string;
  model: object;
  from: number;
  to: number;
  intervalMS?: number;
  maxDataPoints?: number;
}

/** What Grafana's query service gets for one refId after FromProto. */
export interface HostDataResponse {
  /** HTTP status, or 'unknown' where sdk-go finds none valid (Status.IsValid: 100–599). */
  status: number | 'unknown';
  error: string;
  errorSource: string;
  /** The frames as the plugin sent them (Arrow IPC files). */
  frames: Uint8Array[];
  /** The same frames as Grafana reads them. */
  decoded: SdkFrame[];
}

export interface HostCallOptions {
  /** Grafana's request context: aborting it cancels the gRPC call. */
  signal?: AbortSignal;
  deadline?: Date;
  /** Outgoing gRPC metadata (e.g. `tenantID` on a multi-tenant Grafana). */
  metadata?: Record<string, string>;
}

/** A failed call, as Grafana's plugin client sees it. */
export class PluginCallError extends Error {
  constructor(
    readonly code: number,
    readonly details: string,
  ) {
    super(`plugin call failed with gRPC status ${code}: ${details}`);
    this.name = 'PluginCallError';
  }
}

/** What Grafana passes its plugins in the environment (pkg/plugins/envvars), besides its own environment. */
export const GRAFANA_ENV: Record<string, string> = {
  GF_VERSION: GRAFANA_VERSION,
  GF_EDITION: 'Open Source',
  GF_PLUGIN_VERSION: '0.1.0',
};

/** The config Grafana sends plugins in every PluginContext (sdk-go config/grafana_cfg.go keys). */
export const GRAFANA_CONFIG: Record<string, string> = {
  GF_APP_URL: 'http://localhost:3000/',
  GF_CONCURRENT_QUERY_COUNT: '10',
  GF_SQL_ROW_LIMIT: '1000000',
  GF_SQL_MAX_OPEN_CONNS_DEFAULT: '100',
  GF_SQL_MAX_IDLE_CONNS_DEFAULT: '100',
  GF_SQL_MAX_CONN_LIFETIME_SECONDS_DEFAULT: '14400',
  GF_RESPONSE_LIMIT: '0',
  GF_USER_FACING_DEFAULT_ERROR: 'Please inspect the Grafana server log for details.',
};

function callMetadata(options: HostCallOptions): Metadata {
  const metadata = new Metadata();
  for (const [key, value] of Object.entries(options.metadata ?? {})) {
    metadata.set(key, value);
  }
  return metadata;
}

export class GrafanaHost {
  private constructor(
    private readonly plugin: GoPluginClient,
    readonly grafanaConfig: Record<string, string>,
  ) {}

  static async launch(options: { grafanaEnv?: Record<string, string>; grafanaConfig?: Record<string, string> } = {}): Promise<GrafanaHost> {
    if (!existsSync(EXECUTABLE)) {
      throw new Error(`${EXECUTABLE} is missing: run \`npm run build -w plugin\` first`);
    }
    // Grafana's image environment, not the test runner's: the executable needs no Node on PATH.
    const hostEnv = { PATH: '/usr/share/grafana/bin:/usr/sbin:/usr/bin:/sbin:/bin', HOME: '/usr/share/grafana', TERM: 'xterm' };
    const plugin = await GoPluginClient.start(EXECUTABLE, { ...GRAFANA_ENV, ...options.grafanaEnv }, hostEnv, tmpdir());
    return new GrafanaHost(plugin, { ...GRAFANA_CONFIG, ...options.grafanaConfig });
  }

  get handshake(): Handshake {
    return this.plugin.handshake;
  }

  /** Grafana's log: the plugin's stderr as go-plugin logged it, and go-plugin's own lines. */
  get log(): HostLogEntry[] {
    return this.plugin.log;
  }

  get child() {
    return this.plugin.child;
  }

  /** go-plugin's broker and stdio streams, which a go-plugin server keeps open while it serves. */
  get streams(): { broker: string; stdio: string } {
    return this.plugin.streams;
  }

  /** The PluginContext Grafana builds for a request on this datasource (pkg/plugins/pluginscontext). */
  pluginContext(config: DatasourceConfig) {
    return {
      orgId: config.orgId ?? 1,
      pluginId: PLUGIN_ID,
      pluginVersion: '0.1.0',
      user: { login: 'admin', name: 'admin', email: 'admin@localhost', role: 'Admin' },
      dataSourceInstanceSettings: {
        id: config.id ?? 1,
        uid: config.uid ?? 'micromegas',
        name: config.name ?? 'Micromegas',
        url: '',
        jsonData: Buffer.from(typeof config.jsonData === 'string' ? config.jsonData : JSON.stringify(config.jsonData)),
        decryptedSecureJsonData: config.secure ?? {},
        lastUpdatedMS: config.lastUpdatedMS ?? 1,
      },
      grafanaConfig: this.grafanaConfig,
      userAgent: `Grafana/${GRAFANA_VERSION} (linux; amd64)`,
    };
  }

  ping(): Promise<{ status: string }> {
    return this.plugin.ping();
  }

  /** A unary call on one of the plugin's services, cancellable as Grafana's request context is. */
  unary<T>(service: 'data' | 'diagnostics' | 'health', method: string, request: object, options: HostCallOptions = {}): Promise<T> {
    return new Promise((resolve, reject) => {
      const call = this.plugin.service(service)[method]!(
        request,
        callMetadata(options),
        options.deadline ? { deadline: options.deadline } : {},
        (e: ServiceError | null, response: T) => (e ? reject(new PluginCallError(e.code, e.details)) : resolve(response)),
      );
      options.signal?.addEventListener('abort', () => call.cancel(), { once: true });
    });
  }

  healthCheck(service: string): Promise<{ status: string }> {
    return this.unary('health', 'Check', { service });
  }

  checkHealth(config: DatasourceConfig, options: HostCallOptions = {}): Promise<{ status: string; message: string; jsonDetails: Buffer }> {
    return this.unary('diagnostics', 'CheckHealth', { pluginContext: this.pluginContext(config), headers: {} }, options);
  }

  collectMetrics(): Promise<{ metrics: { prometheus: Buffer } }> {
    return this.unary('diagnostics', 'CollectMetrics', { pluginContext: { orgId: 0, pluginId: PLUGIN_ID } });
  }

  /** The QueryDataRequest Grafana's query service sends for these queries (/api/ds/query). */
  queryDataRequest(config: DatasourceConfig, queries: HostQuery[]) {
    return {
      pluginContext: this.pluginContext(config),
      headers: {},
      queries: queries.map((q) => {
        const intervalMS = q.intervalMS ?? 1000;
        const maxDataPoints = q.maxDataPoints ?? 1000;
        return {
          refId: q.refId,
          maxDataPoints,
          intervalMS,
          timeRange: { fromEpochMS: q.from, toEpochMS: q.to },
          // The query object as the browser posted it, with what the query service adds.
          json: Buffer.from(
            JSON.stringify({
              datasource: { type: PLUGIN_ID, uid: config.uid ?? 'micromegas' },
              intervalMs: intervalMS,
              maxDataPoints,
              ...q.model,
              refId: q.refId,
            }),
          ),
        };
      }),
      format: 'ARROW',
    };
  }

  /** QueryData, answered as Grafana's plugin client and query service read it. */
  async queryData(
    config: DatasourceConfig,
    queries: HostQuery[],
    options: HostCallOptions = {},
  ): Promise<Record<string, HostDataResponse>> {
    const response = await this.unary<{ responses: Record<string, any> }>(
      'data',
      'QueryData',
      this.queryDataRequest(config, queries),
      options,
    );
    const out: Record<string, HostDataResponse> = {};
    for (const [refId, r] of Object.entries(response.responses)) {
      if (r.format !== 'ARROW' && r.format !== 'JSON') {
        throw new Error(`unknown data frame format: ${r.format}`);
      }
      if (r.format === 'JSON') {
        throw new Error('the plugin answered QueryData with JSON frames, where Grafana asked for Arrow');
      }
      const frames = r.frames as Buffer[];
      out[refId] = {
        status: r.status >= 100 && r.status < 600 ? r.status : 'unknown',
        error: r.error,
        errorSource: r.error ? r.errorSource : '',
        frames,
        decoded: frames.map((f) => unmarshalArrowFrame(f)),
      };
    }
    return out;
  }

  callResource(config: DatasourceConfig, path: string, options: HostCallOptions = {}): Promise<Array<{ code: number; body: Buffer }>> {
    return new Promise((resolve, reject) => {
      const out: Array<{ code: number; body: Buffer }> = [];
      const call = this.plugin.service('resource').CallResource!(
        { pluginContext: this.pluginContext(config), path, method: 'GET', url: path, headers: {}, body: Buffer.alloc(0) },
        callMetadata(options),
      );
      options.signal?.addEventListener('abort', () => call.cancel(), { once: true });
      call.on('data', (r: { code: number; body: Buffer }) => out.push(r));
      call.on('end', () => resolve(out));
      call.on('error', (e: ServiceError) => reject(new PluginCallError(e.code, e.details)));
    });
  }

  /** Stops the plugin as Grafana does (go-plugin's Kill). */
  stop(): Promise<KillResult> {
    return this.plugin.kill();
  }
}
