/** @jest-environment ./tests/grafana/environment.js */
// Our datasource's applyTemplateVariables under Grafana 13's interpolation (the scenes port): what SQL
// a panel's query becomes for one value, several values and All, and what is left to the backend.
import { DataSource } from '../../datasource/src/datasource';
import type { MicromegasQuery } from '../../datasource/src/types';
import { datasourceSettings, installTemplateSrv } from './grafanaFrontend';
import { DashboardScene, type DashboardModel } from './scenes/dashboard';
import { sceneInterpolator } from './scenes/interpolation';
import { ALL_VARIABLE_VALUE, type VariableModel } from './scenes/variables';

const T0 = 1_700_000_000_000;
const REF = { type: 'micromegas-flightsql-datasource', uid: 'micromegas' };

/** What the datasource answers to each variable query, by variable name. */
const OPTIONS: Record<string, string[]> = { exe: ['game', "o'brien"], process: ['p1', 'p2'] };

function dashboard(variables: VariableModel[]): DashboardModel {
  return { uid: 'd', title: 'd', panels: [], templating: { list: variables } };
}

async function sqlOf(variables: VariableModel[], rawSql: string, picks: Record<string, string | string[]> = {}): Promise<string> {
  installTemplateSrv();
  const scene = await new DashboardScene(dashboard(variables), { from: T0, to: T0 + 3_600_000 }, async (_q, { variable }) =>
    (OPTIONS[variable.name] ?? []).map((v) => ({ text: v, value: v })),
  ).activate();
  for (const [name, value] of Object.entries(picks)) {
    await scene.select(name, value);
  }
  const target: MicromegasQuery = { refId: 'A', rawSql, format: 'table' };
  const request = scene.panelRequest({ title: 'p', type: 'table', targets: [target], gridPos: { w: 24 } }, REF);
  const datasource = new DataSource(datasourceSettings({ timeFilterDefault: true }));
  return datasource.applyTemplateVariables(request.targets[0]!, request.scopedVars).rawSql;
}

const exe = (more: Partial<VariableModel> = {}): VariableModel => ({
  name: 'exe',
  type: 'query',
  query: 'SELECT exe',
  current: {},
  ...more,
});

describe('a variable is an SQL value, for one value, several and All', () => {
  test('one value is a quoted literal, quotes doubled', async () => {
    await expect(sqlOf([exe()], 'WHERE exe = $exe', { exe: "o'brien" })).resolves.toBe("WHERE exe = 'o''brien'");
  });

  test('several values and All are lists for IN (...)', async () => {
    const multi = exe({ multi: true, includeAll: true });
    await expect(sqlOf([multi], 'WHERE exe IN ($exe)', { exe: ['game', "o'brien"] })).resolves.toBe("WHERE exe IN ('game','o''brien')");
    await expect(sqlOf([multi], 'WHERE exe IN ($exe)', { exe: [ALL_VARIABLE_VALUE] })).resolves.toBe("WHERE exe IN ('game','o''brien')");
    // A dashboard opened with nothing picked shows All (defaultToAll).
    await expect(sqlOf([multi], 'WHERE exe IN (${exe})')).resolves.toBe("WHERE exe IN ('game','o''brien')");
  });

  test('All with no options is NULL, so IN ($x) is still SQL', async () => {
    await expect(sqlOf([{ name: 'none', type: 'query', query: 'SELECT 1', includeAll: true, current: {} }], 'x IN ($none)')).resolves.toBe(
      'x IN (NULL)',
    );
  });

  test('a custom all value skips every format, as scenes inserts it', async () => {
    await expect(sqlOf([exe({ includeAll: true, allValue: "exe LIKE '%'" })], 'WHERE $exe', { exe: ALL_VARIABLE_VALUE })).resolves.toBe(
      "WHERE exe LIKE '%'",
    );
  });

  test('custom and textbox variables are literals too; an explicit format wins', async () => {
    const level: VariableModel = { name: 'level', type: 'custom', query: 'error : 2,info : 4', current: { value: '4', text: 'info' } };
    const search: VariableModel = { name: 'search', type: 'textbox', query: '', current: { value: "it's" } };
    await expect(
      sqlOf([level, search], "level <= $level AND msg ILIKE concat('%', $search, '%') AND [[level:raw]] > ${level:csv}"),
    ).resolves.toBe("level <= '4' AND msg ILIKE concat('%', 'it''s', '%') AND 4 > 4");
  });

  test('$__interval and $__interval_ms are left to the backend; $__from and $__to are epoch ms; unknown names stay', async () => {
    await expect(
      sqlOf([], 'SELECT $__timeGroup(time, $__interval), epoch($__interval), $__interval_ms, $__from, ${__to}, $nope, $__timeFilter(t)'),
    ).resolves.toBe(
      `SELECT $__timeGroup(time, $__interval), epoch($__interval), $__interval_ms, ${T0}, ${T0 + 3_600_000}, $nope, $__timeFilter(t)`,
    );
  });
});

describe('the scenes interpolation port', () => {
  test('the request interval is what rangeUtil computes for the panel width, scoped as scenes scopes it', async () => {
    const scene = await new DashboardScene(dashboard([]), { from: T0, to: T0 + 3_600_000 }, async () => []).activate();
    const request = scene.panelRequest({ title: 'p', type: 'timeseries', targets: [], gridPos: { w: 12 } }, REF);
    // One hour over 800 points: 4.5 s, rounded by Grafana to 5 s.
    expect([request.interval, request.intervalMs, request.maxDataPoints]).toEqual(['5s', 5000, 800]);
    expect(sceneInterpolator(scene, '$__interval ${__interval_ms} [[__interval]]', request.scopedVars as never)).toBe('5s 5000 5s');
  });

  test('the default format is glob, and values are looked up from the scene upwards', async () => {
    const scene = await new DashboardScene(dashboard([exe({ multi: true })]), { from: T0, to: T0 + 1 }, async () =>
      OPTIONS.exe!.map((v) => ({ text: v, value: v })),
    ).activate();
    await scene.select('exe', ['game', "o'brien"]);
    expect(sceneInterpolator({ parent: { parent: scene } }, '$exe|${exe:pipe}|${exe:sqlstring}|${exe:text}')).toBe(
      "{game,o'brien}|game|o'brien|'game','o''brien'|game + o'brien",
    );
  });
});
