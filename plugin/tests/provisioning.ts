// Reads provisioning/: the dashboards (as Grafana stores them) and the alert rules' data queries.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import type { DashboardModel } from './grafana/scenes/dashboard';

export const REPO = join(__dirname, '../..');
export const PROVISIONING = join(REPO, 'provisioning');

export function readYaml<T>(path: string): T {
  return parse(readFileSync(path, 'utf8')) as T;
}

export function dashboards(): Array<{ file: string; dashboard: DashboardModel }> {
  const dir = join(PROVISIONING, 'dashboards/micromegas');
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .map((file) => ({ file, dashboard: JSON.parse(readFileSync(join(dir, file), 'utf8')) as DashboardModel }));
}

export interface AlertQuery {
  origin: string;
  refId: string;
  /** Seconds before now (Grafana's relativeTimeRange). */
  relativeTimeRange: { from: number; to: number };
  model: { rawSql: string; format?: string; [key: string]: unknown };
}

interface AlertRules {
  groups: Array<{ rules: Array<{ title: string; data: Array<Omit<AlertQuery, 'origin'> & { datasourceUid: string }> }> }>;
}

/** The data queries of every alert rule (expressions, which Grafana evaluates itself, left out). */
export function alertRules(): AlertQuery[] {
  const dir = join(PROVISIONING, 'alerting');
  return readdirSync(dir).flatMap((file) =>
    readYaml<AlertRules>(join(dir, file)).groups.flatMap((group) =>
      group.rules.flatMap((rule) =>
        rule.data
          .filter((d) => d.datasourceUid !== '__expr__')
          .map(({ refId, relativeTimeRange, model }) => ({ origin: `${file} rule "${rule.title}"`, refId, relativeTimeRange, model })),
      ),
    ),
  );
}
