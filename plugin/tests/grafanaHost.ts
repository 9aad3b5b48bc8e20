// Plays Grafana's part for the datasource executable: starts it with the go-plugin environment,
// reads the handshake line, and calls its gRPC services the way Grafana's plugin client does.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { credentials, type Client } from '@grpc/grpc-js';
import { clients } from '../datasource/pkg/protocol/definitions';
import type { CallResourceResponse, CheckHealthResponse, DataResponse } from '../datasource/pkg/protocol/messages';

export const EXECUTABLE = join(__dirname, '../datasource/dist/gpx_micromegas_linux_amd64');

export interface Handshake {
  core: string;
  app: string;
  network: string;
  address: string;
  protocol: string;
}

export interface DatasourceConfig {
  uid?: string;
  jsonData: Record<string, unknown>;
  secure?: Record<string, string>;
}

export class GrafanaHost {
  readonly stderr: string[] = [];
  private constructor(
    readonly child: ChildProcessWithoutNullStreams,
    readonly handshake: Handshake,
    private readonly stubs: Record<'data' | 'diagnostics' | 'resource' | 'health', Client>,
  ) {}

  static async launch(env: NodeJS.ProcessEnv = {}): Promise<GrafanaHost> {
    if (!existsSync(EXECUTABLE)) {
      throw new Error(`${EXECUTABLE} is missing: run \`npm run build -w plugin\` first`);
    }
    // No PATH and a foreign working directory: the executable must need neither a Node install nor its cwd.
    const child = spawn(EXECUTABLE, [], {
      cwd: tmpdir(),
      env: { grafana_plugin_type: 'datasource', PLUGIN_PROTOCOL_VERSIONS: '2', ...env },
    });
    const stderr: string[] = [];
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => stderr.push(...chunk.split('\n').filter(Boolean)));
    const line = await new Promise<string>((resolve, reject) => {
      let buffered = '';
      child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
        buffered += chunk;
        const end = buffered.indexOf('\n');
        if (end >= 0) {
          resolve(buffered.slice(0, end));
        }
      });
      child.on('exit', (code) => reject(new Error(`plugin exited with ${code} before the handshake: ${stderr.join('\n')}`)));
    });
    const [core, app, network, address, protocol] = line.split('|') as [string, string, string, string, string];
    const make = (name: keyof typeof clients) => new clients[name](address, credentials.createInsecure());
    const host = new GrafanaHost(
      child,
      { core, app, network, address, protocol },
      {
        data: make('data'),
        diagnostics: make('diagnostics'),
        resource: make('resource'),
        health: make('health'),
      },
    );
    host.stderr.push(...stderr);
    child.stderr.on('data', (chunk: string) => host.stderr.push(...chunk.split('\n').filter(Boolean)));
    return host;
  }

  private unary<T>(stub: keyof GrafanaHost['stubs'], method: string, request: object): Promise<T> {
    return new Promise((resolve, reject) => {
      (this.stubs[stub] as any)[method](request, (error: Error | null, response: T) => (error ? reject(error) : resolve(response)));
    });
  }

  static pluginContext(config: DatasourceConfig) {
    return {
      orgId: 1,
      pluginId: 'micromegas-flightsql-datasource',
      dataSourceInstanceSettings: {
        id: 1,
        uid: config.uid ?? 'micromegas',
        name: 'Micromegas',
        jsonData: Buffer.from(JSON.stringify(config.jsonData)),
        decryptedSecureJsonData: config.secure ?? {},
        lastUpdatedMS: 1,
      },
    };
  }

  healthCheck(service: string): Promise<{ status: string }> {
    return this.unary('health', 'Check', { service });
  }

  checkHealth(config: DatasourceConfig): Promise<CheckHealthResponse> {
    return this.unary('diagnostics', 'CheckHealth', { pluginContext: GrafanaHost.pluginContext(config) });
  }

  async queryData(
    config: DatasourceConfig,
    queries: Array<{ refId: string; model: object; from: number; to: number; intervalMS?: number; maxDataPoints?: number }>,
  ): Promise<Record<string, DataResponse>> {
    const response = await this.unary<{ responses: Record<string, DataResponse> }>('data', 'QueryData', {
      pluginContext: GrafanaHost.pluginContext(config),
      queries: queries.map((q) => ({
        refId: q.refId,
        maxDataPoints: q.maxDataPoints ?? 1000,
        intervalMS: q.intervalMS ?? 1000,
        timeRange: { fromEpochMS: q.from, toEpochMS: q.to },
        json: Buffer.from(JSON.stringify({ refId: q.refId, ...q.model })),
      })),
    });
    return response.responses;
  }

  callResource(config: DatasourceConfig, path: string): Promise<CallResourceResponse[]> {
    return new Promise((resolve, reject) => {
      const out: CallResourceResponse[] = [];
      const call = (this.stubs.resource as any).CallResource({
        pluginContext: GrafanaHost.pluginContext(config),
        path,
        method: 'GET',
        url: path,
      });
      call.on('data', (r: CallResourceResponse) => out.push(r));
      call.on('end', () => resolve(out));
      call.on('error', reject);
    });
  }

  /** Stops the plugin as Grafana does (SIGTERM), returning its exit code. */
  async stop(): Promise<number | null> {
    for (const stub of Object.values(this.stubs)) {
      stub.close();
    }
    if (this.child.exitCode !== null) {
      return this.child.exitCode;
    }
    const exited = new Promise<number | null>((resolve) => this.child.on('exit', (code) => resolve(code)));
    this.child.kill('SIGTERM');
    return exited;
  }
}
