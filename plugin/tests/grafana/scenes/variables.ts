// Dashboard variables as Grafana 13 holds them: a port of grafana/scenes' MultiValueVariable
// (value/text state, validation against new options, getValue with All, CustomAllValue),
// CustomVariable (the `text : value, …` list), QueryVariable (options from the datasource's
// metricFindQuery over the scene's time range), TextBoxVariable and ConstantVariable; and of
// grafana's createSceneVariableFromVariableModel, which builds them from a dashboard's JSON.
import {
  sceneInterpolator,
  type CustomVariableValue,
  type FormatVariable,
  type InterpolationFormat,
  type SceneNode,
  type VariableValue,
  type VariableValueSingle,
} from './interpolation';

export const ALL_VARIABLE_TEXT = 'All';
export const ALL_VARIABLE_VALUE = '$__all';

export interface VariableOption {
  label: string;
  value: string;
}

/** A templating.list entry of a dashboard JSON (schema v1). */
export interface VariableModel {
  name: string;
  type: string;
  query?: string | { rawSql?: string; [key: string]: unknown };
  current?: { value?: string | string[]; text?: string | string[] };
  multi?: boolean;
  includeAll?: boolean;
  allValue?: string | null;
  regex?: string;
  sort?: number;
  datasource?: { type?: string; uid?: string };
}

/** The datasource side of a query variable: scenes' LegacyQueryRunner calls metricFindQuery. */
export type MetricFind = (
  query: VariableModel['query'],
  options: {
    range: { from: number; to: number };
    scopedVars: Record<string, { value: unknown }>;
    variable: { name: string; type: string };
  },
) => Promise<Array<{ text: string; value: string | number }>>;

export class VariableError extends Error {
  constructor(
    readonly variable: string,
    message: string,
  ) {
    super(`variable "${variable}": ${message}`);
    this.name = 'VariableError';
  }
}

interface MultiState {
  name: string;
  type: string;
  value: string | string[];
  text: string | string[];
  options: VariableOption[];
  isMulti?: boolean;
  includeAll?: boolean;
  defaultToAll?: boolean;
  allValue?: string;
}

/** A custom All value is inserted as written (then interpolated again), whatever the format. */
class CustomAllValue implements CustomVariableValue {
  constructor(private readonly value: string) {}
  formatter(format?: InterpolationFormat): string {
    return format === 'text' ? ALL_VARIABLE_TEXT : this.value;
  }
}

export abstract class MultiValueVariable implements FormatVariable {
  parent?: SceneNode;
  constructor(readonly state: MultiState) {}

  abstract getValueOptions(): Promise<VariableOption[]>;

  /** SceneVariableSet runs this on activation and when a variable it depends on changes. */
  async validateAndUpdate(): Promise<void> {
    this.updateValueGivenNewOptions(await this.getValueOptions());
  }

  private updateValueGivenNewOptions(options: VariableOption[]): void {
    const s = this.state;
    s.options = options;
    if (options.length === 0) {
      [s.value, s.text] = s.defaultToAll || s.includeAll ? [ALL_VARIABLE_VALUE, ALL_VARIABLE_TEXT] : s.isMulti ? [[], []] : ['', ''];
      return;
    }
    if (this.hasAllValue()) {
      if (s.includeAll) {
        s.text = ALL_VARIABLE_TEXT;
      } else {
        [s.value, s.text] = s.isMulti ? [[options[0]!.value], [options[0]!.label]] : [options[0]!.value, options[0]!.label];
      }
      return;
    }
    if (s.isMulti) {
      const current = Array.isArray(s.value) ? s.value : [s.value];
      const valid = current.filter((v) => options.some((o) => o.value === v));
      if (valid.length === 0) {
        [s.value, s.text] = s.defaultToAll ? [[ALL_VARIABLE_VALUE], [ALL_VARIABLE_TEXT]] : [[options[0]!.value], [options[0]!.label]];
      } else {
        s.value = valid;
        s.text = valid.map((v) => options.find((o) => o.value === v)!.label);
      }
      return;
    }
    const match = options.find((o) => o.value === s.value) ?? options.find((o) => o.label === s.text);
    if (match) {
      [s.value, s.text] = [match.value, match.label];
    } else {
      [s.value, s.text] = s.defaultToAll ? [ALL_VARIABLE_VALUE, ALL_VARIABLE_TEXT] : [options[0]!.value, options[0]!.label];
    }
  }

  hasAllValue(): boolean {
    const v = this.state.value;
    return v === ALL_VARIABLE_VALUE || (Array.isArray(v) && v[0] === ALL_VARIABLE_VALUE);
  }

  getValue(): VariableValue {
    if (this.hasAllValue()) {
      return this.state.allValue ? new CustomAllValue(this.state.allValue) : this.state.options.map((o) => o.value);
    }
    return this.state.value;
  }

  getValueText(): string {
    if (this.hasAllValue()) {
      return ALL_VARIABLE_TEXT;
    }
    return Array.isArray(this.state.text) ? this.state.text.join(' + ') : String(this.state.text);
  }

  /** What a user's pick does (scenes' changeValueTo): All last replaces the rest, All first is dropped. */
  changeValueTo(value: string | string[]): void {
    let next = value;
    if (Array.isArray(next)) {
      if (next.length === 0) {
        next = this.state.defaultToAll ? [ALL_VARIABLE_VALUE] : this.state.options.slice(0, 1).map((o) => o.value);
      } else if (next[next.length - 1] === ALL_VARIABLE_VALUE) {
        next = [ALL_VARIABLE_VALUE];
      } else if (next[0] === ALL_VARIABLE_VALUE) {
        next = next.slice(1);
      }
    }
    const textOf = (v: string) =>
      v === ALL_VARIABLE_VALUE ? ALL_VARIABLE_TEXT : (this.state.options.find((o) => o.value === v)?.label ?? v);
    this.state.value = next;
    this.state.text = Array.isArray(next) ? next.map(textOf) : textOf(next);
  }
}

export class CustomVariable extends MultiValueVariable {
  constructor(
    state: MultiState,
    private readonly query: string,
  ) {
    super(state);
  }

  async getValueOptions(): Promise<VariableOption[]> {
    const text = sceneInterpolator(this.parent ?? {}, this.query);
    return (text.match(/(?:\\,|[^,])+/g) ?? []).map((item) => {
      const entry = item.replace(/\\,/g, ',');
      const labelled = /^\s*(.+)\s:\s(.+)$/.exec(entry);
      return labelled ? { label: labelled[1]!.trim(), value: labelled[2]!.trim() } : { label: entry.trim(), value: entry.trim() };
    });
  }
}

/** grafana's metricNamesToVariableValues: regex (not used here: refused), text/value, sort, no duplicates. */
function toOptions(name: string, values: Array<{ text: string; value: string | number }>, sort: number): VariableOption[] {
  const seen = new Set<string>();
  const options: VariableOption[] = [];
  for (const v of values) {
    const value = String(v.value ?? v.text);
    if (!seen.has(value)) {
      seen.add(value);
      options.push({ label: String(v.text ?? v.value), value });
    }
  }
  if (sort !== 0) {
    throw new VariableError(name, `sort ${sort} is not ported to the harness (the dashboards sort in SQL)`);
  }
  return options;
}

export class QueryVariable extends MultiValueVariable {
  constructor(
    state: MultiState,
    private readonly model: VariableModel,
    private readonly metricFind: MetricFind,
  ) {
    super(state);
  }

  async getValueOptions(): Promise<VariableOption[]> {
    if (!this.model.query) {
      return [];
    }
    if (this.model.regex) {
      throw new VariableError(this.state.name, 'a regex is not ported to the harness');
    }
    const range = closestRange(this);
    // QueryVariable.getRequest: the scene's range, and the variable itself as the interpolation scope.
    const values = await this.metricFind(this.model.query, {
      range,
      scopedVars: { __sceneObject: { value: this } },
      variable: { name: this.state.name, type: this.state.type },
    });
    return toOptions(this.state.name, values, this.model.sort ?? 0);
  }
}

function closestRange(variable: MultiValueVariable): { from: number; to: number } {
  for (let n = variable.parent; n; n = n.parent) {
    if (n.timeRange) {
      return n.timeRange;
    }
  }
  throw new VariableError(variable.state.name, 'no time range in scope');
}

class ValueVariable implements FormatVariable {
  constructor(
    readonly state: { name: string; type: string },
    private readonly value: string,
  ) {}
  getValue(): VariableValueSingle {
    return this.value;
  }
  getValueText(): string {
    return this.value;
  }
}

export type SceneVariable = MultiValueVariable | ValueVariable;

/** grafana's createSceneVariableFromVariableModel (dashboard-scene/serialization/sceneVariablesSetToVariables' inverse). */
export function createSceneVariable(model: VariableModel, metricFind: MetricFind): SceneVariable {
  const state = (): MultiState => ({
    name: model.name,
    type: model.type,
    value: model.current?.value ?? '',
    text: model.current?.text ?? '',
    options: [],
    isMulti: model.multi,
    includeAll: model.includeAll,
    defaultToAll: Boolean(model.includeAll),
    allValue: model.allValue || undefined,
  });
  switch (model.type) {
    case 'custom':
      return new CustomVariable({ ...state() }, String(model.query ?? ''));
    case 'query':
      return new QueryVariable({ ...state() }, model, metricFind);
    case 'textbox': {
      const current = model.current?.value;
      const value = current ? (typeof current === 'string' ? current : current[0]!) : String(model.query ?? '');
      return new ValueVariable({ name: model.name, type: 'textbox' }, value);
    }
    case 'constant':
      return new ValueVariable({ name: model.name, type: 'constant' }, String(model.query ?? ''));
    default:
      throw new VariableError(model.name, `type "${model.type}" is not ported to the harness`);
  }
}
