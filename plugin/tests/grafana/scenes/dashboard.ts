// A provisioned dashboard as Grafana 13 opens it: its JSON turned into a scene (grafana's
// transformSaveModelToScene: variables, time range, one SceneQueryRunner per panel), variables
// brought up in order as SceneVariableSet does on activation (each validated against its options;
// changing one re-validates those after it), and each panel's request built as
// SceneQueryRunner.prepareRequests builds it (scenes packages/scenes/src/querying/SceneQueryRunner.ts):
// the queries with the datasource ref, maxDataPoints from the panel or its width, the interval from
// rangeUtil.calculateInterval (Grafana's own), and the scoped vars `__sceneObject`, `__interval`,
// `__interval_ms`.
import { dateTime, rangeUtil, type DataQueryRequest, type TimeRange } from '@grafana/data';
import type { MicromegasQuery } from '../../../datasource/src/types';
import type { FormatVariable, SceneNode } from './interpolation';
import { createSceneVariable, MultiValueVariable, type MetricFind, type SceneVariable, type VariableModel } from './variables';

export interface PanelModel {
  id?: number;
  title: string;
  type: string;
  targets?: MicromegasQuery[];
  datasource?: { type?: string; uid?: string };
  maxDataPoints?: number;
  interval?: string;
  gridPos?: { w: number };
}

export interface DashboardModel {
  uid: string;
  title: string;
  panels: PanelModel[];
  templating: { list: VariableModel[] };
}

/** The width of a 24-column dashboard grid on a 1920 px screen, less Grafana's side menu. */
const GRID_WIDTH_PX = 1600;
let requestCounter = 0;

export class DashboardScene implements SceneNode {
  readonly variables = new Map<string, FormatVariable>();
  private readonly ordered: SceneVariable[];

  constructor(
    readonly model: DashboardModel,
    readonly timeRange: { from: number; to: number },
    metricFind: MetricFind,
  ) {
    this.ordered = model.templating.list.map((v) => createSceneVariable(v, metricFind));
    for (const variable of this.ordered) {
      if (variable instanceof MultiValueVariable) {
        variable.parent = this;
      }
      this.variables.set(variable.state.name, variable);
    }
  }

  /** SceneVariableSet's activation: every variable validated against its options, in order. */
  async activate(): Promise<this> {
    await this.updateFrom(0);
    return this;
  }

  variable(name: string): MultiValueVariable {
    const variable = this.variables.get(name);
    if (!(variable instanceof MultiValueVariable)) {
      throw new Error(`dashboard "${this.model.uid}" has no multi-value variable "${name}"`);
    }
    return variable;
  }

  /** A user's pick; the variables after it (those that may depend on it) are brought up to date. */
  async select(name: string, value: string | string[]): Promise<void> {
    this.variable(name).changeValueTo(value);
    await this.updateFrom(this.ordered.findIndex((v) => v.state.name === name) + 1);
  }

  private async updateFrom(index: number): Promise<void> {
    for (const variable of this.ordered.slice(index)) {
      if (variable instanceof MultiValueVariable) {
        await variable.validateAndUpdate();
      }
    }
  }

  /** What SceneQueryRunner.prepareRequests sends to the datasource for `panel`. */
  panelRequest(panel: PanelModel, datasourceRef: { type: string; uid: string }): DataQueryRequest<MicromegasQuery> {
    const panelNode: SceneNode = { parent: this };
    const runner: SceneNode = { parent: panelNode };
    const range: TimeRange = {
      from: dateTime(this.timeRange.from),
      to: dateTime(this.timeRange.to),
      raw: { from: dateTime(this.timeRange.from), to: dateTime(this.timeRange.to) },
    };
    const maxDataPoints = panel.maxDataPoints ?? Math.round(((panel.gridPos?.w ?? 24) / 24) * GRID_WIDTH_PX);
    const norm = rangeUtil.calculateInterval(range, maxDataPoints, panel.interval);
    return {
      app: 'dashboard',
      requestId: `SQR${++requestCounter}`,
      timezone: 'browser',
      range,
      rangeRaw: range.raw,
      interval: norm.interval,
      intervalMs: norm.intervalMs,
      targets: (panel.targets ?? []).map((t) => ({
        ...(JSON.parse(JSON.stringify(t)) as MicromegasQuery),
        datasource: t.datasource ?? datasourceRef,
      })),
      maxDataPoints,
      scopedVars: {
        __sceneObject: { value: runner, text: '__sceneObject' },
        __interval: { text: norm.interval, value: norm.interval },
        __interval_ms: { text: String(norm.intervalMs), value: norm.intervalMs },
      },
      startTime: Date.now(),
      dashboardUID: this.model.uid,
      panelId: panel.id,
      panelName: panel.title,
    };
  }
}
