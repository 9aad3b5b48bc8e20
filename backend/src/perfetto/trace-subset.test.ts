import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import protobuf from 'protobufjs';
import { PROTO_DIR } from './trace-proto.js';
import { officialTraceType } from './testing/trace-reader.js';

describe('trace_subset.proto', () => {
  it('declares only messages, fields and enum values of Perfetto’s perfetto_trace.proto, as Perfetto declares them', () => {
    const official = officialTraceType().root;
    const subset = new protobuf.Root().loadSync(`${PROTO_DIR}trace_subset.proto`, { keepCase: true });
    const checked: string[] = [];
    const visit = (ns: protobuf.NamespaceBase): void => {
      for (const nested of ns.nestedArray) {
        if (nested instanceof protobuf.Type) {
          const theirs = official.lookupType(nested.fullName);
          for (const field of nested.fieldsArray) {
            const their = theirs.fields[field.name];
            assert.ok(their, `${nested.fullName}.${field.name} is not in perfetto_trace.proto`);
            assert.deepEqual([field.id, field.type, field.repeated, field.partOf?.name],
              [their.id, their.type.replace(/^\./, '').replace(/^perfetto\.protos\./, ''), their.repeated, their.partOf?.name],
              `${nested.fullName}.${field.name}`);
            checked.push(`${nested.fullName}.${field.name}`);
          }
        } else if (nested instanceof protobuf.Enum) {
          const theirs = official.lookupEnum(nested.fullName);
          for (const [name, value] of Object.entries(nested.values)) assert.equal(theirs.values[name], value, `${nested.fullName}.${name}`);
        }
        if (nested instanceof protobuf.Namespace) visit(nested);
      }
    };
    visit(subset);
    assert.ok(checked.includes('.perfetto.protos.TracePacket.first_packet_on_sequence'));
    assert.ok(checked.length > 30);
  });
});
