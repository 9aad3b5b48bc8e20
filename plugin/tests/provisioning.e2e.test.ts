/** @jest-environment ./tests/grafana/environment.js */
// Every provisioned dashboard opened as Grafana 13 opens it, against a real backend fed by the SDK's
// workload and by `micromegas demo`: its variables brought up from their queries over the dashboard's
// range, then set to one value, several values and All, and each panel's queries sent the way a
// scene sends them (scenes' interpolation through our datasource's applyTemplateVariables, the real
// DataSourceWithBackend, the query service port, the plugin executable, frames back through sdk-go's
// JSON). Every panel and variable must return rows; alert rules run as Grafana's alerting runs them
// (the model straight to the backend component, no frontend). Then the demo's spans, which mostly
// begin and end within one millisecond, through that same path: the span panel draws them with
// their true widths, the traces and logs frames keep their times to the nanosecond.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DataFrame, DataQueryResponse, Field } from '@grafana/data';
import { layoutTimeline } from '../panel/src/timeline/layout';
import { buildTimeline } from '../panel/src/timeline/model';
import { renderTimeline } from '../panel/src/timeline/render';
import { recordingContext } from '../panel/src/timeline/testing';
import { pluginStackFixture } from './backend';
import { unmarshalArrowFrame } from './grafana/arrowFrame';
import { grafanaFrontend, type GrafanaFrontend } from './grafana/grafanaFrontend';
import { DashboardScene, type DashboardModel } from './grafana/scenes/dashboard';
import { ALL_VARIABLE_VALUE, MultiValueVariable } from './grafana/scenes/variables';
import { alertRules, dashboards, PROVISIONING, readYaml, REPO } from './provisioning';

jest.setTimeout(120_000);

const DATASOURCE_ID = JSON.parse(readFileSync(join(REPO, 'plugin/datasource/src/plugin.json'), 'utf8')).id;
const PANEL_ID = JSON.parse(readFileSync(join(REPO, 'plugin/panel/src/plugin.json'), 'utf8')).id;
const DATASOURCE_REF = { type: DATASOURCE_ID, uid: 'micromegas' };

describe('provisioning files', () => {
  test('the datasource is ours, with the uid the dashboards and alerts use', () => {
    const { datasources } = readYaml<{ datasources: Array<{ type: string; uid: string }> }>(
      join(PROVISIONING, 'datasources/micromegas.yaml'),
    );
    expect(datasources).toEqual([expect.objectContaining(DATASOURCE_REF)]);
    for (const { dashboard } of dashboards()) {
      for (const panel of dashboard.panels) {
        expect(panel.datasource).toEqual(DATASOURCE_REF);
      }
    }
  });

  test('the five dashboards exist, the span timeline uses our panel', () => {
    const byUid = new Map(dashboards().map(({ dashboard }) => [dashboard.uid, dashboard]));
    expect([...byUid.keys()].sort()).toEqual([
      'micromegas-logs',
      'micromegas-maintenance',
      'micromegas-metrics',
      'micromegas-processes',
      'micromegas-spans',
    ]);
    expect(byUid.get('micromegas-spans')!.panels.map((p) => p.type)).toContain(PANEL_ID);
    expect(byUid.get('micromegas-spans')!.templating.list.map((v) => v.name)).toEqual(['process', 'stream']);
    expect(byUid.get('micromegas-logs')!.templating.list.map((v) => v.name)).toContain('level');
  });

  test('no provisioned query quotes a variable itself: the datasource makes each an SQL value', () => {
    for (const { file, dashboard } of dashboards()) {
      const sql = [
        ...dashboard.templating.list.map((v) => String(v.query ?? '')),
        ...dashboard.panels.flatMap((p) => (p.targets ?? []).map((t) => t.rawSql)),
      ];
      const literals = sql.flatMap((s) => s.match(/'(?:[^']|'')*'/g) ?? []);
      expect({ file, quoted: literals.filter((l) => /\$\{?[a-z]|\[\[/.test(l)) }).toEqual({ file, quoted: [] });
      expect({ file, customAll: dashboard.templating.list.filter((v) => v.allValue) }).toEqual({ file, customAll: [] });
    }
  });
});

const rows = (response: DataQueryResponse) => (response.data as DataFrame[]).reduce((n, f) => n + f.length, 0);
const errorsOf = (response: DataQueryResponse) => (response.errors ?? []).map((e) => `${e.refId}: ${e.message}`);

type Selection = 'as opened' | 'one value' | 'several values' | 'All';

/**
 * Sets each variable of `scene` as a user would for `selection`: one value is the dashboard's own
 * (a custom variable's default) or else the first option; several are the first two; variables that
 * cannot take several values or All keep one value.
 */
async function select(scene: DashboardScene, selection: Selection): Promise<void> {
  for (const [name, variable] of scene.variables) {
    if (!(variable instanceof MultiValueVariable) || selection === 'as opened') {
      continue;
    }
    const { isMulti, includeAll, options, value } = scene.variable(name).state;
    const values = options.map((o) => o.value);
    const one = typeof value === 'string' && values.includes(value) ? value : values[0]!;
    if (selection === 'All' && includeAll) {
      await scene.select(name, isMulti ? [ALL_VARIABLE_VALUE] : ALL_VARIABLE_VALUE);
    } else if (selection === 'several values' && isMulti) {
      await scene.select(name, values.slice(0, 2));
    } else {
      await scene.select(name, isMulti ? [one] : one);
    }
  }
}

/** The selections that differ for a dashboard: several values only with a multi variable, All only with includeAll. */
function selections(dashboard: DashboardModel): Selection[] {
  const vars = dashboard.templating.list.filter((v) => v.type === 'query' || v.type === 'custom');
  if (vars.length === 0) {
    return ['as opened'];
  }
  return [
    'as opened',
    'one value',
    ...(vars.some((v) => v.multi) ? (['several values'] as const) : []),
    ...(vars.some((v) => v.includeAll) ? (['All'] as const) : []),
  ];
}

const stack = pluginStackFixture();
let grafana: GrafanaFrontend;
beforeAll(() => {
  grafana = grafanaFrontend(stack.host, stack.config as never);
});

describe('provisioned dashboards as Grafana 13 runs them', () => {
  const wholeRange = () => ({ from: stack.backend.begin, to: stack.backend.end });

  describe.each(dashboards().flatMap(({ file, dashboard }) => selections(dashboard).map((s) => [file, s, dashboard] as const)))(
    '%s, variables: %s',
    (_file, selection, dashboard) => {
      let scene: DashboardScene;
      beforeAll(async () => {
        scene = await new DashboardScene(dashboard, wholeRange(), grafana.metricFind).activate();
        await select(scene, selection);
      });

      test('every query variable lists values from the data', () => {
        for (const variable of dashboard.templating.list.filter((v) => v.type === 'query')) {
          expect({ [variable.name]: scene.variable(variable.name).state.options.length > 0 }).toEqual({ [variable.name]: true });
        }
      });

      test.each(dashboard.panels.map((p) => [p.title, p] as const))('panel "%s" returns rows', async (_title, panel) => {
        const response = await grafana.run(scene.panelRequest(panel, DATASOURCE_REF));
        expect(errorsOf(response)).toEqual([]);
        expect(rows(response)).toBeGreaterThan(0);
      });
    },
  );

  test.each(alertRules().map((r) => [r.origin, r] as const))('alert %s returns rows, run as alerting runs it', async (_origin, rule) => {
    // Grafana's alerting evaluates the model as stored: intervalMs 1000, maxDataPoints 43200, the rule's relative range.
    const now = Date.now();
    const responses = await stack.host.queryData(stack.config, [
      {
        refId: rule.refId,
        model: rule.model,
        from: now - rule.relativeTimeRange.from * 1000,
        to: now - rule.relativeTimeRange.to * 1000,
        intervalMS: 1000,
        maxDataPoints: 43200,
      },
    ]);
    expect(responses[rule.refId]!.error).toBe('');
    expect(responses[rule.refId]!.frames.length).toBeGreaterThan(0);
  });

  test('variables list what has data in the dashboard range, not what was inserted in it', async () => {
    // A range that begins after the SDK workload ended and after the demo's process and streams were inserted.
    const range = { from: stack.backend.demo.begin + 1000, to: stack.backend.demo.end + 1000 };
    const spans = await new DashboardScene(dashboardNamed('micromegas-spans'), range, grafana.metricFind).activate();
    const processes = spans.variable('process').state.options.map((o) => o.value);
    expect(processes).toContain(stack.backend.demo.processId);
    expect(processes).not.toContain(stack.backend.processId);
    await spans.select('process', stack.backend.demo.processId);
    expect(
      spans
        .variable('stream')
        .state.options.map((o) => o.label)
        .sort(),
    ).toEqual(
      Object.entries(stack.backend.demo.cpuStreams)
        .map(([thread, stream]) => `${thread} ${stream}`)
        .sort(),
    );
    const logs = await new DashboardScene(dashboardNamed('micromegas-logs'), range, grafana.metricFind).activate();
    const exes = logs.variable('exe').state.options.map((o) => o.value);
    expect(exes).toContain('micromegas-demo');
    expect(exes).not.toContain('plugin-e2e-game');
  });

  test('"Slowest top-level spans" of the SDK workload lists its frames (depth 1), longest first', async () => {
    const scene = await new DashboardScene(dashboardNamed('micromegas-spans'), wholeRange(), grafana.metricFind).activate();
    await scene.select('process', stack.backend.processId);
    expect(scene.variable('stream').state.value).toBe(stack.backend.cpuStream);
    const panel = scene.model.panels.find((p) => p.title === 'Slowest top-level spans')!;
    const [frame] = (await grafana.run(scene.panelRequest(panel, DATASOURCE_REF))).data as DataFrame[];
    const field = (name: string) => frame!.fields.find((f) => f.name === name)!.values as unknown[];
    expect(field('name')).toEqual(new Array(Math.min(20, stack.backend.rounds)).fill('frame'));
    const durations = field('duration_ms') as number[];
    expect(durations).toEqual([...durations].sort((a, b) => b - a));
  });
});

describe('frames as the browser gets them keep nanosecond times: the span panel, traces and logs', () => {
  let scene: DashboardScene;
  beforeAll(async () => {
    scene = await new DashboardScene(
      dashboardNamed('micromegas-spans'),
      { from: stack.backend.demo.begin - 1000, to: stack.backend.demo.end + 1000 },
      grafana.metricFind,
    ).activate();
    await scene.select('process', stack.backend.demo.processId);
    await scene.select('stream', stack.backend.demo.cpuStreams.main!);
  });

  /** `sql` straight from the plugin (Arrow, as the lake holds it): the times in ns to compare with. */
  async function truth(sql: string): Promise<Record<string, unknown[]>> {
    const responses = await stack.host.queryData(stack.config, [
      { refId: 'T', model: { rawSql: sql, format: 'table' }, from: stack.backend.demo.begin - 1000, to: stack.backend.demo.end + 1000 },
    ]);
    const frame = unmarshalArrowFrame(responses.T!.frames[0]!);
    return Object.fromEntries(frame.fields.map((f) => [f.name, f.values]));
  }
  const run = (rawSql: string, format: string) =>
    grafana.run(
      scene.panelRequest({ title: format, type: 'table', targets: [{ refId: 'A', rawSql, format: format as never }] }, DATASOURCE_REF),
    );
  const spansSql = `SELECT begin, "end", depth, name FROM view_instance('thread_spans', '${'$'}{stream:raw}') WHERE $__timeFilter(begin) ORDER BY begin`;

  test("the demo's spans, most within one millisecond, are drawn with their true widths", async () => {
    const t = await truth(spansSql.replace('${stream:raw}', stack.backend.demo.cpuStreams.main!));
    const begin = t.begin as bigint[];
    const end = t.end as bigint[];
    const sameMs = begin.filter((b, i) => b / 1_000_000n === end[i]! / 1_000_000n).length;
    console.log(`demo main thread: ${sameMs} of ${begin.length} spans begin and end in the same millisecond`);
    expect(sameMs).toBeGreaterThan(begin.length / 2);

    const panel = dashboardNamed('micromegas-spans').panels.find((p) => p.title === 'Thread spans')!;
    const timeline = buildTimeline((await grafana.run(scene.panelRequest(panel, DATASOURCE_REF))).data as DataFrame[], 'thread');
    expect(timeline.spanCount).toBe(begin.length);
    // Every duration to the nanosecond.
    const durations = timeline.lanes.flatMap((l) =>
      l.rows.flatMap((r) => Array.from(r.end, (e, i) => Math.round((e - r.begin[i]!) * 1e6))),
    );
    expect(durations.sort((a, b) => a - b)).toEqual(begin.map((b, i) => Number(end[i]! - b)).sort((a, b) => a - b));

    // Zoomed on the longest top-level span with children (a frame: the level load has none on this
    // thread) over 1000 px, each row's drawn spans are as wide as their times say.
    const hasChild = (i: number) => begin.some((b, j) => t.depth![j] === 2 && b >= begin[i]! && end[j]! <= end[i]!);
    const top = begin
      .map((_b, i) => i)
      .filter((i) => t.depth![i] === 1 && hasChild(i))
      .sort((i, j) => Number(end[j]! - begin[j]! - (end[i]! - begin[i]!)))[0]!;
    const from = Number(begin[top]! - BigInt(timeline.origin) * 1_000_000n) / 1e6;
    const to = Number(end[top]! - BigInt(timeline.origin) * 1_000_000n) / 1e6;
    const layout = layoutTimeline(timeline, 18);
    const { ctx, calls } = recordingContext();
    const palette = { background: '#bg', text: '#t', laneHeader: '#h', dust: ['#d'], spans: ['#s'] };
    renderTimeline(ctx, timeline, layout, { from, to, width: 1000 }, palette);
    const drawn = new Map<number, number[]>();
    for (const r of calls.rects.filter((r) => r.style === '#s')) {
      drawn.set(r.y, [...(drawn.get(r.y) ?? []), Math.round(r.w * 100) / 100]);
    }
    const expected = new Map<number, number[]>();
    layout.rows.forEach((row) => {
      const widths = begin
        .map((_b, i) => i)
        .filter((i) => t.depth![i] === timeline.firstDepth + row.row && end[i]! > begin[top]! && begin[i]! < end[top]!)
        .map(
          (i) =>
            (Number((end[i]! < end[top]! ? end[i]! : end[top]!) - (begin[i]! > begin[top]! ? begin[i]! : begin[top]!)) /
              Number(end[top]! - begin[top]!)) *
            1000,
        )
        .filter((w) => w >= 1)
        .map((w) => Math.round(w * 100) / 100);
      if (widths.length > 0) {
        expected.set(row.y, widths);
      }
    });
    expect(expected.size).toBeGreaterThan(1);
    expect(drawn).toEqual(expected);
  });

  test('traces: start times and durations keep their sub-millisecond parts (what the trace view reads)', async () => {
    const stream = stack.backend.demo.cpuStreams.main!;
    const t = await truth(`SELECT id, begin, "end" FROM view_instance('thread_spans', '${stream}') WHERE $__timeFilter(begin)`);
    const truthById = new Map((t.id as unknown[]).map((id, i) => [String(id), [t.begin![i] as bigint, t.end![i] as bigint]]));
    const [frame] = (
      await run(
        `SELECT id, parent, depth, begin, "end", duration, name, target FROM view_instance('thread_spans', $stream) WHERE $__timeFilter(begin)`,
        'traces',
      )
    ).data as DataFrame[];
    const field = (name: string) => frame!.fields.find((f) => f.name === name)!.values as unknown[];
    const ids = field('spanID') as string[];
    const start = field('startTime') as number[];
    const duration = field('duration') as number[];
    ids.forEach((id, i) => {
      const [b, e] = truthById.get(id)!;
      expect(Math.abs(start[i]! - Number(b) / 1e6)).toBeLessThan(0.001);
      expect(Math.abs(duration[i]! - Number(e - b) / 1e6)).toBeLessThan(1e-6);
    });
    // Spans a microsecond or more apart keep apart, even within one millisecond (a float of epoch ms
    // resolves about 0.24 µs: that is the trace view's own limit, nested spans can begin closer).
    const byBegin = ids.map((id, i) => ({ begin: truthById.get(id)![0], start: start[i]! })).sort((a, b) => (a.begin < b.begin ? -1 : 1));
    const collapsed = byBegin.filter((s, k) => k > 0 && s.begin - byBegin[k - 1]!.begin >= 1000n && s.start === byBegin[k - 1]!.start);
    expect(collapsed).toEqual([]);
    expect(new Set(start.map(Math.floor)).size).toBeLessThan(new Set(start).size);
  });

  test("logs: a line's time in ns is the ms value plus field.nanos, as Grafana's logs code rebuilds it", async () => {
    const t = await truth(
      `SELECT time, msg FROM log_entries WHERE $__timeFilter(time) AND process_id = '${stack.backend.demo.processId}' ORDER BY time`,
    );
    const [frame] = (
      await run(`SELECT time, msg FROM log_entries WHERE $__timeFilter(time) AND process_id = $process ORDER BY time`, 'logs')
    ).data as DataFrame[];
    const timestamp = frame!.fields.find((f) => f.name === 'timestamp') as Field<number>;
    const ns = timestamp.values.map((ms, i) => BigInt(Math.floor(ms)) * 1_000_000n + BigInt(timestamp.nanos?.[i] ?? 0));
    expect(ns).toEqual(t.time);
    expect(ns.some((v) => v % 1_000_000n !== 0n)).toBe(true);
  });
});

function dashboardNamed(uid: string): DashboardModel {
  return dashboards().find(({ dashboard }) => dashboard.uid === uid)!.dashboard;
}
