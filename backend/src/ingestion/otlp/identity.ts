/**
 * Our processes, streams and blocks for OTLP data, which has none of them: each resource maps onto a
 * process, each process has one stream per signal, and each request one block per process and
 * signal. Ids are name-based UUIDs (version 5, SHA-1, RFC 9562) so that the same resource always
 * finds the same process and a resent request the same block:
 *
 *   process_id = uuid5(NS_PROCESS, 'service' ␟ service.namespace ␟ service.name ␟ service.instance.id)
 *                when the resource has a service.instance.id (OTel's id of one instance of a
 *                service), else uuid5(NS_PROCESS, 'resource' ␟ every attribute, sorted, as JSON)
 *   stream_id  = uuid5(NS_STREAM, process_id ␟ signal)            signal: traces, logs or metrics
 *   block_id   = uuid5(NS_BLOCK, stream_id ␟ sha256(the block's protobuf request, as accepted))
 *
 * (␟ is U+001F.) Resources are immutable in OTel SDKs, so one SDK instance keeps one process_id.
 */
import { createHash } from 'node:crypto';
import type { ProcessRecord, Property } from '../../lake/telemetry/records.js';
import type { KeyValue, Signal } from '../../lake/otlp/schema.js';
import { isValidTime } from '../../lake/otlp/times.js';
import { attribute, attributeMap } from '../../lake/otlp/values.js';
import { parseRfc3339Ns } from '../rfc3339.js';

const NS_PROCESS = 'f2b826f9-e6d1-444c-80df-ebe4bd2f841c';
const NS_STREAM = 'f000e4e5-e2d2-4aa4-8875-df483ac95b33';
const NS_BLOCK = '5cff11bd-6b23-4bd2-8fe4-b862bdc73ba7';
const SEP = '\x1f';

/** Ticks of OTLP processes are nanoseconds: start_ticks = start_time_ns at this frequency. */
export const OTLP_TICKS_PER_SECOND = 1_000_000_000;

export function uuid5(namespace: string, name: string): string {
  const hash = createHash('sha1').update(Buffer.from(namespace.replaceAll('-', ''), 'hex')).update(name, 'utf8').digest();
  hash[6] = (hash[6]! & 0x0f) | 0x50;
  hash[8] = (hash[8]! & 0x3f) | 0x80;
  const h = hash.subarray(0, 16).toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

export function processIdOf(resource: readonly KeyValue[]): string {
  const instance = attribute(resource, 'service.instance.id');
  if (instance !== undefined && instance !== '') {
    const service = [attribute(resource, 'service.namespace') ?? '', attribute(resource, 'service.name') ?? '', instance];
    return uuid5(NS_PROCESS, ['service', ...service].join(SEP));
  }
  const sorted = [...attributeMap(resource)].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return uuid5(NS_PROCESS, `resource${SEP}${JSON.stringify(sorted)}`);
}

export function streamIdOf(processId: string, signal: Signal): string {
  return uuid5(NS_STREAM, `${processId}${SEP}${signal}`);
}

export function blockIdOf(streamId: string, request: Uint8Array): string {
  return uuid5(NS_BLOCK, `${streamId}${SEP}${createHash('sha256').update(request).digest('hex')}`);
}

/**
 * The `processes` row of a resource (see docs/otlp.md for the mapping). `firstEventNs` is its start
 * when the resource does not say (process.creation.time).
 */
export function processRecordOf(processId: string, resource: readonly KeyValue[], firstEventNs: bigint): ProcessRecord {
  const text = (key: string) => attribute(resource, key) ?? '';
  const namespace = text('service.namespace');
  const name = attribute(resource, 'service.name') ?? 'unknown_service';
  const user = text('process.owner') || text('user.name');
  const created = parseRfc3339Ns(text('process.creation.time'));
  const start = created !== undefined && isValidTime(created) ? created : firstEventNs;
  const properties: Property[] = [...attributeMap(resource)].map(([key, value]) => ({ key, value }));
  return {
    process_id: processId,
    exe: namespace === '' ? name : `${namespace}/${name}`,
    username: user,
    realname: user,
    computer: text('host.name'),
    distro: text('os.description') || text('os.type'),
    cpu_brand: text('host.cpu.model.name'),
    tsc_frequency: OTLP_TICKS_PER_SECOND,
    start_time_ns: start,
    start_ticks: start,
    parent_process_id: '',
    properties,
  };
}
