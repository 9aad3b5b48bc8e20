/**
 * Maintenance merges, in one run: ten minutes of logs (one block a second) materialized the way the
 * scheduler does it (second partitions, merged into minutes, then into the hour) beside building the
 * same minute and hour partitions straight from their source (what a merge replaces): log_entries
 * from blocks (merged as a union), log_stats from log_entries partitions (merged by summing counts).
 * PGlite + file://.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { openMetadataStore } from '@micromegas/backend/lake/metadata/open';
import { openObjectStore } from '@micromegas/backend/lake/object-store/open';
import { openCatalog, TelemetryWriter, type CatalogUnderTest, type TestEvent } from '../tests/lakehouse-fixtures.js';

const SECONDS = 600;
const EVENTS_PER_BLOCK = 2000;
const HOUR = Date.UTC(2026, 10, 2, 10, 0, 0);

function logs(block: number, startTicks: number): TestEvent[] {
  return Array.from({ length: EVENTS_PER_BLOCK }, (_, i) => ({
    kind: 'log', ticks: startTicks + (block * EVENTS_PER_BLOCK + i) * 24_000, level: 1 + (i % 6),
    target: `game::mod${i % 12}`, msg: `request ${block * EVENTS_PER_BLOCK + i} served in ${i % 97} ms`,
  }));
}

interface Step {
  view: string;
  step: string;
  ms: number;
  partitions: number;
}

/**
 * The steps of one view: as the scheduler runs them (seconds from the source, merged into minutes,
 * then the hour), then the minutes and the hour built straight from the source instead. `source`:
 * what the view is computed from, brought to the same width first, untimed (log_stats reads
 * log_entries partitions of its own width).
 */
async function viewSteps(lake: CatalogUnderTest, view: string, source: string | undefined): Promise<Step[]> {
  const window = (widthSeconds: number) => lake.catalog.materializePartitions(source ?? view, new Date(HOUR), new Date(HOUR + 3_600_000), widthSeconds);
  const timed = async (step: string, widthSeconds: number): Promise<Step> => {
    if (source !== undefined) await window(widthSeconds);
    const start = performance.now();
    const partitions = await lake.catalog.materializePartitions(view, new Date(HOUR), new Date(HOUR + 3_600_000), widthSeconds);
    return { view, step, ms: performance.now() - start, partitions };
  };
  const retire = async (...views: string[]) => {
    for (const v of views) await lake.catalog.retirePartitions(v, 'global', new Date(HOUR), new Date(HOUR + 3_600_000));
  };
  const from = source === undefined ? 'from blocks' : `from ${source}`;
  await retire(view, ...(source === undefined ? [] : [source]));
  const steps = [
    await timed(`seconds, ${from}`, 1),
    await timed('minutes, merged from seconds', 60),
    await timed('hour, merged from minutes', 3600),
  ];
  await retire(view, ...(source === undefined ? [] : [source]));
  steps.push(await timed(`minutes, ${from}`, 60));
  await retire(view);
  steps.push(await timed(`hour, ${from}`, 3600));
  return steps;
}

export async function run(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'mm-bench-maintenance-'));
  const metadata = await openMetadataStore({ kind: 'pglite' });
  const objects = openObjectStore(pathToFileURL(join(dir, 'objects')).href);
  const lake = await openCatalog({ metadata, objects });
  try {
    const writer = new TelemetryWriter(metadata, objects);
    const proc = await writer.process();
    const stream = await writer.stream(proc, ['log']);
    for (let s = 0; s < SECONDS; s++) {
      const block = await writer.block(proc, stream, logs(s, proc.start_ticks));
      await writer.setInsertTime([block.block_id], new Date(HOUR + s * 1000 + 250));
    }
    const events = SECONDS * EVENTS_PER_BLOCK;
    const steps = [...await viewSteps(lake, 'log_entries', undefined), ...await viewSteps(lake, 'log_stats', 'log_entries')];
    const alternative = (s: Step) => steps.find((o) => o.view === s.view && o.step.startsWith(s.step.split(',')[0]!) && !o.step.includes('merged'))!;
    console.log(`\nMaintenance: ${SECONDS} s of logs, one block of ${EVENTS_PER_BLOCK} events a second (${events} events), PGlite + file://`);
    console.table(steps.map((s) => ({
      view: s.view,
      step: s.step,
      partitions: s.partitions,
      ms: s.ms.toFixed(0),
      'M ev/s': (events / s.ms / 1000).toFixed(2),
      'merge vs building it': s.step.includes('merged') ? `${(s.ms / alternative(s).ms).toFixed(2)}× the time` : '',
    })));
  } finally {
    await lake.close();
    await metadata.close();
    await rm(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await run();
