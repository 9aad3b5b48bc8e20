import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { openFixture, type Fixture } from '../testing/fixture.js';
import { plainRows } from '../testing/plain-rows.js';

const LIST = (pairs: [string | null, string | null][]) =>
  `CAST([${pairs.map(([k, v]) => `{'key': ${k === null ? 'NULL' : `'${k}'`}, 'value': ${v === null ? 'NULL' : `'${v}'`}}`).join(', ')}] AS STRUCT("key" VARCHAR, "value" VARCHAR)[])`;

describe('micromegas property functions', () => {
  let fx: Fixture;
  before(async () => { fx = await openFixture(); });
  after(() => fx.close());
  const rows = (sql: string) => plainRows(fx, sql);

  it('property_get finds a key exactly, else ignoring case (as micromegas), NULL when absent', async () => {
    assert.deepEqual(await rows(`SELECT property_get(${LIST([['Version', '1'], ['version', '2']])}, 'version') AS exact,
      property_get(${LIST([['Thread-Name', 'main']])}, 'thread-name') AS other_case,
      property_get(${LIST([['a', 'x']])}, 'b') AS absent, property_get(${LIST([])}, 'b') AS empty,
      property_get(CAST(NULL AS STRUCT("key" VARCHAR, "value" VARCHAR)[]), 'b') AS null_list`),
    [{ exact: '2', other_case: 'main', absent: null, empty: null, null_list: null }]);
  });

  it('property_get reads the JSONB form too: strings as text, other values as JSON', async () => {
    assert.deepEqual(await rows(`SELECT property_get(jsonb_parse('{"service": "api", "port": 8080, "tags": ["a"]}'), 'service') AS s,
      property_get(jsonb_parse('{"service": "api", "port": 8080}'), 'PORT') AS n,
      property_get(jsonb_parse('{"tags": ["a"]}'), 'tags') AS t, property_get(jsonb_parse('{}'), 'x') AS absent,
      property_get(properties_to_jsonb(${LIST([['env', 'production']])}), 'env') AS converted`),
    [{ s: 'api', n: '8080', t: '["a"]', absent: null, converted: 'production' }]);
  });

  it('properties_to_jsonb makes a JSON object with sorted keys, skipping NULL entries, escaping as JSON', async () => {
    assert.deepEqual(await rows(`SELECT properties_to_jsonb(${LIST([['b', '2'], ['a', 'say "hi"\\n'], [null, 'x'], ['c', null]])}) AS j,
      properties_to_jsonb(${LIST([])}) AS empty, properties_to_jsonb(CAST(NULL AS STRUCT("key" VARCHAR, "value" VARCHAR)[])) AS none,
      properties_to_jsonb('{"already": "json"}') AS json, typeof(properties_to_jsonb(${LIST([])})) AS type`),
    [{ j: '{"a":"say \\"hi\\"\\\\n","b":"2"}', empty: '{}', none: null, json: '{"already": "json"}', type: 'JSON' }]);
  });

  it('properties_to_jsonb over a view: the properties of each row', async () => {
    assert.deepEqual(await rows(`SELECT msg, properties_to_jsonb(properties) AS j FROM log_entries WHERE msg IN ('msg 10', 'msg 11') ORDER BY msg`), [
      { msg: 'msg 10', j: '{"k":"v10","rare":"yes"}' },
      { msg: 'msg 11', j: '{"k":"v11"}' },
    ]);
  });

  it('properties_length counts entries of either form as INTEGER; properties_to_dict and properties_to_array keep the list', async () => {
    const [row] = await fx.rows(`SELECT properties_length(properties) AS n, properties_length(properties_to_jsonb(properties)) AS nj,
        properties_length(properties_to_dict(properties)) AS nd, len(properties_to_array(properties_to_dict(properties))) AS na,
        properties_to_array(properties_to_dict(properties)) = properties AS same
      FROM log_entries WHERE msg = 'msg 10'`);
    assert.deepEqual({ ...row }, { n: 2, nj: 2, nd: 2, na: 2n, same: true });
    const schema = await fx.engine.schema("SELECT properties_length(properties) AS n FROM log_entries");
    assert.equal(String(schema.fields[0]!.type), 'Int32');
  });

  it('properties_to_array turns a JSONB object into the {key, value} list', async () => {
    assert.deepEqual(await rows(`SELECT properties_to_array(jsonb_parse('{"b": "x", "a": 1}')) AS l`),
      [{ l: [{ key: 'b', value: 'x' }, { key: 'a', value: '1' }] }]);
  });

  it('refuses arguments of another type, naming the overloads', async () => {
    await assert.rejects(fx.rows('SELECT property_get(42, \'a\')'), {
      code: 'invalid_argument',
      message: /property_get\(\) does not support the supplied arguments[\s\S]*property_get\(properties STRUCT\("key" VARCHAR, "value" VARCHAR\)\[\], name VARCHAR\)/,
    });
    await assert.rejects(fx.rows('SELECT properties_length(3.5)'), { code: 'invalid_argument', message: /properties_length\(\) does not support/ });
    await assert.rejects(fx.rows('SELECT property_get(properties) FROM log_entries'), { code: 'invalid_argument', message: /property_get/ });
    await assert.rejects(fx.rows("SELECT properties_length('not json')"), { code: 'invalid_argument', message: /Malformed JSON/ });
  });
});
