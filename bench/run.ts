/**
 * `npm run bench [name…]`: runs the benchmarks in order, each printing its own table with ratios
 * against the alternatives it measures in the same run. Not a test: nothing here asserts.
 */
const suites: Record<string, () => Promise<{ run(): Promise<void> }>> = {
  sdk: () => import('./sdk.js'),
  ingestion: () => import('./ingestion.js'),
  otlp: () => import('./otlp.js'),
  hostile: () => import('./hostile.js'),
  lakehouse: () => import('./lakehouse.js'),
  maintenance: () => import('./maintenance.js'),
  query: () => import('./query.js'),
  flightsql: () => import('./flightsql.js'),
  perfetto: () => import('./perfetto.js'),
  fleet: () => import('./fleet.js'),
  'fleet-maintenance': () => import('./fleet-maintenance.js'),
  'query-resources': () => import('./query-resources.js'),
  vacuum: () => import('./vacuum.js'),
};

const wanted = process.argv.slice(2);
const unknown = wanted.filter((name) => !(name in suites));
if (unknown.length > 0) {
  console.error(`unknown benchmark(s): ${unknown.join(', ')}; known: ${Object.keys(suites).join(', ')}`);
  process.exit(2);
}
for (const [name, load] of Object.entries(suites)) {
  if (wanted.length > 0 && !wanted.includes(name)) continue;
  console.log(`\n=== ${name} ===`);
  const suite = await load();
  await suite.run();
}
