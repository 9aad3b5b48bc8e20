import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { withoutServerPaths } from './errors.js';

describe('withoutServerPaths', () => {
  it('cuts absolute file paths, quoted or not, and keeps URLs, relative paths and ratios', () => {
    assert.equal(withoutServerPaths('IO Error: No files found that match the pattern "/var/lib/mm/cache/views/a.parquet"'),
      'IO Error: No files found that match the pattern "<server path>"');
    assert.equal(withoutServerPaths("ENOENT: no such file or directory, open '/data/objects/blobs/x'"),
      "ENOENT: no such file or directory, open '<server path>'");
    assert.equal(withoutServerPaths('Could not write /tmp/spill/12-query-1/duckdb_temp_storage_S32K-0.tmp: disk full'),
      'Could not write <server path>: disk full');
    assert.equal(withoutServerPaths('allowed: [/a/b/, /c/d/]'), 'allowed: [<server path>, <server path>]');
    const kept = 'see s3://bucket/prefix/x and https://duckdb.org/docs/a/b, views/a/b.parquet, 10/2/3 and / alone';
    assert.equal(withoutServerPaths(kept), kept);
  });
});
