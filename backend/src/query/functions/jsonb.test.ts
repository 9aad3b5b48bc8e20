import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { openFixture, type Fixture } from '../testing/fixture.js';
import { plainRows } from '../testing/plain-rows.js';

const DOC = `jsonb_parse('{"service": "web", "port": 8080, "load": 0.5, "big": 18446744073709551615, "ok": true, "none": null,
  "tags": ["a", "b"], "Mixed": "case", "otel.scope.name": "lib", "a/b": "slash", "t~1": "tilde"}')`;

describe('micromegas JSONB functions', () => {
  let fx: Fixture;
  before(async () => { fx = await openFixture(); });
  after(() => fx.close());
  const rows = (sql: string) => plainRows(fx, sql);

  it('jsonb_parse makes JSON (minified) of valid text, NULL of anything else', async () => {
    assert.deepEqual(await rows(`SELECT jsonb_parse('{ "a" : [1, 2] }') AS obj, jsonb_parse('"s"') AS str, jsonb_parse('null') AS json_null,
      jsonb_parse('{oops') AS bad, jsonb_parse('') AS empty, jsonb_parse(NULL) AS none, typeof(jsonb_parse('1')) AS type`),
    [{ obj: '{"a":[1,2]}', str: '"s"', json_null: 'null', bad: null, empty: null, none: null, type: 'JSON' }]);
  });

  it('jsonb_get reads an object key (exact, else ignoring case, any characters), NULL otherwise', async () => {
    assert.deepEqual(await rows(`SELECT jsonb_get(${DOC}, 'service') AS s, jsonb_get(${DOC}, 'tags') AS t, jsonb_get(${DOC}, 'mixed') AS ci,
      jsonb_get(${DOC}, 'otel.scope.name') AS dots, jsonb_get(${DOC}, 'a/b') AS slash, jsonb_get(${DOC}, 't~1') AS tilde,
      jsonb_get(${DOC}, 'none') AS json_null, jsonb_get(${DOC}, 'absent') AS absent, jsonb_get(jsonb_parse('[1]'), '0') AS of_array,
      jsonb_get(NULL, 'a') AS none, jsonb_get(${DOC}, NULL) AS no_key`),
    [{ s: '"web"', t: '["a","b"]', ci: '"case"', dots: '"lib"', slash: '"slash"', tilde: '"tilde"', json_null: 'null',
      absent: null, of_array: null, none: null, no_key: null }]);
  });

  it('jsonb_get and the other readers take the views\' property lists too', async () => {
    assert.deepEqual(await rows(`SELECT jsonb_as_string(jsonb_get(properties, 'RARE')) AS rare, jsonb_object_keys(properties) AS keys,
      jsonb_format_json(properties) AS json FROM log_entries WHERE msg = 'msg 20'`),
    [{ rare: 'yes', keys: ['k', 'rare'], json: '{"k":"v20","rare":"yes"}' }]);
  });

  it('jsonb_as_string, jsonb_as_f64 and jsonb_as_i64 cast values of their JSON type only', async () => {
    const cast = (key: string) => `jsonb_as_string(jsonb_get(${DOC}, '${key}')) AS s_${key}, jsonb_as_f64(jsonb_get(${DOC}, '${key}')) AS f_${key},
      jsonb_as_i64(jsonb_get(${DOC}, '${key}')) AS i_${key}`;
    const [row] = await fx.rows(`SELECT ${['service', 'port', 'load', 'big', 'ok', 'none', 'tags'].map(cast).join(', ')},
      jsonb_as_string(NULL) AS s_null, jsonb_as_i64(jsonb_parse('-12')) AS i_negative`);
    assert.deepEqual({ ...row }, {
      s_service: 'web', f_service: null, i_service: null,
      s_port: null, f_port: 8080, i_port: 8080n,
      s_load: null, f_load: 0.5, i_load: null,
      s_big: null, f_big: 18446744073709551615, i_big: null, // beyond BIGINT
      s_ok: null, f_ok: null, i_ok: null,
      s_none: null, f_none: null, i_none: null,
      s_tags: null, f_tags: null, i_tags: null,
      s_null: null, i_negative: -12n,
    });
  });

  it('jsonb_object_keys lists an object\'s keys (NULL for other values); jsonb_array_length counts an array\'s', async () => {
    assert.deepEqual(await rows(`SELECT jsonb_object_keys(jsonb_parse('{"name": "server", "port": 8080}')) AS keys,
      jsonb_object_keys(jsonb_parse('[1]')) AS of_array, jsonb_object_keys(jsonb_parse('{}')) AS empty,
      jsonb_array_length(jsonb_parse('[1, 2, 3]')) AS len, jsonb_array_length(jsonb_parse('[]')) AS zero,
      jsonb_array_length(jsonb_parse('{"key": "value"}')) AS of_object`),
    [{ keys: ['name', 'port'], of_array: null, empty: [], len: 3n, zero: 0n, of_object: null }]);
  });

  it('jsonb_format_json prints JSON text, minified', async () => {
    assert.deepEqual(await rows(`SELECT jsonb_format_json(jsonb_parse('{"name":   "web_server"}')) AS a, jsonb_format_json(jsonb_get(${DOC}, 'port')) AS b,
      jsonb_format_json(NULL) AS c, typeof(jsonb_format_json(jsonb_parse('1'))) AS type`),
    [{ a: '{"name":"web_server"}', b: '8080', c: null, type: 'VARCHAR' }]);
  });

  it('jsonb_each expands an object (key order) or an array (indices as keys) into (key, value JSON) rows', async () => {
    assert.deepEqual(await rows(`SELECT key, jsonb_format_json(value) AS v FROM jsonb_each(jsonb_parse('{"name": "server", "port": 8080, "tags": ["prod"]}'))`),
      [{ key: 'name', v: '"server"' }, { key: 'port', v: '8080' }, { key: 'tags', v: '["prod"]' }]);
    assert.deepEqual(await rows(`SELECT key AS index, jsonb_as_i64(value) AS v FROM jsonb_each((SELECT jsonb_parse('[10, 20, 30]')))`),
      [{ index: '0', v: 10n }, { index: '1', v: 20n }, { index: '2', v: 30n }]);
    const schema = await fx.engine.schema("SELECT * FROM jsonb_each(jsonb_parse('{}'))");
    assert.deepEqual(schema.fields.map((f) => `${f.name}:${f.type}`), ['key:Utf8', 'value:Utf8']);
  });

  it('jsonb_each over a subquery concatenates its rows, skipping NULLs, and reads property lists', async () => {
    const [counted] = await fx.rows(`SELECT count(*) AS n, count(*) FILTER (WHERE key = 'rare') AS rare
      FROM jsonb_each((SELECT CASE WHEN msg = 'msg 1' THEN NULL ELSE properties END FROM log_entries))`);
    assert.deepEqual({ ...counted }, { n: 219n, rare: 20n });
    assert.deepEqual(await rows(`SELECT key, jsonb_as_string(value) AS value FROM jsonb_each((SELECT properties FROM log_entries WHERE msg = 'msg 30'))`),
      [{ key: 'k', value: 'v30' }, { key: 'rare', value: 'yes' }]);
  });

  it('jsonb_array_elements expands an array into value rows', async () => {
    assert.deepEqual(await rows(`SELECT jsonb_as_string(jsonb_get(value, 'name')) AS name FROM jsonb_array_elements(jsonb_parse('[{"name": "Alice"}, {"name": "Bob"}]'))`),
      [{ name: 'Alice' }, { name: 'Bob' }]);
  });

  it('refuses arguments of another type, and scalars where rows of entries are expected', async () => {
    await assert.rejects(fx.rows("SELECT jsonb_get(42, 'a')"), { code: 'invalid_argument', message: /jsonb_get\(\) does not support the supplied arguments/ });
    await assert.rejects(fx.rows('SELECT jsonb_as_f64(1.5)'), { code: 'invalid_argument', message: /jsonb_as_f64\(\) does not support/ });
    await assert.rejects(fx.rows("SELECT jsonb_as_string(jsonb_get('not json', 'a'))"), { code: 'invalid_argument', message: /Malformed JSON/ });
    await assert.rejects(fx.rows("SELECT * FROM jsonb_each(jsonb_parse('5'))"),
      { code: 'invalid_argument', message: /jsonb_each: expects a JSON object or array, got 5/ });
    await assert.rejects(fx.rows("SELECT * FROM jsonb_array_elements(jsonb_parse('{}'))"),
      { code: 'invalid_argument', message: /jsonb_array_elements: expects a JSON array, got \{\}/ });
    await assert.rejects(fx.rows('SELECT * FROM jsonb_each(1, 2)'), { code: 'invalid_argument', message: /jsonb_each\(jsonb\) takes 1 argument\(s\), got 2/ });
  });
});
