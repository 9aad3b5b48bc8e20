/**
 * OTLP ingestion: requests of 512 spans as the OpenTelemetry SDK serializes them (an HTTP server's
 * spans: 12 attributes, an event), POSTed to the ingestion role on PGlite, in binary protobuf,
 * OTLP/JSON and gzipped protobuf: spans per second and the server's CPU time per 1000 spans, in the
 * same run. Then what the decoding bounds cost: the scan of the bytes beside the decode it protects.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { SpanKind } from '@opentelemetry/api';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider, type ReadableSpan } from '@opentelemetry/sdk-trace';
import { JsonTraceSerializer, ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { loadConfig } from '@micromegas/backend/config';
import { startServices } from '@micromegas/backend/service/services';
import { signals } from '@micromegas/backend/lake/otlp/schema';
import { checkJsonLimits, checkProtobufLimits } from '@micromegas/backend/ingestion/otlp/limits';
import { decodeOtlpJson } from '@micromegas/backend/ingestion/otlp/json';

const SECONDS = Number(process.env['BENCH_SECONDS'] ?? 5);
const SPANS_PER_REQUEST = 512;
const DISTINCT_REQUESTS = 64;
const CONCURRENCY = 4;

async function makeSpans(batch: number): Promise<ReadableSpan[]> {
  const exporter = new InMemorySpanExporter();
  const provider = new TracerProvider({
    resource: resourceFromAttributes({ 'service.name': 'bench-api', 'service.instance.id': 'bench-1', 'host.name': 'bench' }),
    spanProcessors: [new SimpleSpanProcessor({ exporter })],
  });
  const tracer = provider.getTracer('bench.http', '1.0.0');
  for (let i = 0; i < SPANS_PER_REQUEST; i++) {
    const span = tracer.startSpan(`GET /orders/${i % 20}`, {
      kind: SpanKind.SERVER,
      attributes: {
        'http.request.method': 'GET', 'http.route': `/orders/${i % 20}`, 'http.response.status_code': 200, 'url.scheme': 'https',
        'server.address': 'api.example.com', 'server.port': 443, 'client.address': `10.0.${batch % 256}.${i % 256}`,
        'user_agent.original': 'Mozilla/5.0', 'network.protocol.version': '1.1', 'bench.batch': batch, 'bench.ratio': i / 7, 'bench.cached': i % 2 === 0,
      },
    });
    span.addEvent('handler done', { 'rows': i });
    span.end();
  }
  await provider.forceFlush();
  const spans = exporter.getFinishedSpans();
  await provider.shutdown();
  return spans;
}

interface Format { name: string; contentType: string; encoding?: string; bodies: Uint8Array[] }

async function post(url: string, format: Format, seconds: number): Promise<{ spans: number; cpuSeconds: number; wallSeconds: number }> {
  let next = 0;
  let spans = 0;
  const cpu = process.cpuUsage();
  const start = performance.now();
  const deadline = start + seconds * 1000;
  await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
    while (performance.now() < deadline) {
      const body = format.bodies[next++ % format.bodies.length]!;
      const headers: Record<string, string> = { 'content-type': format.contentType, ...(format.encoding ? { 'content-encoding': format.encoding } : {}) };
      const response = await fetch(`${url}/v1/traces`, { method: 'POST', body, headers });
      if (response.status !== 200) throw new Error(`${format.name}: ${response.status} ${await response.text()}`);
      await response.arrayBuffer();
      spans += SPANS_PER_REQUEST;
    }
  }));
  const used = process.cpuUsage(cpu);
  return { spans, cpuSeconds: (used.user + used.system) / 1e6, wallSeconds: (performance.now() - start) / 1000 };
}

/** Median CPU milliseconds of `fn` over `runs` runs. */
function cpuMs(fn: () => void, runs = 50): number {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const before = process.cpuUsage();
    fn();
    const used = process.cpuUsage(before);
    times.push((used.user + used.system) / 1000);
  }
  return times.sort((a, b) => a - b)[Math.floor(runs / 2)]!;
}

export async function run(): Promise<void> {
  const batches = await Promise.all(Array.from({ length: DISTINCT_REQUESTS }, (_, i) => makeSpans(i)));
  const protobuf = batches.map((spans) => ProtobufTraceSerializer.serializeRequest(spans)!);
  const json = batches.map((spans) => JsonTraceSerializer.serializeRequest(spans)!);
  const formats: Format[] = [
    { name: 'OTLP protobuf', contentType: 'application/x-protobuf', bodies: protobuf },
    { name: 'OTLP JSON', contentType: 'application/json', bodies: json },
    { name: 'OTLP protobuf, gzip', contentType: 'application/x-protobuf', encoding: 'gzip', bodies: protobuf.map((b) => gzipSync(b)) },
  ];

  const rows: Record<string, string>[] = [];
  let baseline: number | undefined;
  for (const format of formats) {
    // A fresh lake per format: every request is new to it (a resend would only be deduplicated).
    const dir = await mkdtemp(join(tmpdir(), 'mm-bench-otlp-'));
    const config = loadConfig({ MICROMEGAS_DATA_DIR: dir, MICROMEGAS_INGESTION_PORT: '0', MICROMEGAS_LOG_LEVEL: 'silent' });
    const services = await startServices(config, ['ingestion']);
    try {
      const result = await post(services.running[0]!.url, format, SECONDS);
      const perThousand = (result.cpuSeconds / result.spans) * 1000 * 1000;
      baseline ??= perThousand;
      const bytes = format.bodies.reduce((n, b) => n + b.length, 0) / format.bodies.length;
      rows.push({
        format: format.name, 'bytes/request': bytes.toFixed(0), 'spans/s': (result.spans / result.wallSeconds).toFixed(0),
        'CPU ms / 1000 spans': perThousand.toFixed(1), 'vs protobuf': (perThousand / baseline).toFixed(2),
      });
    } finally {
      await services.stop();
      await rm(dir, { recursive: true, force: true });
    }
  }
  console.log(`${SPANS_PER_REQUEST} spans a request, ${CONCURRENCY} in flight, ${SECONDS} s each; CPU of this process (client and server)`);
  console.table(rows);

  const type = signals.traces.request;
  const body = Buffer.from(protobuf[0]!);
  const text = Buffer.from(json[0]!);
  const scanProto = cpuMs(() => checkProtobufLimits(type, body));
  const decodeProto = cpuMs(() => type.decode(body));
  const scanJson = cpuMs(() => checkJsonLimits(text));
  const decodeJson = cpuMs(() => decodeOtlpJson(type, text.toString('utf8')));
  console.log('decoding bounds: the scan of one request beside its decode (median CPU ms of 50)');
  console.table([
    { encoding: 'protobuf', bytes: body.length, 'scan ms': scanProto.toFixed(3), 'decode ms': decodeProto.toFixed(3), 'scan / decode': (scanProto / decodeProto).toFixed(2) },
    { encoding: 'JSON', bytes: text.length, 'scan ms': scanJson.toFixed(3), 'decode ms': decodeJson.toFixed(3), 'scan / decode': (scanJson / decodeJson).toFixed(2) },
  ]);
}
