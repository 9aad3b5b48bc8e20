/** @jest-environment node */
import { expandMacros, MacroError, parseDurationMs } from './macros';

const ctx = { from: new Date('2024-05-01T10:00:00.000Z'), to: new Date('2024-05-01T11:00:00.000Z'), intervalMs: 60_000 };

describe('expandMacros', () => {
  test('$__timeFilter compares the column to both ends of the range', () => {
    expect(expandMacros('SELECT * FROM log_entries WHERE $__timeFilter(time)', ctx)).toBe(
      "SELECT * FROM log_entries WHERE (time >= TIMESTAMP '2024-05-01 10:00:00.000' AND time <= TIMESTAMP '2024-05-01 11:00:00.000')",
    );
  });

  test('$__timeFrom and $__timeTo, with or without parentheses', () => {
    expect(expandMacros('$__timeFrom() $__timeTo', ctx)).toBe("TIMESTAMP '2024-05-01 10:00:00.000' TIMESTAMP '2024-05-01 11:00:00.000'");
  });

  test('$__interval and $__interval_ms are the query interval', () => {
    expect(expandMacros('$__interval / $__interval_ms', ctx)).toBe("INTERVAL '60000 milliseconds' / 60000");
  });

  test('$__timeGroup buckets by a duration or by $__interval', () => {
    expect(expandMacros('$__timeGroup(time, 5m)', ctx)).toBe("time_bucket(INTERVAL '300000 milliseconds', time)");
    expect(expandMacros("$__timeGroup(time, '30s')", ctx)).toBe("time_bucket(INTERVAL '30000 milliseconds', time)");
    expect(expandMacros('$__timeGroup(time, $__interval)', ctx)).toBe("time_bucket(INTERVAL '60000 milliseconds', time)");
  });

  test('$__dateBin buckets by the query interval', () => {
    expect(expandMacros('SELECT $__dateBin(time) AS t', ctx)).toBe("SELECT time_bucket(INTERVAL '60000 milliseconds', time) AS t");
  });

  test('arguments may contain nested calls and commas in quotes', () => {
    expect(expandMacros('$__timeFilter(coalesce(a, b))', ctx)).toContain('(coalesce(a, b) >= ');
    expect(expandMacros("$__timeGroup(concat('a,b', x), 1h)", ctx)).toBe("time_bucket(INTERVAL '3600000 milliseconds', concat('a,b', x))");
  });

  test('text inside quotes is left alone', () => {
    expect(expandMacros("SELECT '$__timeFrom' AS literal", ctx)).toBe("SELECT '$__timeFrom' AS literal");
  });

  test('errors name the macro and the problem', () => {
    expect(() => expandMacros('$__timeFilter()', ctx)).toThrow(MacroError);
    expect(() => expandMacros('$__timeFilter()', ctx)).toThrow('$__timeFilter: expects 1 argument, got none');
    expect(() => expandMacros('$__timeGroup(time, soon)', ctx)).toThrow('cannot read "soon" as an interval');
    expect(() => expandMacros('$__timeFilter(time', ctx)).toThrow('unbalanced parentheses');
    expect(() => expandMacros('$__nope(x)', ctx)).toThrow('$__nope: unknown macro');
  });

  test('SQL without macros is unchanged', () => {
    const sql = "SELECT \"$x\", 'a''b' FROM t WHERE price > $1";
    expect(expandMacros(sql, ctx)).toBe(sql);
  });
});

describe('parseDurationMs', () => {
  test.each([
    ['500ms', 500],
    ['10s', 10_000],
    ['1.5m', 90_000],
    ['2h', 7_200_000],
    ['1d', 86_400_000],
    ['1w', 604_800_000],
  ])('%s', (text, ms) => expect(parseDurationMs(text, ctx)).toBe(ms));

  test('rejects what is not a duration', () => expect(parseDurationMs('5 minutes', ctx)).toBeUndefined());
});
