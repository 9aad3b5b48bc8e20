import { FieldType, toDataFrame } from '@grafana/data';
import { frameToOptions } from './datasource';
import { formatVariableValue, interpolateVariables } from './variables';

describe('variables', () => {
  test('a variable is an SQL value: strings quoted and escaped, numbers as numbers, several values a list', () => {
    expect(formatVariableValue('abc')).toBe("'abc'");
    expect(formatVariableValue("o'k")).toBe("'o''k'");
    expect(formatVariableValue(20000)).toBe('20000');
    expect(formatVariableValue(['a', "o'k"])).toBe("'a','o''k'");
    expect(formatVariableValue([])).toBe('NULL');
  });

  test('$__interval and $__interval_ms are kept for the backend, whatever the frontend would put there', () => {
    // What Grafana's frontend knows: the request's scoped interval vars and a dashboard variable.
    const known: Record<string, string> = { __interval: '20s', __interval_ms: '20000', x: "'a'", __intervalx: "'b'" };
    const replace = (sql: string) => sql.replace(/\$(\w+)/g, (match, name: string) => known[name] ?? match);
    expect(interpolateVariables('$__timeGroup(time, $__interval), $__interval_ms, $x, $__intervalx', replace)).toBe(
      "$__timeGroup(time, $__interval), $__interval_ms, 'a', 'b'",
    );
  });

  test('the first column gives values, the second texts', () => {
    const frame = toDataFrame({
      fields: [
        { name: 'process_id', type: FieldType.string, values: ['p1', 'p2'] },
        { name: 'exe', type: FieldType.string, values: ['game', 'server'] },
      ],
    });
    expect(frameToOptions(frame)).toEqual([
      { value: 'p1', text: 'game' },
      { value: 'p2', text: 'server' },
    ]);
  });
});
