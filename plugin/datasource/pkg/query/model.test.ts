/** @jest-environment node */
import type { DataQuery } from '../protocol/messages';
import { applyAutoLimit, prepareQuery, QueryModelError } from './model';

function dataQuery(model: object, overrides: Partial<DataQuery> = {}): DataQuery {
  return {
    refId: 'A',
    maxDataPoints: 500,
    intervalMS: 2000,
    timeRange: { fromEpochMS: Date.parse('2024-05-01T10:00:00Z'), toEpochMS: Date.parse('2024-05-01T11:00:00Z') },
    json: Buffer.from(JSON.stringify(model)),
    queryType: '',
    ...overrides,
  };
}

describe('prepareQuery', () => {
  test('expands macros with the query interval and sends the range when the time filter is on', () => {
    const q = prepareQuery(dataQuery({ rawSql: 'SELECT $__dateBin(time) FROM measures', format: 'time_series', timeFilter: true }), false);
    expect(q.sql).toBe("SELECT time_bucket(INTERVAL '2000 milliseconds', time) FROM measures");
    expect(q.format).toBe('time_series');
    expect(q.range).toEqual({ begin: new Date('2024-05-01T10:00:00Z'), end: new Date('2024-05-01T11:00:00Z') });
  });

  test('the datasource default applies when the query does not say', () => {
    expect(prepareQuery(dataQuery({ rawSql: 'SELECT 1' }), true).range).toBeDefined();
    expect(prepareQuery(dataQuery({ rawSql: 'SELECT 1' }), false).range).toBeUndefined();
    expect(prepareQuery(dataQuery({ rawSql: 'SELECT 1', timeFilter: false }), true).range).toBeUndefined();
  });

  test('auto limit bounds the result by max data points', () => {
    expect(prepareQuery(dataQuery({ rawSql: 'SELECT * FROM log_entries;', autoLimit: true }), false).sql).toBe(
      'SELECT * FROM (SELECT * FROM log_entries) LIMIT 500',
    );
  });

  test('bad models are reported against their refId', () => {
    expect(() => prepareQuery(dataQuery({ rawSql: '  ' }), false)).toThrow(new QueryModelError('A', 'the query has no SQL'));
    expect(() => prepareQuery(dataQuery({ rawSql: 'SELECT 1', format: 'pie' }), false)).toThrow('unknown format "pie"');
    expect(() => prepareQuery(dataQuery({}, { json: Buffer.from('{oops') }), false)).toThrow('query model is not valid JSON');
  });
});

describe('applyAutoLimit', () => {
  test('keeps an explicit trailing LIMIT', () => {
    expect(applyAutoLimit('SELECT * FROM t LIMIT 10', 100)).toBe('SELECT * FROM t LIMIT 10');
    expect(applyAutoLimit('select * from t limit 10 offset 5;', 100)).toBe('select * from t limit 10 offset 5');
  });

  test('wraps statements whose LIMIT is in a subquery only', () => {
    expect(applyAutoLimit('SELECT * FROM (SELECT * FROM t LIMIT 5) x ORDER BY a', 7)).toBe(
      'SELECT * FROM (SELECT * FROM (SELECT * FROM t LIMIT 5) x ORDER BY a) LIMIT 7',
    );
  });
});
