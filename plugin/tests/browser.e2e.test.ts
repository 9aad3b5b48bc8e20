/** @jest-environment node */
// The span timeline panel and the query editor rendered by headless Chromium (the system's, else the
// one @sparticuz/chromium ships in its npm package; driven by playwright-core) from a harness page
// using Grafana's UI library; a screenshot goes to test-output/.
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { buildHarness } from './browser/build';
import { chromiumExecutable } from './browser/chromium';

jest.setTimeout(180_000);

const OUTPUT = join(__dirname, '../test-output');
const CHROMIUM_FLAGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

let context: BrowserContext;
let page: Page;
let profile: string;
const pageErrors: string[] = [];

beforeAll(async () => {
  const executablePath = await chromiumExecutable();
  mkdirSync(OUTPUT, { recursive: true });
  const html = await buildHarness(join(OUTPUT, 'harness'));
  profile = mkdtempSync(join(tmpdir(), 'mm-chromium-'));
  // A persistent context is how playwright takes a fresh --user-data-dir.
  context = await chromium.launchPersistentContext(profile, {
    executablePath,
    headless: true,
    args: CHROMIUM_FLAGS,
    viewport: { width: 1180, height: 760 },
  });
  page = context.pages()[0] ?? (await context.newPage());
  page.on('pageerror', (e) => pageErrors.push(e.message));
  await page.goto(pathToFileURL(html).href);
  await page.waitForSelector('[data-testid="precision-section"] canvas[aria-label^="span timeline"]');
  await page.waitForSelector('.monaco-editor .view-lines', { timeout: 60_000 });
});

afterAll(async () => {
  await context?.close();
  if (profile) {
    rmSync(profile, { recursive: true, force: true });
  }
});

test('the query editor shows the SQL in Monaco with the format and switches', async () => {
  await expect(page.locator('.monaco-editor .view-lines').innerText()).resolves.toContain("view_instance('thread_spans'");
  await expect(page.getByLabel('Traces').isChecked()).resolves.toBe(true);
  await expect(page.getByRole('switch', { name: 'Time filter' }).isChecked()).resolves.toBe(true);
  await expect(page.getByRole('switch', { name: 'Auto limit' }).isChecked()).resolves.toBe(true);
});

const timeline = (section: string) => page.getByTestId(section).locator('canvas[aria-label^="span timeline"]');

test('the panel draws 100 k spans in lanes on its canvas', async () => {
  const canvas = timeline('panel-section');
  await expect(canvas.getAttribute('aria-label')).resolves.toBe('span timeline: 100007 spans in 2 lanes');
  const colors = await canvas.evaluate((c: HTMLCanvasElement) => {
    const data = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
    const seen = new Set<number>();
    for (let i = 0; i < data.length; i += 4 * 7) {
      seen.add((data[i]! << 16) | (data[i + 1]! << 8) | data[i + 2]!);
    }
    return seen.size;
  });
  // Background, lane headers, text and several span colours.
  expect(colors).toBeGreaterThan(5);
});

test('hovering a span shows its name, duration and target; clicking sets the time range', async () => {
  const box = (await timeline('panel-section').boundingBox())!;
  // Lane "main" comes first: header (18 px), then 18 px depth rows, the top-level spans (depth 1) first
  // with no empty row above them. The view spans the worker lane's
  // 250 ms, so the first 16 ms 'frame' covers about the first 70 px.
  await page.mouse.move(box.x + 30, box.y + 18 + 9);
  const tooltip = page.getByRole('tooltip');
  await expect(tooltip.innerText()).resolves.toMatch(/frame[\s\S]*duration: 16\.0 ms[\s\S]*target: game::loop/);
  await page.screenshot({ path: join(OUTPUT, 'grafana-plugins.png'), fullPage: true });
  await page.mouse.down();
  await page.mouse.up();
  await expect(page.evaluate(() => (window as unknown as { timeRanges: unknown[] }).timeRanges)).resolves.toEqual([
    { from: 1_700_000_000_000, to: 1_700_000_000_016 },
  ]);
});

test('wheel zoom re-renders without page errors', async () => {
  const box = (await timeline('panel-section').boundingBox())!;
  await page.mouse.move(box.x + 50, box.y + 60);
  for (let i = 0; i < 5; i++) {
    await page.mouse.wheel(0, -200);
  }
  await page.screenshot({ path: join(OUTPUT, 'span-timeline-zoomed.png'), clip: box });
  expect(pageErrors).toEqual([]);
});

test('spans that begin and end within one millisecond are drawn with their true widths (pixels measured)', async () => {
  // The frame span (800 µs) fills the 800 px view: 1 px per µs. Rows: header 18 px, then 18 px per depth.
  const runs = await timeline('precision-section').evaluate((c: HTMLCanvasElement) => {
    const ratio = c.width / c.clientWidth;
    const ctx = c.getContext('2d')!;
    const rowRuns = (cssY: number) => {
      const line = ctx.getImageData(0, Math.round(cssY * ratio), c.width, 1).data;
      const background = line.slice(line.length - 4).join();
      const widths: number[] = [];
      let start = -1;
      for (let x = 0; x <= c.width; x++) {
        const painted = x < c.width && line.slice(x * 4, x * 4 + 4).join() !== background;
        if (painted && start < 0) {
          start = x;
        } else if (!painted && start >= 0) {
          widths.push(Math.round((x - start) / ratio));
          start = -1;
        }
      }
      return widths;
    };
    return [rowRuns(18 + 18 + 9), rowRuns(18 + 2 * 18 + 9)];
  });
  // update 400 µs and render 370 µs (the 10 µs gap between them shows); physics 200 µs and ai 170 µs.
  expect(runs).toEqual([
    [400, 370],
    [200, 170],
  ]);
  await expect(
    page
      .getByTestId('precision-section')
      .getByLabel(/^time axis/)
      .getAttribute('aria-label'),
  ).resolves.toBe('time axis: 22:13:20.123, +100 µs, +200 µs, +300 µs, +400 µs, +500 µs, +600 µs, +700 µs, +800 µs');
  await page.getByTestId('precision-section').screenshot({ path: join(OUTPUT, 'span-timeline-one-millisecond.png') });
});

test('render time of 100 k spans, beside drawing every span (printed, not asserted)', async () => {
  const bench = await page.evaluate(() => (window as unknown as { renderBench: (runs: number) => Record<string, number> }).renderBench(15));
  const ratio = bench.everySpanMs! / bench.oursMs!;
  console.log(
    [
      `span timeline, ${bench.spans} spans over 1100 px in headless Chromium, median of 15 renders:`,
      `  panel (sub-pixel spans aggregated per column): ${bench.oursMs!.toFixed(2)} ms, ${bench.oursRects} rectangles`,
      `  every span drawn:                              ${bench.everySpanMs!.toFixed(2)} ms, ${bench.everySpanRects} rectangles`,
      `  every span / panel: ${ratio.toFixed(1)}×`,
    ].join('\n'),
  );
  expect(bench.oursRects).toBeLessThan(bench.everySpanRects!);
});
