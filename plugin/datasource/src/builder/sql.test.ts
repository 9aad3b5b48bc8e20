import { BuilderError, builderSql } from './sql';

describe('builderSql', () => {
  test('global view with columns, filter and limit', () => {
    expect(builderSql({ viewSet: 'log_entries', columns: ['time', 'level', 'msg'], filter: 'level <= 2', limit: 100 })).toBe(
      'SELECT time, level, msg\nFROM log_entries\nWHERE $__timeFilter(time) AND (level <= 2)\nORDER BY time DESC\nLIMIT 100',
    );
  });

  test('an instance selects view_instance with the set and id quoted', () => {
    expect(builderSql({ viewSet: 'thread_spans', instance: "s'1" })).toBe(
      "SELECT *\nFROM view_instance('thread_spans', 's''1')\nWHERE $__timeFilter(begin)\nORDER BY begin DESC",
    );
  });

  test('quotes column names that are not plain identifiers or are keywords', () => {
    expect(builderSql({ viewSet: 'thread_spans', instance: 's', columns: ['begin', 'end', 'processes.exe'] })).toContain(
      'SELECT begin, "end", "processes.exe"',
    );
  });

  test('refuses sets without a global instance when no id is given, and unknown sets', () => {
    expect(() => builderSql({ viewSet: 'thread_spans' })).toThrow(
      new BuilderError('thread_spans has no global instance: give a stream_id'),
    );
    expect(() => builderSql({ viewSet: 'nope' })).toThrow('unknown view set "nope"');
  });
});
