import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import type { StreamInfo } from '@micromegas/wire';
import { StubIngestion } from './sdk-stub-ingestion.js';

const cli = fileURLToPath(new URL('../src/cli.js', import.meta.url));
const stub = new StubIngestion();
let url = '';
before(async () => {
  url = await stub.start();
});
after(() => stub.stop());

interface DemoRun {
  child: ReturnType<typeof spawn>;
  exited: Promise<{ code: number | null; out: string }>;
}

function demo(args: string[], telemetryUrl = url): DemoRun {
  const child = spawn(process.execPath, [cli, 'demo', ...args], {
    env: { ...process.env, MICROMEGAS_TELEMETRY_URL: telemetryUrl },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<{ code: number | null; out: string }>((resolve) => child.on('exit', (code) => resolve({ code, out })));
  return { child, exited };
}

function streamsOf(processId: string): StreamInfo[] {
  return stub.streams.filter((s) => s.process_id === processId);
}

test('micromegas demo --duration runs main thread and worker loops and delivers everything', async () => {
  const { code, out } = await demo(['--duration', '1']).exited;
  assert.equal(code, 0, out);
  assert.match(out, /all telemetry delivered/);
  const proc = stub.processes.find((p) => p.exe === 'micromegas-demo');
  assert.ok(proc);
  const streams = streamsOf(proc.process_id);
  const threads = new Set(streams.map((s) => s.properties['thread-name']));
  assert.deepStrictEqual([...threads].sort(), ['demo-worker', 'main']);
  for (const thread of threads) {
    const cpu = streams.find((s) => s.tags.includes('cpu') && s.properties['thread-name'] === thread)!;
    const frames = stub.eventsOf(cpu.stream_id).filter((e) => e.kind === 'spanBegin' && e.desc.name === 'frame');
    assert.ok(frames.length > 0, `${thread} recorded frames`);
    const log = streams.find((s) => s.tags.includes('log') && s.properties['thread-name'] === thread)!;
    const stopped = stub.eventsOf(log.stream_id).find((e) => e.kind === 'log' && /loop stopped/.test(e.msg));
    assert.ok(stopped?.kind === 'log', `${thread} logged its end`);
    assert.equal(stopped.properties?.['frames'], String(frames.length), 'every frame recorded was delivered');
  }
});

test('micromegas demo stops on SIGINT once its telemetry is delivered', async () => {
  const known = stub.processes.length;
  const run = demo([]);
  while (stub.processes.length === known) await sleep(20);
  await sleep(300);
  run.child.kill('SIGINT');
  const { code, out } = await run.exited;
  assert.equal(code, 0, out);
  assert.match(out, /all telemetry delivered/);
});

test('micromegas demo rejects a bad --duration', async () => {
  const { code } = await demo(['--duration', 'soon'], 'http://127.0.0.1:1').exited;
  assert.equal(code, 2);
});
