// Starts tests/backendFixture.mjs (a real backend fed by the SDK) and reads what it holds.
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { GrafanaHost, type DatasourceConfig } from './grafanaHost';

export interface FixtureBackend {
  /** host:port of its FlightSQL service. */
  address: string;
  processId: string;
  cpuStream: string;
  begin: number;
  end: number;
  rounds: number;
  /** What `micromegas demo` sent after the workload: its process, when it ran, its threads' cpu streams. */
  demo: { processId: string; begin: number; end: number; cpuStreams: Record<string, string> };
  stop(): Promise<void>;
}

export async function startFixtureBackend(): Promise<FixtureBackend> {
  const child: ChildProcess = spawn(process.execPath, [join(__dirname, 'backendFixture.mjs')], { stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const line = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout!.setEncoding('utf8').on('data', (d: string) => {
      out += d;
      const end = out.indexOf('\n');
      if (end >= 0) {
        resolve(out.slice(0, end));
      }
    });
    child.on('exit', (code) => reject(new Error(`backend fixture exited with ${code}: ${stderr}`)));
  });
  const info = JSON.parse(line);
  if (!info.delivered) {
    throw new Error('the SDK could not deliver the workload to ingestion');
  }
  return {
    address: new URL(info.flightsql).host,
    processId: info.processId,
    cpuStream: info.cpuStream,
    begin: info.begin,
    end: info.end,
    rounds: info.rounds,
    demo: info.demo,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) {
          return resolve();
        }
        child.on('exit', () => resolve());
        child.stdin!.end();
      }),
  };
}

/** The datasource executable (as Grafana runs it) connected to a fixture backend. */
export interface PluginStack {
  backend: FixtureBackend;
  host: GrafanaHost;
  config: DatasourceConfig;
}

/** Registers beforeAll/afterAll that start and stop a PluginStack; read it inside tests. */
export function pluginStackFixture(): PluginStack {
  const stack = {} as PluginStack;
  beforeAll(async () => {
    stack.backend = await startFixtureBackend();
    stack.host = await GrafanaHost.launch();
    stack.config = { jsonData: { address: stack.backend.address, tls: false, timeFilterDefault: true } };
  });
  afterAll(async () => {
    await stack.host?.stop();
    await stack.backend?.stop();
  });
  return stack;
}
