import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { KeyValue } from '../../lake/otlp/schema.js';
import { blockIdOf, processIdOf, processRecordOf, streamIdOf, uuid5 } from './identity.js';

const text = (key: string, value: string): KeyValue => ({ key, value: { value: 'stringValue', stringValue: value } });

describe('OTLP identity', () => {
  it('computes RFC 9562 version 5 UUIDs', () => {
    // RFC 9562 appendix A.4: the DNS namespace and "www.example.com".
    assert.equal(uuid5('6ba7b810-9dad-11d1-80b4-00c04fd430c8', 'www.example.com'), '2ed6657d-e927-568b-95e1-2665a8aea6a2');
  });

  it('names a process by service.instance.id when the resource has one, whatever else it says', () => {
    const a = processIdOf([text('service.name', 'api'), text('service.instance.id', 'i-1'), text('host.name', 'a')]);
    assert.equal(processIdOf([text('host.name', 'b'), text('service.instance.id', 'i-1'), text('service.name', 'api')]), a);
    assert.notEqual(processIdOf([text('service.name', 'api'), text('service.instance.id', 'i-2')]), a);
    assert.notEqual(processIdOf([text('service.name', 'web'), text('service.instance.id', 'i-1')]), a);
  });

  it('names a process by all its attributes otherwise, in any order', () => {
    const a = processIdOf([text('service.name', 'api'), text('host.name', 'a'), text('process.pid', '1')]);
    assert.equal(processIdOf([text('process.pid', '1'), text('host.name', 'a'), text('service.name', 'api')]), a);
    assert.notEqual(processIdOf([text('service.name', 'api'), text('host.name', 'a'), text('process.pid', '2')]), a);
  });

  it('derives one stream per process and signal, and block ids from the stored bytes', () => {
    const p = processIdOf([text('service.name', 'api')]);
    assert.equal(new Set([streamIdOf(p, 'traces'), streamIdOf(p, 'logs'), streamIdOf(p, 'metrics')]).size, 3);
    const s = streamIdOf(p, 'logs');
    assert.equal(blockIdOf(s, new Uint8Array([1, 2])), blockIdOf(s, new Uint8Array([1, 2])));
    assert.notEqual(blockIdOf(s, new Uint8Array([1, 2])), blockIdOf(s, new Uint8Array([1, 3])));
  });

  it('fills the process row from the resource', () => {
    const resource = [
      text('service.namespace', 'shop'), text('service.name', 'api'), text('host.name', 'box'), text('process.owner', 'ada'),
      text('os.description', 'Debian 12'), text('host.cpu.model.name', 'Xeon'), text('process.creation.time', '2026-01-02T03:04:05.123456789Z'),
    ];
    const p = processRecordOf('p', resource, 5n);
    assert.deepEqual({ ...p, properties: p.properties.length }, {
      process_id: 'p', exe: 'shop/api', username: 'ada', realname: 'ada', computer: 'box', distro: 'Debian 12', cpu_brand: 'Xeon',
      tsc_frequency: 1_000_000_000, start_time_ns: 1767323045123456789n, start_ticks: 1767323045123456789n, parent_process_id: '', properties: 7,
    });
    const bare = processRecordOf('q', [], 42n);
    assert.deepEqual([bare.exe, bare.start_time_ns, bare.start_ticks, bare.computer], ['unknown_service', 42n, 42n, '']);
  });
});
