/** Describes this process for insert_process. */
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import type { Properties } from '@micromegas/wire';
import { TICKS_PER_SECOND } from './clock.js';
import type { ProcessDescription } from './sink.js';

function username(): string {
  try {
    return os.userInfo().username;
  } catch {
    // No passwd entry (some containers): fall back to the environment.
    return process.env['USER'] ?? process.env['USERNAME'] ?? '';
  }
}

function defaultExe(): string {
  const script = process.argv[1];
  return script ? path.basename(script) : path.basename(process.execPath);
}

/** The process as insert_process describes it; the sink worker adds its start time. */
export function collectProcessInfo(exe: string | undefined, parentProcessId: string, properties: Properties): ProcessDescription {
  const user = username();
  return {
    process_id: randomUUID(),
    exe: exe ?? defaultExe(),
    username: user,
    realname: user,
    computer: os.hostname(),
    distro: `${os.type()} ${os.release()}`,
    cpu_brand: os.cpus()[0]?.model ?? '',
    tsc_frequency: TICKS_PER_SECOND,
    parent_process_id: parentProcessId,
    properties,
  };
}
