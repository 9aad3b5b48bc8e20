// Reads provisioning/ and docker-compose.yml: every SQL query Grafana would send for them.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';

export const REPO = join(__dirname, '../..');
export const PROVISIONING = join(REPO, 'provisioning');

export interface ProvisionedQuery {
  origin: string;
  rawSql: string;
  format: string;
}

interface Target {
  rawSql?: string;
  format?: string;
  datasource?: { type?: string; uid?: string };
}
interface Panel {
  title: string;
  type: string;
  targets?: Target[];
  datasource?: { type?: string; uid?: string };
}
interface Variable {
  name: string;
  type: string;
  query?: string;
  datasource?: { type?: string };
}
export interface Dashboard {
  uid: string;
  title: string;
  panels: Panel[];
  templating: { list: Variable[] };
}

export function readYaml<T>(path: string): T {
  return parse(readFileSync(path, 'utf8')) as T;
}

export function dashboards(): Array<{ file: string; dashboard: Dashboard }> {
  const dir = join(PROVISIONING, 'dashboards/micromegas');
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .map((file) => ({ file, dashboard: JSON.parse(readFileSync(join(dir, file), 'utf8')) as Dashboard }));
}

export function dashboardQueries(): ProvisionedQuery[] {
  const queries: ProvisionedQuery[] = [];
  for (const { file, dashboard } of dashboards()) {
    for (const variable of dashboard.templating.list) {
      if (variable.type === 'query') {
        queries.push({ origin: `${file} variable ${variable.name}`, rawSql: variable.query!, format: 'table' });
      }
    }
    for (const panel of dashboard.panels) {
      for (const target of panel.targets ?? []) {
        queries.push({ origin: `${file} panel "${panel.title}"`, rawSql: target.rawSql!, format: target.format ?? 'table' });
      }
    }
  }
  return queries;
}

interface AlertRules {
  groups: Array<{ rules: Array<{ title: string; data: Array<{ datasourceUid: string; model: { rawSql?: string; format?: string } }> }> }>;
}

export function alertQueries(): ProvisionedQuery[] {
  const dir = join(PROVISIONING, 'alerting');
  return readdirSync(dir).flatMap((file) =>
    readYaml<AlertRules>(join(dir, file)).groups.flatMap((group) =>
      group.rules.flatMap((rule) =>
        rule.data
          .filter((d) => d.datasourceUid !== '__expr__')
          .map((d) => ({ origin: `${file} rule "${rule.title}"`, rawSql: d.model.rawSql!, format: d.model.format ?? 'table' })),
      ),
    ),
  );
}
