// The host half of hashicorp/go-plugin as Grafana uses it (go-plugin client.go, grpc_client.go,
// grpc_stdio.go, grpc_broker.go; Grafana's pkg/plugins/backendplugin/grpcplugin: handshake
// grafana_plugin_type=datasource, protocol version 2, gRPC only, no AutoMTLS):
//  - start: the plugin's environment is Grafana's variables, then the host's own, then go-plugin's
//    (magic cookie, PLUGIN_MIN_PORT/MAX_PORT, PLUGIN_PROTOCOL_VERSIONS); the first stdout line is the
//    handshake CORE|APP|NETWORK|ADDRESS|PROTOCOL, checked as go-plugin checks it; stderr goes through
//    logStderr (goPluginLog.ts);
//  - connect: message sizes up to MaxInt32 both ways, then the broker stream and the stdio stream;
//  - kill: close the broker, call Shutdown, close the connection, wait up to 2 s for the process to
//    exit, else SIGKILL ("plugin failed to exit gracefully").
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { credentials, status, type Client, type ClientDuplexStream, type ClientReadableStream, type ServiceError } from '@grpc/grpc-js';
import { hostClients } from './protocol';
import { StderrReader, type HostLevel, type HostLogEntry } from './goPluginLog';

export const CORE_PROTOCOL_VERSION = 1;
/** Grafana's VersionedPlugins has only version 2 (sdk-go grpcplugin.ProtocolVersion). */
export const PLUGIN_PROTOCOL_VERSION = 2;
const START_TIMEOUT_MS = 60_000; // go-plugin's default StartTimeout
const KILL_GRACE_MS = 2_000;
const MAX_INT32 = 2 ** 31 - 1;

export interface Handshake {
  core: number;
  app: number;
  network: string;
  address: string;
  protocol: string;
}

export interface KillResult {
  /** Whether the process exited on its own after Shutdown (else go-plugin SIGKILLs it). */
  graceful: boolean;
  exitCode: number | null;
  signal: NodeJS.Signals | null;
}

export class HandshakeFailure extends Error {}

function handshakeOf(line: string): Handshake {
  const parts = line.trim().split('|');
  if (parts.length < 4) {
    throw new HandshakeFailure(`Unrecognized remote plugin message: ${line}`);
  }
  const core = Number.parseInt(parts[0]!, 10);
  if (core !== CORE_PROTOCOL_VERSION) {
    throw new HandshakeFailure(
      `incompatible core API version with plugin. Plugin version: ${parts[0]}, Core version: ${CORE_PROTOCOL_VERSION}`,
    );
  }
  const app = Number.parseInt(parts[1]!, 10);
  if (app !== PLUGIN_PROTOCOL_VERSION) {
    throw new HandshakeFailure(
      `Incompatible API version with plugin. Plugin version: ${parts[1]}, Client versions: [${PLUGIN_PROTOCOL_VERSION}]`,
    );
  }
  const [network, address] = [parts[2]!, parts[3]!];
  if (network !== 'tcp' && network !== 'unix') {
    throw new HandshakeFailure(`unknown address type: ${address}`);
  }
  const protocol = parts[4] ?? 'netrpc';
  if (protocol !== 'grpc') {
    throw new HandshakeFailure(`unsupported plugin protocol "${protocol}". Supported: [grpc]`);
  }
  return { core, app, network, address, protocol };
}

export class GoPluginClient {
  /** What Grafana's log shows: the plugin's stderr as go-plugin logs it, and go-plugin's own lines. */
  readonly log: HostLogEntry[];
  /** Bytes the plugin sent over the stdio stream (go-plugin's SyncStdout / SyncStderr). */
  readonly stdio = { stdout: '', stderr: '' };
  /** How the broker and stdio streams ended, if they did ('open' while the plugin serves them). */
  readonly streams: { broker: string; stdio: string } = { broker: 'open', stdio: 'open' };
  private readonly conn: Client;
  private readonly broker: ClientDuplexStream<unknown, unknown>;
  private readonly stdioStream: ClientReadableStream<{ channel: string; data: Buffer }>;
  private readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;

  private constructor(
    readonly child: ChildProcessWithoutNullStreams,
    readonly handshake: Handshake,
    stderr: StderrReader,
  ) {
    this.log = stderr.entries;
    this.exited = new Promise((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) {
        resolve({ code: child.exitCode, signal: child.signalCode });
      } else {
        child.on('exit', (code, signal) => resolve({ code, signal }));
      }
    });
    const target = handshake.network === 'unix' ? `unix:${handshake.address}` : handshake.address;
    this.conn = new hostClients.health(target, credentials.createInsecure(), {
      'grpc.max_receive_message_length': MAX_INT32,
      'grpc.max_send_message_length': MAX_INT32,
    });
    // newGRPCClient: the broker stream, then the stdio stream, both for the life of the connection.
    this.broker = this.service('broker').StartStream() as ClientDuplexStream<unknown, unknown>;
    // go-plugin ignores StartStream's result.
    this.broker.on('error', (e: ServiceError) => (this.streams.broker = status[e.code] ?? String(e.code)));
    this.broker.on('end', () => (this.streams.broker = 'ended'));
    this.broker.on('data', () => undefined);
    this.stdioStream = this.service('stdio').StreamStdio({});
    this.stdioStream.on('data', ({ channel, data }) => {
      if (channel === 'STDOUT' || channel === 'STDERR') {
        this.stdio[channel === 'STDOUT' ? 'stdout' : 'stderr'] += data.toString('utf8');
      } else {
        this.hostLog('warn', 'unknown channel, dropping', { channel });
      }
    });
    this.stdioStream.on('end', () => (this.streams.stdio = 'ended'));
    this.stdioStream.on('error', (e: ServiceError) => {
      this.streams.stdio = status[e.code] ?? String(e.code);
      if (![status.UNAVAILABLE, status.CANCELLED, status.UNIMPLEMENTED].includes(e.code)) {
        this.hostLog('error', 'error receiving data', { err: e.message });
      }
    });
  }

  /** Starts `executable` as go-plugin's Client.Start does, with Grafana's variables in `grafanaEnv`. */
  static async start(
    executable: string,
    grafanaEnv: Record<string, string>,
    hostEnv: Record<string, string>,
    cwd: string,
  ): Promise<GoPluginClient> {
    const env = {
      ...grafanaEnv,
      ...hostEnv,
      grafana_plugin_type: 'datasource',
      PLUGIN_MIN_PORT: '10000',
      PLUGIN_MAX_PORT: '25000',
      PLUGIN_PROTOCOL_VERSIONS: String(PLUGIN_PROTOCOL_VERSION),
    };
    const child = spawn(executable, [], { cwd, env });
    const stderr = new StderrReader();
    child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
    const line = await new Promise<string>((resolve, reject) => {
      let buffered = '';
      const timer = setTimeout(() => reject(new HandshakeFailure('timeout while waiting for plugin to start')), START_TIMEOUT_MS);
      child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
        buffered += chunk;
        const end = buffered.indexOf('\n');
        if (end >= 0) {
          clearTimeout(timer);
          resolve(buffered.slice(0, end));
        }
      });
      child.on('exit', (code) => {
        clearTimeout(timer);
        const logged = stderr.entries.map((e) => e.message).join('\n');
        reject(new HandshakeFailure(`plugin exited before we could connect (exit code ${code}): ${logged}`));
      });
    });
    try {
      return new GoPluginClient(child, handshakeOf(line), stderr);
    } catch (e) {
      child.kill('SIGKILL');
      throw e;
    }
  }

  /** A stub of one of the plugin's services over the shared connection. */
  service(name: keyof typeof hostClients): Record<string, (...args: any[]) => any> {
    return new hostClients[name](this.handshake.address, credentials.createInsecure(), {
      channelOverride: this.conn.getChannel(),
    }) as unknown as Record<string, (...args: any[]) => any>;
  }

  /** go-plugin's Ping: grpc.health.v1 Check of service "plugin". */
  ping(): Promise<{ status: string }> {
    return new Promise((resolve, reject) =>
      (this.conn as unknown as Record<string, (...args: any[]) => void>).Check(
        { service: 'plugin' },
        (e: Error | null, r: { status: string }) => (e ? reject(e) : resolve(r)),
      ),
    );
  }

  private killed: Promise<KillResult> | undefined;

  /** Client.Kill (once: later calls get the first one's result). */
  kill(): Promise<KillResult> {
    this.killed ??= this.shutdownThenKill();
    return this.killed;
  }

  private async shutdownThenKill(): Promise<KillResult> {
    this.broker.end(); // broker.Close
    // GRPCClient.Close ignores Shutdown's outcome: a plugin may exit before its answer is sent.
    await new Promise<void>((resolve) => this.service('controller').Shutdown({}, () => resolve()));
    this.stdioStream.cancel();
    this.conn.close();
    const timer = new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), KILL_GRACE_MS).unref());
    const outcome = await Promise.race([this.exited, timer]);
    if (outcome !== 'timeout') {
      this.hostLog('debug', 'plugin exited');
      return { graceful: true, exitCode: outcome.code, signal: outcome.signal };
    }
    this.hostLog('warn', 'plugin failed to exit gracefully');
    this.child.kill('SIGKILL');
    const { code, signal } = await this.exited;
    return { graceful: false, exitCode: code, signal };
  }

  /** Whether the plugin process is gone (Grafana's Exited()). */
  get hasExited(): boolean {
    return this.child.exitCode !== null || this.child.signalCode !== null;
  }

  private hostLog(level: HostLevel, message: string, fields: Record<string, unknown> = {}): void {
    this.log.push({ level, message, fields: { ...fields, '@module': 'go-plugin' }, raw: false });
  }
}
