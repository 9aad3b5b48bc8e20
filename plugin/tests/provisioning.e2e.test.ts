/** @jest-environment node */
// Every query of provisioning/ (dashboard panels and variables, alert rules) runs through the built
// datasource against a real backend: the views and columns they name exist, and the formats apply.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { decodeFrame } from '../datasource/pkg/frames/testing';
import { pluginStackFixture } from './backend';
import { alertQueries, dashboardQueries, dashboards, PROVISIONING, readYaml, REPO } from './provisioning';

jest.setTimeout(120_000);

const DATASOURCE_ID = JSON.parse(readFileSync(join(REPO, 'plugin/datasource/src/plugin.json'), 'utf8')).id;
const PANEL_ID = JSON.parse(readFileSync(join(REPO, 'plugin/panel/src/plugin.json'), 'utf8')).id;

describe('provisioning files', () => {
  test('the datasource is ours, with the uid the dashboards and alerts use', () => {
    const { datasources } = readYaml<{ datasources: Array<{ type: string; uid: string; jsonData: { address: string } }> }>(
      join(PROVISIONING, 'datasources/micromegas.yaml'),
    );
    expect(datasources).toEqual([expect.objectContaining({ type: DATASOURCE_ID, uid: 'micromegas' })]);
    for (const { dashboard } of dashboards()) {
      for (const panel of dashboard.panels) {
        expect(panel.datasource).toEqual({ type: DATASOURCE_ID, uid: 'micromegas' });
      }
    }
  });

  test('the five dashboards exist, the span timeline uses our panel', () => {
    const byUid = new Map(dashboards().map(({ dashboard }) => [dashboard.uid, dashboard]));
    expect([...byUid.keys()].sort()).toEqual(['micromegas-logs', 'micromegas-maintenance', 'micromegas-metrics', 'micromegas-processes', 'micromegas-spans']);
    expect(byUid.get('micromegas-spans')!.panels.map((p) => p.type)).toContain(PANEL_ID);
    expect(byUid.get('micromegas-spans')!.templating.list.map((v) => v.name)).toEqual(['process', 'stream']);
    expect(byUid.get('micromegas-logs')!.templating.list.map((v) => v.name)).toContain('level');
  });

  test('docker-compose mounts both built plugins and allows them unsigned', () => {
    const compose = parse(readFileSync(join(REPO, 'docker-compose.yml'), 'utf8'));
    const grafana = compose.services.grafana;
    expect(grafana.volumes).toEqual(
      expect.arrayContaining([
        `./plugin/datasource/dist:/var/lib/grafana/plugins/${DATASOURCE_ID}:ro`,
        `./plugin/panel/dist:/var/lib/grafana/plugins/${PANEL_ID}:ro`,
        './provisioning:/etc/grafana/provisioning:ro',
      ]),
    );
    expect(grafana.environment.GF_PLUGINS_ALLOW_LOADING_UNSIGNED_PLUGINS.split(',')).toEqual([DATASOURCE_ID, PANEL_ID]);
    expect(Object.keys(compose.services)).toEqual(
      expect.arrayContaining(['postgres', 'minio', 'minio-bucket', 'backend', 'demo', 'grafana']),
    );
  });
});

describe('provisioned queries against the backend', () => {
  const stack = pluginStackFixture();

  /** What Grafana's frontend does before QueryData: dashboard variables replaced, macros left to the backend. */
  function interpolate(sql: string): string {
    const variables: Record<string, string> = {
      level: '4',
      exe: '%',
      search: '',
      measure: 'frame_time',
      process: stack.backend.processId,
      stream: stack.backend.cpuStream,
    };
    return sql.replace(/\$(\w+)/g, (whole, name: string) => (name.startsWith('__') ? whole : (variables[name] ?? whole)));
  }

  test.each([...dashboardQueries(), ...alertQueries()].map((q) => [q.origin, q] as const))('%s', async (_origin, q) => {
    const rawSql = interpolate(q.rawSql);
    expect(rawSql).not.toMatch(/\$(?!__)\w+/);
    const responses = await stack.host.queryData(stack.config, [
      {
        refId: 'A',
        model: { rawSql, format: q.format, autoLimit: true },
        from: stack.backend.begin,
        to: stack.backend.end,
        intervalMS: 1000,
      },
    ]);
    expect(responses.A!.error).toBe('');
    expect(responses.A!.frames.length).toBeGreaterThan(0);
  });

  test('"Slowest top-level spans" lists the frames (depth 1), longest first', async () => {
    const spans = dashboards().find(({ dashboard }) => dashboard.uid === 'micromegas-spans')!.dashboard;
    const panel = spans.panels.find((p) => p.title === 'Slowest top-level spans')!;
    const responses = await stack.host.queryData(stack.config, [
      {
        refId: 'A',
        model: { rawSql: interpolate(panel.targets![0]!.rawSql!), format: 'table' },
        from: stack.backend.begin,
        to: stack.backend.end,
      },
    ]);
    expect(responses.A!.error).toBe('');
    const frame = decodeFrame(responses.A!.frames[0]!);
    const field = (name: string) => frame.fields.find((f) => f.name === name)!.values as unknown[];
    expect(field('name')).toEqual(new Array(Math.min(20, stack.backend.rounds)).fill('frame'));
    const durations = field('duration_ms') as number[];
    expect(durations).toEqual([...durations].sort((a, b) => b - a));
  });
});
