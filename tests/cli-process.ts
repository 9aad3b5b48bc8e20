/**
 * The `micromegas` command line as a child process, for end-to-end tests: a run to its exit, or
 * `micromegas start` on a data dir with free ports on loopback, read up to the last line it prints at
 * start-up (where self-telemetry goes), and stopped by a signal.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';

export const CLI = new URL('../src/cli.js', import.meta.url).pathname;

type Exit = [code: number | null, signal: string | null];

/** Runs `micromegas <args>` to its exit. */
export async function runCli(args: readonly string[], env: Record<string, string> = {}): Promise<{ exit: Exit; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [CLI, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk) => { stdout += chunk; });
  child.stderr.on('data', (chunk) => { stderr += chunk; });
  const [exit] = await Promise.all([once(child, 'exit') as Promise<Exit>, once(child.stdout, 'end'), once(child.stderr, 'end')]);
  return { exit, stdout, stderr };
}

export interface StartedCli {
  /** What it printed at start-up. */
  lines: string[];
  stderr(): string;
  /** The address `role` listens on, as printed. */
  address(role: string): string;
  /** Sends `signal` and resolves to the exit code and signal. */
  stop(signal?: NodeJS.Signals): Promise<Exit>;
}

export async function startCli(dataDir: string, args: readonly string[], env: Record<string, string> = {}): Promise<StartedCli> {
  const child = spawn(process.execPath, [CLI, 'start', ...args], {
    env: {
      ...process.env, MICROMEGAS_DATA_DIR: dataDir, MICROMEGAS_LOG_LEVEL: 'warn', MICROMEGAS_INGESTION_PORT: '0',
      MICROMEGAS_FLIGHTSQL_HOST: '127.0.0.1', MICROMEGAS_FLIGHTSQL_PORT: '0', MICROMEGAS_GATEWAY_PORT: '0', ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = once(child, 'exit') as Promise<Exit>;
  let stderr = '';
  child.stderr.on('data', (chunk) => { stderr += chunk; });
  const lines: string[] = [];
  for await (const line of createInterface({ input: child.stdout })) {
    lines.push(line);
    if (!line.startsWith('micromegas: self-telemetry')) continue;
    return {
      lines,
      stderr: () => stderr,
      address(role) {
        const match = lines.map((l) => new RegExp(`^micromegas: ${role}\\s+listening on (\\S+)`).exec(l)).find((m) => m !== null);
        if (!match) throw new Error(`no ${role} address in:\n${lines.join('\n')}`);
        return match[1]!;
      },
      stop(signal = 'SIGINT') {
        child.kill(signal);
        return exited;
      },
    };
  }
  throw new Error(`start did not finish starting: ${lines.join('\n')}\n${stderr}`);
}
