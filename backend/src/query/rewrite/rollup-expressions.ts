/**
 * The expressions of a query a rollup (./rollup.ts) rewrites, and the checks that it may: over the
 * bins, every expression must have the value it has over the source rows. Dimensions are the same
 * columns; the source's time only inside a bucket of whole bins (time_bucket by a constant multiple
 * of the bin, date_trunc to a unit at least a bin), which is the same over a bin's start; the
 * measure only inside count, sum, min, max and avg, which combine the bins' partial aggregates;
 * other functions only when scalar and deterministic. Anything else (subqueries, windows, DISTINCT
 * or FILTER in aggregates, other aggregates, volatile functions, macros) keeps the query on the source.
 */
import type { ViewSetInfo, RollupInfo } from '../../views/catalog.js';
import type { AstNode } from '../sql/parser.js';
import type { FunctionKind } from './function-kinds.js';
import { literalNs, type Bound, type Bounds } from './rollup-bounds.js';

/** Thrown inside the walk: the query stays on the source. */
export class NotRollable extends Error {}

/** Names of the columns the rollup's relation has besides the dimensions; users' names never start so. */
export const ROLLUP_COLUMNS = { bin: '__mm_bin', count: '__mm_count', sum: '__mm_sum', min: '__mm_min', max: '__mm_max' } as const;
const RESERVED_PREFIX = '__mm_';

/** How the combined aggregates read, parsed once per engine (select items in this order). */
export const COMBINED_SQL = `SELECT CAST(coalesce(sum(${ROLLUP_COLUMNS.count}), 0) AS BIGINT), sum(${ROLLUP_COLUMNS.sum}),
  min(${ROLLUP_COLUMNS.min}), max(${ROLLUP_COLUMNS.max}), (sum(${ROLLUP_COLUMNS.sum}) / sum(${ROLLUP_COLUMNS.count}))`;
const COMBINED_INDEX: Record<string, number> = { count: 0, count_star: 0, sum: 1, min: 2, max: 3, avg: 4 };

/** date_trunc units and their length in ms (0: calendar units, which start on whole days). */
const TRUNC_UNITS: Record<string, number> = {
  second: 1000, seconds: 1000, minute: 60_000, minutes: 60_000, hour: 3_600_000, hours: 3_600_000,
  day: 86_400_000, days: 86_400_000, week: 0, weeks: 0, month: 0, months: 0, quarter: 0, quarters: 0,
  year: 0, years: 0, decade: 0, century: 0, millennium: 0,
};

export interface RollupShape {
  source: ViewSetInfo;
  rollup: RollupInfo;
  binMs: number;
  /** The name the query reads the source by (its alias, or the view's name). */
  alias: string;
  kinds: ReadonlyMap<string, FunctionKind>;
  /** The combined aggregates' select items (COMBINED_SQL), cloned for each use. */
  combined: readonly AstNode[];
}

type Mode = 'select' | 'where';

export class RollupExpressions {
  /** time_bucket widths, checked by running them (./rollup.ts). */
  readonly intervals: AstNode[] = [];
  aggregates = 0;

  constructor(private readonly shape: RollupShape) {}

  /** `expr` as it reads over the bins: in place where it can, else a replacement. */
  select(expr: AstNode): AstNode {
    return this.#walk(expr, 'select');
  }

  /** A WHERE conjunct over dimensions only, which filters bins as it filters rows. */
  dimensionsOnly(expr: AstNode): AstNode {
    return this.#walk(expr, 'where');
  }

  /** A conjunct bounding the source's time by constants (`time >= TIMESTAMP '…'`, BETWEEN), as bounds. */
  timeBounds(expr: AstNode): Bounds | undefined {
    const flip: Record<string, string> = {
      COMPARE_GREATERTHAN: 'COMPARE_LESSTHAN', COMPARE_GREATERTHANOREQUALTO: 'COMPARE_LESSTHANOREQUALTO',
      COMPARE_LESSTHAN: 'COMPARE_GREATERTHAN', COMPARE_LESSTHANOREQUALTO: 'COMPARE_GREATERTHANOREQUALTO',
    };
    if (expr.class === 'BETWEEN' && this.#isTime(expr.input)) {
      const [lower, upper] = [timestampNs(expr.lower), timestampNs(expr.upper)];
      return lower === undefined || upper === undefined ? undefined : { lower: [{ at: lower, inclusive: true }], upper: [{ at: upper, inclusive: true }] };
    }
    if (expr.class !== 'COMPARISON') return undefined;
    let [type, at] = [String(expr.type), undefined as bigint | undefined];
    if (this.#isTime(expr.left)) at = timestampNs(expr.right);
    else if (this.#isTime(expr.right)) [type, at] = [flip[type] ?? '', timestampNs(expr.left)];
    if (at === undefined) return undefined;
    const bound = (inclusive: boolean): Bound => ({ at, inclusive });
    switch (type) {
      case 'COMPARE_GREATERTHAN': return { lower: [bound(false)], upper: [] };
      case 'COMPARE_GREATERTHANOREQUALTO': return { lower: [bound(true)], upper: [] };
      case 'COMPARE_LESSTHAN': return { lower: [], upper: [bound(false)] };
      case 'COMPARE_LESSTHANOREQUALTO': return { lower: [], upper: [bound(true)] };
      default: return undefined;
    }
  }

  #walk(expr: AstNode, mode: Mode): AstNode {
    switch (expr.class) {
      case 'CONSTANT': return expr;
      case 'COLUMN_REF': {
        const role = this.#role(expr);
        if (role === 'dimension' || role === 'foreign') return expr;
        throw new NotRollable(`${role} column outside an aggregate or a time bucket`);
      }
      case 'FUNCTION': return this.#function(expr, mode);
      case 'CAST': case 'COMPARISON': case 'CONJUNCTION': case 'OPERATOR': case 'CASE': case 'BETWEEN':
        walkChildren(expr, (child) => this.#walk(child, mode));
        return expr;
      default: throw new NotRollable(`${String(expr.class)} expression`);
    }
  }

  #function(expr: AstNode, mode: Mode): AstNode {
    const name = String(expr.function_name).toLowerCase();
    if (expr.schema || expr.catalog) throw new NotRollable(`qualified function ${name}`);
    const kind = this.shape.kinds.get(name);
    if (kind === 'aggregate') {
      if (mode !== 'select') throw new NotRollable(`aggregate ${name} in WHERE`);
      return this.#aggregate(name, expr);
    }
    if (kind !== 'deterministic') throw new NotRollable(`function ${name} is not a deterministic scalar`);
    const children = expr.children as AstNode[];
    if ((name === 'time_bucket' || name === 'date_trunc') && children.length === 2 && this.#isTime(children[1])) {
      if (mode !== 'select') throw new NotRollable('time bucket in WHERE');
      if (name === 'time_bucket') this.#constant(children[0]!, (width) => this.intervals.push(width));
      else this.#truncUnit(children[0]!);
      children[1] = { ...children[1]!, column_names: [...(children[1]!.column_names as string[]).slice(0, -1), ROLLUP_COLUMNS.bin] };
      return expr;
    }
    walkChildren(expr, (child) => this.#walk(child, mode));
    return expr;
  }

  /** count(*), or count, sum, min, max, avg of the measure: its combination over the bins. */
  #aggregate(name: string, expr: AstNode): AstNode {
    const plain = expr.distinct !== true && (expr.filter ?? null) === null && ((expr.order_bys as AstNode | undefined)?.orders as unknown[] | undefined ?? []).length === 0;
    const args = expr.children as AstNode[];
    const index = COMBINED_INDEX[name];
    if (!plain || index === undefined || expr.export_state === true) throw new NotRollable(`aggregate ${name}`);
    if (name === 'count_star') {
      if (args.length !== 0) throw new NotRollable('count_star with arguments');
    } else {
      const role = args.length === 1 && args[0]!.class === 'COLUMN_REF' ? this.#role(args[0]!) : undefined;
      // count(column) counts the rows of non-null columns: every column the bins keep is declared non-null.
      const counted = name === 'count' && (role === 'dimension' || role === 'measure') && this.#declaredNonNull(args[0]!);
      if (!counted && role !== 'measure') throw new NotRollable(`${name} over something else than ${this.shape.rollup.measure?.column ?? 'a count'}`);
    }
    this.aggregates++;
    return { ...structuredClone(this.shape.combined[index]!), alias: expr.alias ?? '' };
  }

  /** A constant expression (no column, no subquery): handed to `use` to be checked by running it. */
  #constant(expr: AstNode, use: (expr: AstNode) => void): void {
    const walk = (node: AstNode): void => {
      if (node.class === 'COLUMN_REF' || (node.class !== 'CONSTANT' && node.class !== 'CAST' && node.class !== 'FUNCTION')) {
        throw new NotRollable('bucket width is not a constant');
      }
      if (node.class === 'FUNCTION' && this.shape.kinds.get(String(node.function_name).toLowerCase()) !== 'deterministic') {
        throw new NotRollable('bucket width calls a function that is not deterministic');
      }
      walkChildren(node, (child) => { walk(child); return child; });
    };
    walk(expr);
    use(expr);
  }

  #truncUnit(expr: AstNode): void {
    const value = expr.class === 'CONSTANT' ? (expr.value as AstNode) : undefined;
    const unit = value && (value.type as AstNode).id === 'VARCHAR' ? String(value.value).toLowerCase() : undefined;
    const ms = unit === undefined ? undefined : TRUNC_UNITS[unit];
    if (ms === undefined || (ms !== 0 && (ms < this.shape.binMs || ms % this.shape.binMs !== 0))) {
      throw new NotRollable(`date_trunc unit ${unit ?? '(not a constant)'} against bins of ${this.shape.binMs} ms`);
    }
  }

  #isTime(expr: unknown): boolean {
    return typeof expr === 'object' && expr !== null && (expr as AstNode).class === 'COLUMN_REF' && this.#role(expr as AstNode) === 'time';
  }

  #declaredNonNull(ref: AstNode): boolean {
    const column = (ref.column_names as string[]).at(-1)!.toLowerCase();
    return this.shape.source.schema.fields.some((f) => f.name.toLowerCase() === column && !f.nullable);
  }

  /**
   * What a column reference reads: a dimension, the time, the measure, another source column, or a
   * name from elsewhere (a select alias, an outer query's column) that binds the same over the bins.
   */
  #role(ref: AstNode): 'dimension' | 'time' | 'measure' | 'other source column' | 'foreign' {
    const names = ref.column_names as string[];
    const column = names.at(-1)!.toLowerCase();
    const qualified = names.length > 1;
    if (names.length > 2 || (qualified && names[0]!.toLowerCase() !== this.shape.alias.toLowerCase())) {
      throw new NotRollable(`column ${names.join('.')} of another relation`);
    }
    const { source, rollup } = this.shape;
    if (!source.schema.fields.some((f) => f.name.toLowerCase() === column)) {
      if (qualified || column.startsWith(RESERVED_PREFIX)) throw new NotRollable(`column ${names.join('.')}`);
      return 'foreign';
    }
    if (rollup.dimensions.includes(column)) return 'dimension';
    if (column === source.timeColumn.toLowerCase()) return 'time';
    if (column === rollup.measure?.column) return 'measure';
    return 'other source column';
  }
}

/** Replaces each expression below `node` (through lists and CASE arms) by what `visit` returns. */
export function walkChildren(node: AstNode, visit: (child: AstNode) => AstNode): void {
  const visitValue = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(visitValue);
    if (typeof value !== 'object' || value === null) return value;
    const object = value as AstNode;
    if (typeof object.class === 'string') return visit(object);
    for (const [key, child] of Object.entries(object)) object[key] = visitValue(child);
    return object;
  };
  for (const [key, child] of Object.entries(node)) node[key] = visitValue(child);
}

/** A timestamp constant's instant: TIMESTAMP or TIMESTAMP_NS text, or bare text DuckDB casts to the column's type. */
function timestampNs(expr: unknown): bigint | undefined {
  if (typeof expr !== 'object' || expr === null) return undefined;
  const node = expr as AstNode;
  const castTo = node.class === 'CAST' && node.try_cast !== true ? String((node.cast_type as AstNode).id) : undefined;
  const constant = castTo === undefined ? node : (node.child as AstNode);
  const value = constant.class === 'CONSTANT' ? (constant.value as AstNode) : undefined;
  if (!value || (value.type as AstNode).id !== 'VARCHAR' || typeof value.value !== 'string') return undefined;
  const digits = castTo === undefined || castTo === 'TIMESTAMP_NS' ? 9 : castTo === 'TIMESTAMP' ? 6 : -1;
  return digits < 0 ? undefined : literalNs(value.value, digits);
}
