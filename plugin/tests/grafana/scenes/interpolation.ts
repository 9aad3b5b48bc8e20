// How Grafana 13 replaces `$var` in a query: a port of grafana/scenes' interpolation
// (packages/scenes/src/variables/interpolation/sceneInterpolator.ts, formatRegistry.ts,
// ScopedVarsVariable.ts, constants.ts VARIABLE_REGEX, macros/timeMacros.ts, lookupVariable.ts).
// Rules kept, since a datasource's SQL depends on each of them:
//  - `$var`, `[[var]]`, `[[var:fmt]]`, `${var}`, `${var.path}`, `${var:fmt}` are found by one regex;
//  - scoped vars (the request's: `__interval`, `__interval_ms`, …) win over dashboard variables,
//    which win over macros (`__from`, `__to`, `__interval`, …); anything else is left as written;
//  - an explicit `:fmt` wins over the format the caller passed; the default format is glob;
//  - a format *function* (what a datasource passes) gets the value — a string, a number, or an array
//    for several values and for All — and {name, type, multi, includeAll};
//  - a custom "All" value (CustomAllValue) skips every format, including a function: it is inserted
//    as written, then interpolated again.

/** A scenes VariableValue. */
export type VariableValueSingle = string | number | boolean | CustomVariableValue;
export type VariableValue = VariableValueSingle | VariableValueSingle[];

export interface CustomVariableValue {
  formatter(format?: InterpolationFormat): string;
}

export type VariableFormatFn = (
  value: VariableValue,
  variable: { name: string; type: string; multi?: boolean; includeAll?: boolean },
) => string;
export type InterpolationFormat = string | VariableFormatFn | undefined;

/** What the interpolator needs of a variable (scenes' FormatVariable). */
export interface FormatVariable {
  state: { name: string; type: string; isMulti?: boolean; includeAll?: boolean };
  getValue(fieldPath?: string): VariableValue | null | undefined;
  getValueText?(fieldPath?: string): string;
}

/** A scene object as far as interpolation walks it: its variables, its parent, its time range and data. */
export interface SceneNode {
  parent?: SceneNode;
  variables?: Map<string, FormatVariable>;
  timeRange?: { from: number; to: number };
  /** The last request the node's data provider ran (IntervalMacro reads its interval). */
  lastRequest?: { interval: string; intervalMs: number };
}

export interface ScopedVar {
  text?: unknown;
  value: unknown;
}
export type ScopedVars = Record<string, ScopedVar | undefined>;

export const VARIABLE_REGEX =
  /\$(\w+)|\[\[(\w+?)(?::(\w+))?\]\]|\${(\w+)((?:\.[^:^{}[\]]+|\["[^"]*"\]|\['[^']*'\]|\[[^\]"']*\])*)(?::([^}]+))?}/g;

export function isCustomVariableValue(value: unknown): value is CustomVariableValue {
  return typeof value === 'object' && value !== null && 'formatter' in value;
}

/** lodash `property(path)` for the `${var.path}` forms the interpolator supports. */
function atPath(value: unknown, path: string): unknown {
  const keys = path.match(/[^.[\]"']+/g) ?? [];
  return keys.reduce<unknown>((v, k) => (v === null || v === undefined ? undefined : (v as Record<string, unknown>)[k]), value);
}

class ScopedVarsVariable implements FormatVariable {
  readonly state: { name: string; type: string };
  constructor(
    name: string,
    private readonly scoped: ScopedVar,
  ) {
    this.state = { name, type: 'scopedvar' };
  }
  getValue(fieldPath?: string): VariableValue {
    return (fieldPath ? atPath(this.scoped.value, fieldPath) : this.scoped.value) as VariableValue;
  }
  getValueText(): string {
    return this.scoped.text !== null && this.scoped.text !== undefined ? String(this.scoped.text) : String(this.scoped);
  }
}

function closest<T>(node: SceneNode | undefined, pick: (n: SceneNode) => T | undefined): T | undefined {
  for (let n = node; n; n = n.parent) {
    const found = pick(n);
    if (found !== undefined) {
      return found;
    }
  }
  return undefined;
}

/** `$__from`/`$__to` (epoch ms of the scene's range) and `$__interval`/`$__interval_ms` (of the last request). */
function macro(name: string, node: SceneNode, match: string): FormatVariable | undefined {
  const state = { name, type: 'time_macro' };
  if (name === '__from' || name === '__to') {
    const range = closest(node, (n) => n.timeRange);
    return range && { state, getValue: () => (name === '__from' ? range.from : range.to) };
  }
  if (name === '__interval' || name === '__interval_ms') {
    const request = closest(node, (n) => n.lastRequest);
    return { state, getValue: () => (request ? (name === '__interval' ? request.interval : request.intervalMs) : match) };
  }
  return undefined;
}

function lookupFormatVariable(
  name: string,
  match: string,
  scopedVars: ScopedVars | undefined,
  node: SceneNode,
): FormatVariable | undefined {
  const scoped = scopedVars && Object.prototype.hasOwnProperty.call(scopedVars, name) ? scopedVars[name] : undefined;
  if (scoped) {
    return new ScopedVarsVariable(name, scoped);
  }
  return closest(node, (n) => n.variables?.get(name)) ?? macro(name, node, match);
}

const escapeRegex = (s: string) => s.replace(/[\\^$*+?.()|[\]{}/]/g, '\\$&');
const quoteEach = (value: VariableValue, quote: (s: string) => string) =>
  Array.isArray(value) ? value.map((v) => quote(String(v))).join(',') : quote(String(value));

/** The formats of scenes' formatRegistry that a SQL query can use. */
const FORMATS: Record<string, (value: VariableValue, args: string[], variable: FormatVariable, fieldPath?: string) => string> = {
  raw: (value) => String(value),
  glob: (value) => (Array.isArray(value) && value.length > 1 ? `{${value.join(',')}}` : String(value)),
  csv: (value) => (Array.isArray(value) ? value.join(',') : String(value)),
  pipe: (value) => (Array.isArray(value) ? value.join('|') : String(value)),
  join: (value, args) => (Array.isArray(value) ? value.join(args[0] ?? ',') : String(value)),
  json: (value) => (typeof value === 'string' ? value : JSON.stringify(value)),
  regex: (value) => {
    if (!Array.isArray(value)) {
      return escapeRegex(String(value));
    }
    const escaped = value.map((v) => escapeRegex(String(v)));
    return escaped.length === 1 ? escaped[0]! : `(${escaped.join('|')})`;
  },
  singlequote: (value) => quoteEach(value, (s) => `'${s.replace(/'/g, "\\'")}'`),
  doublequote: (value) => quoteEach(value, (s) => `"${s.replace(/"/g, '\\"')}"`),
  sqlstring: (value) => quoteEach(value, (s) => `'${s.replace(/'|"/g, (m) => (m === "'" ? "''" : '\\"'))}'`),
  text: (value, _args, variable, fieldPath) => (variable.getValueText ? variable.getValueText(fieldPath) : String(value)),
};

function formatValue(
  node: SceneNode,
  variable: FormatVariable,
  raw: VariableValue | null | undefined,
  format: InterpolationFormat,
  fieldPath?: string,
): string {
  if (raw === null || raw === undefined) {
    return '';
  }
  if (isCustomVariableValue(raw)) {
    return sceneInterpolator(node, raw.formatter(format));
  }
  const value: VariableValue = !Array.isArray(raw) && typeof raw === 'object' ? `${raw}` : raw;
  if (typeof format === 'function') {
    return format(value, {
      name: variable.state.name,
      type: variable.state.type,
      multi: variable.state.isMulti,
      includeAll: variable.state.includeAll,
    });
  }
  const [name, ...args] = (format ?? 'glob').split(':');
  const formatter = FORMATS[name!];
  if (!formatter) {
    throw new Error(`the harness does not port the variable format "${name}" (scenes would fall back to glob)`);
  }
  return formatter(value, args, variable, fieldPath);
}

/** scenes' sceneInterpolator: `target` with every variable expression found in `node`'s scope replaced. */
export function sceneInterpolator(
  node: SceneNode,
  target: string | null | undefined,
  scopedVars?: ScopedVars,
  format?: InterpolationFormat,
): string {
  if (!target) {
    return target ?? '';
  }
  return target.replace(VARIABLE_REGEX, (match, var1, var2, fmt2, var3, rawFieldPath, fmt3) => {
    const name: string = var1 || var2 || var3;
    const fmt: InterpolationFormat = fmt2 || fmt3 || format;
    const fieldPath: string | undefined = rawFieldPath ? (rawFieldPath.startsWith('.') ? rawFieldPath.slice(1) : rawFieldPath) : undefined;
    const variable = lookupFormatVariable(name, match, scopedVars, node);
    return variable ? formatValue(node, variable, variable.getValue(fieldPath), fmt, fieldPath) : match;
  });
}
