/** @jest-environment node */
// The port of go-plugin's stderr parsing, and the datasource's logger read through it.
import { hclogTimestamp, jsonLinesLogger, MAX_LINE_BYTES, type LogLevel } from '../../datasource/pkg/protocol/logger';
import { HostPanicError, parseGoTimestamp, PLUGIN_LOG_BUFFER_BYTES, StderrReader } from './goPluginLog';

const read = (text: string) => {
  const reader = new StderrReader();
  reader.push(Buffer.from(text));
  return reader.entries;
};

describe("go-plugin's parsing of plugin stderr", () => {
  test('@timestamp needs exactly six fraction digits (Go layout 2006-01-02T15:04:05.000000Z07:00)', () => {
    expect(parseGoTimestamp('2024-05-01T10:00:00.123456Z').toISOString()).toBe('2024-05-01T10:00:00.123Z');
    expect(parseGoTimestamp('2024-05-01T12:00:00.000001+02:00').toISOString()).toBe('2024-05-01T10:00:00.000Z');
    for (const bad of [
      '2024-05-01T10:00:00.123Z',
      '2024-05-01T10:00:00.123456789Z',
      '2024-05-01T10:00:00Z',
      '2024-02-30T10:00:00.000000Z',
    ]) {
      expect(() => parseGoTimestamp(bad)).toThrow();
    }
  });

  test('an hclog line keeps its level, message and fields; with a 3-digit timestamp the whole line is raw DEBUG', () => {
    const line = (timestamp: string) =>
      JSON.stringify({ '@level': 'warn', '@message': 'query failed', '@timestamp': timestamp, refId: 'A' });
    expect(read(`${line('2024-05-01T10:00:00.123456Z')}\n`)).toEqual([
      { level: 'warn', message: 'query failed', fields: { refId: 'A', timestamp: new Date('2024-05-01T10:00:00.123Z') }, raw: false },
    ]);
    expect(read(`${line('2024-05-01T10:00:00.123Z')}\n`)).toEqual([
      { level: 'debug', message: line('2024-05-01T10:00:00.123Z'), fields: {}, raw: true },
    ]);
  });

  test('unknown levels and non-JSON lines are raw DEBUG, [LEVEL] prefixes and panics keep a level', () => {
    const entries = read(
      ['{"@level":"fatal","@message":"x"}', 'plain text', '[WARN] careful', 'panic: boom', 'goroutine 1', ''].join('\n'),
    );
    expect(entries.map((e) => [e.level, e.raw])).toEqual([
      ['debug', true],
      ['debug', true],
      ['warn', true],
      ['error', true],
      ['error', true],
    ]);
  });

  test('a line longer than the 64 KiB read buffer comes out in raw pieces', () => {
    const long = JSON.stringify({ '@level': 'info', '@message': 'x'.repeat(PLUGIN_LOG_BUFFER_BYTES) });
    const entries = read(`${long}\n`);
    expect(entries.length).toBe(2);
    expect(entries.every((e) => e.raw && e.level === 'debug')).toBe(true);
  });

  test('a non-string @message would panic the host', () => {
    expect(() => read('{"@level":"info","@message":42}\n')).toThrow(HostPanicError);
  });
});

describe("the datasource's logger, read as go-plugin reads it", () => {
  function logged(level: LogLevel, message: string, fields?: Record<string, unknown>) {
    const reader = new StderrReader();
    const lines: string[] = [];
    jsonLinesLogger((line) => {
      lines.push(line);
      reader.push(Buffer.from(line));
    }).log(level, message, fields);
    return { entries: reader.entries, line: lines[0]! };
  }

  test.each<LogLevel>(['trace', 'debug', 'info', 'warn', 'error'])('%s lines keep their level and fields', (level) => {
    const { entries } = logged(level, 'something happened', { refId: 'A', rows: 3, big: 10n });
    expect(entries).toEqual([
      { level, message: 'something happened', fields: { refId: 'A', rows: 3, big: '10', timestamp: expect.any(Date) }, raw: false },
    ]);
  });

  test('timestamps are microseconds: six digits, the same instant', () => {
    const micros = Date.UTC(2024, 4, 1, 10, 0, 0, 123) * 1000 + 456;
    expect(hclogTimestamp(micros)).toBe('2024-05-01T10:00:00.123456Z');
    expect(hclogTimestamp(Date.UTC(2024, 4, 1) * 1000)).toBe('2024-05-01T00:00:00.000000Z');
    const before = Date.now();
    const { entries } = logged('info', 'now');
    const at = (entries[0]!.fields.timestamp as Date).getTime();
    expect(at).toBeGreaterThanOrEqual(before - 1);
    expect(at).toBeLessThanOrEqual(Date.now() + 1);
  });

  test('a huge field is shortened so the line stays one entry', () => {
    const { entries, line } = logged('error', 'query failed', { error: 'é'.repeat(100_000), refId: 'A' });
    expect(Buffer.byteLength(line)).toBeLessThanOrEqual(MAX_LINE_BYTES + 1);
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({
      level: 'error',
      raw: false,
      fields: { refId: 'A', error: expect.stringMatching(/^é+… \(truncated\)$/) },
    });
  });
});
