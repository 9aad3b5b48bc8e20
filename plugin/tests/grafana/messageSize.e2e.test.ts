/** @jest-environment node */
// gRPC messages above grpc-js's 4 MiB receive default, in every hop Grafana's data takes: a FlightSQL
// server sending a large record batch in one FlightData message, and the plugin's QueryData answer,
// which go-plugin's client accepts up to MaxInt32 bytes (its dial options).
import { GrafanaHost } from '../grafanaHost';
import { startObservedFlightSql, type ObservedFlightSql } from './observedFlightSql';

jest.setTimeout(60_000);

let server: ObservedFlightSql;
let host: GrafanaHost;

beforeAll(async () => {
  // A server that sends each record batch whole, however large (ours slices them under 2 MiB).
  server = await startObservedFlightSql({ maxMessageBytes: 256 * 1024 * 1024 });
  host = await GrafanaHost.launch();
});
afterAll(async () => {
  await host?.stop();
  await server?.stop();
});

test('a 6 MB result crosses FlightSQL and QueryData in single messages', async () => {
  const rows = 6000;
  const responses = await host.queryData({ jsonData: { address: server.address, timeFilterDefault: false } }, [
    { refId: 'A', model: { rawSql: `SELECT i, repeat('x', 1000) AS s FROM range(${rows}) t(i)`, format: 'table' }, from: 0, to: 1 },
  ]);
  expect(responses.A!.error).toBe('');
  expect(responses.A!.frames[0]!.byteLength).toBeGreaterThan(6_000_000);
  const [i, s] = responses.A!.decoded[0]!.fields;
  expect(i!.values).toHaveLength(rows);
  expect(i!.values[rows - 1]).toBe(BigInt(rows - 1));
  expect(s!.values.every((v) => v === 'x'.repeat(1000))).toBe(true);
});
