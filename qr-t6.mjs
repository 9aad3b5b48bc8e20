import { DuckDBInstance } from '@duckdb/node-api';
const inst = await DuckDBInstance.create(':memory:', { memory_limit: '256MB', threads: '2' });
const c = await inst.connect();
console.log('started rss', Math.round(process.memoryUsage().rss/1e6));
for (const q of ["SELECT count(*) FROM range(10000000) t(i) GROUP BY i % 1000000", "SELECT length(repeat('x', 1073741824))", "SELECT 1"]) {
  const t = Date.now();
  try { const r = await c.runAndReadAll(q); console.log('ok', r.getRows().length, Date.now()-t, 'ms'); } catch (e) { console.log('err', e.message.slice(0,200), Date.now()-t, 'ms'); }
}
