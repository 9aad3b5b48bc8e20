import { FieldType, toDataFrame } from '@grafana/data';
import { formatVariableValue, frameToOptions } from './datasource';

describe('variables', () => {
  test('single values are inserted as typed; multi values become a quoted SQL list', () => {
    expect(formatVariableValue('abc', { multi: false })).toBe('abc');
    expect(formatVariableValue(['a', "o'k"], { multi: true })).toBe("'a','o''k'");
    expect(formatVariableValue('x', { includeAll: true })).toBe("'x'");
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
