/**
 * processes, streams and blocks: global views of the telemetry metadata in PostgreSQL, partitioned
 * by insert time like the other views (rows are insert-only; a segment's id set is its source
 * hash). `blocks` is joined with its stream and process (written before it, never changed) under
 * dotted column names, as in the reference schemas.
 */
import { createHash } from 'node:crypto';
import type { MetadataStore } from '../lake/metadata/store.js';
import type { StagedColumn } from '../etl/staged.js';
import type { TimeRange } from '../query/engine.js';
import type { MaterializedSet } from './materialized-set.js';
import type { PartitionIndex } from './partition-index.js';
import type { PartitionBuilder } from './partition-builder.js';
import type { SingleFlight } from './single-flight.js';
import { refreshSegments, type InsertRange, type RangeSources, type SegmentRefresh, type SegmentSource, type SegmentSummary, type TimeBounds } from './segment-refresh.js';
import { EMPTY_SOURCE_HASH, sourceHashOverResultSql } from './source-hash.js';
import { byOrdinal, rangeParams, rangesJoin, sourcesColumns, toRangeSources, type SourcesRow } from './source-summaries.js';
import { UNION_MERGE, type PartitionMerger } from './partition-merger.js';
import { blocksSchema, processesSchema, streamsSchema } from './schemas.js';
import type { ViewSetInfo } from './catalog.js';

interface MetadataViewDefinition {
  info: ViewSetInfo;
  /** The table whose rows the view lists (partitioned by its insert_time), its alias and id column. */
  table: string;
  alias: string;
  idColumn: string;
  /** PostgreSQL query (without WHERE: the insert range is appended); columns text or int8 as `staged` says. */
  pgSelect: string;
  staged: readonly { name: string; type: 'VARCHAR' | 'BIGINT'; dictionary?: boolean }[];
  /** DuckDB SELECT over the staged table `mm_rows`. */
  select: string;
}

const text = (name: string) => ({ name, type: 'VARCHAR' as const });
/**
 * Text the view passes through that repeats across a segment's rows (a block's process columns, a
 * process's exe and user): staged as a dictionary (see StagedColumn). Not for text a function
 * parses (JSON, hex), which reads it as VARCHAR.
 */
const repeated = (name: string) => ({ name, type: 'VARCHAR' as const, dictionary: true });
const int8 = (name: string) => ({ name, type: 'BIGINT' as const });
const PROPS = `'[{"key":"VARCHAR","value":"VARCHAR"}]'`;
const INSERT_US = (alias: string) => `(extract(epoch FROM ${alias}.insert_time) * 1000000)::int8`;
const PROCESS_PG = (p: string, prefix: string) =>
  `${p}.exe AS ${prefix}exe, ${p}.username AS ${prefix}username, ${p}.realname AS ${prefix}realname, ${p}.computer AS ${prefix}computer,
   ${p}.distro AS ${prefix}distro, ${p}.cpu_brand AS ${prefix}cpu_brand, ${p}.tsc_frequency AS ${prefix}tsc_frequency,
   ${p}.start_time_ns AS ${prefix}start_time_ns, ${p}.start_ticks AS ${prefix}start_ticks, ${INSERT_US(p)} AS ${prefix}insert_time_us,
   ${p}.parent_process_id AS ${prefix}parent_process_id, ${p}.properties::text AS ${prefix}properties`;
const processStaged = (prefix: string) => [
  repeated(`${prefix}exe`), repeated(`${prefix}username`), repeated(`${prefix}realname`), repeated(`${prefix}computer`), repeated(`${prefix}distro`),
  repeated(`${prefix}cpu_brand`), int8(`${prefix}tsc_frequency`), int8(`${prefix}start_time_ns`), int8(`${prefix}start_ticks`),
  int8(`${prefix}insert_time_us`), repeated(`${prefix}parent_process_id`), text(`${prefix}properties`),
];

const definitions: readonly MetadataViewDefinition[] = [
  {
    info: { name: 'processes', schema: processesSchema, hasGlobal: true, instanceKind: null, timeColumn: 'insert_time' },
    table: 'processes', alias: 'p', idColumn: 'process_id',
    pgSelect: `SELECT p.process_id, ${PROCESS_PG('p', '')} FROM processes p`,
    staged: [text('process_id'), ...processStaged('')],
    select: `SELECT process_id, exe, username, realname, computer, distro, cpu_brand, tsc_frequency,
      make_timestamp_ns(start_time_ns) AS start_time, start_ticks, make_timestamp_ns(insert_time_us * 1000) AS insert_time,
      parent_process_id, from_json(properties, ${PROPS}) AS properties FROM mm_rows`,
  },
  {
    info: { name: 'streams', schema: streamsSchema, hasGlobal: true, instanceKind: null, timeColumn: 'insert_time' },
    table: 'streams', alias: 's', idColumn: 'stream_id',
    pgSelect: `SELECT s.stream_id, s.process_id, encode(s.dependencies_metadata, 'hex') AS dependencies_metadata,
      encode(s.objects_metadata, 'hex') AS objects_metadata, to_json(s.tags)::text AS tags, s.properties::text AS properties,
      ${INSERT_US('s')} AS insert_time_us FROM streams s`,
    staged: [text('stream_id'), repeated('process_id'), text('dependencies_metadata'), text('objects_metadata'), text('tags'), text('properties'), int8('insert_time_us')],
    select: `SELECT stream_id, process_id, from_hex(dependencies_metadata) AS dependencies_metadata, from_hex(objects_metadata) AS objects_metadata,
      from_json(tags, '["VARCHAR"]') AS tags, from_json(properties, ${PROPS}) AS properties,
      make_timestamp_ns(insert_time_us * 1000) AS insert_time FROM mm_rows`,
  },
  {
    info: { name: 'blocks', schema: blocksSchema, hasGlobal: true, instanceKind: null, timeColumn: 'insert_time' },
    table: 'blocks', alias: 'b', idColumn: 'block_id',
    pgSelect: `SELECT b.block_id, b.stream_id, b.process_id, b.begin_time_ns, b.begin_ticks, b.end_time_ns, b.end_ticks,
      b.nb_objects::int8 AS nb_objects, b.object_offset, b.payload_size, ${INSERT_US('b')} AS insert_time_us,
      encode(s.dependencies_metadata, 'hex') AS s_dependencies_metadata, encode(s.objects_metadata, 'hex') AS s_objects_metadata,
      to_json(s.tags)::text AS s_tags, s.properties::text AS s_properties, ${PROCESS_PG('p', 'p_')}
      FROM blocks b JOIN streams s ON s.stream_id = b.stream_id JOIN processes p ON p.process_id = b.process_id`,
    staged: [text('block_id'), text('stream_id'), repeated('process_id'), int8('begin_time_ns'), int8('begin_ticks'), int8('end_time_ns'),
      int8('end_ticks'), int8('nb_objects'), int8('object_offset'), int8('payload_size'), int8('insert_time_us'),
      text('s_dependencies_metadata'), text('s_objects_metadata'), text('s_tags'), text('s_properties'), ...processStaged('p_')],
    select: `SELECT block_id, stream_id, process_id, make_timestamp_ns(begin_time_ns) AS begin_time, begin_ticks,
      make_timestamp_ns(end_time_ns) AS end_time, end_ticks, nb_objects::INTEGER AS nb_objects, object_offset, payload_size,
      make_timestamp_ns(insert_time_us * 1000) AS insert_time,
      from_hex(s_dependencies_metadata) AS "streams.dependencies_metadata", from_hex(s_objects_metadata) AS "streams.objects_metadata",
      from_json(s_tags, '["VARCHAR"]') AS "streams.tags", from_json(s_properties, ${PROPS}) AS "streams.properties",
      make_timestamp_ns(p_start_time_ns) AS "processes.start_time", p_start_ticks AS "processes.start_ticks",
      p_tsc_frequency AS "processes.tsc_frequency", p_exe AS "processes.exe", p_username AS "processes.username",
      p_realname AS "processes.realname", p_computer AS "processes.computer", p_distro AS "processes.distro",
      p_cpu_brand AS "processes.cpu_brand", make_timestamp_ns(p_insert_time_us * 1000) AS "processes.insert_time",
      p_parent_process_id AS "processes.parent_process_id", from_json(p_properties, ${PROPS}) AS "processes.properties"
      FROM mm_rows`,
  },
];

function stageRows(def: MetadataViewDefinition, rows: readonly Record<string, unknown>[]): StagedColumn[] {
  return def.staged.map(({ name, type, dictionary }) => type === 'VARCHAR'
    ? { name, type, values: rows.map((r) => String(r[name])), dictionary }
    : { name, type, values: BigInt64Array.from(rows, (r) => BigInt(r[name] as number | bigint)) });
}

class MetadataViewSet implements MaterializedSet, SegmentSource {
  readonly info: ViewSetInfo;
  readonly #schemaHash: string;

  constructor(private readonly def: MetadataViewDefinition, private readonly deps: MetadataDeps) {
    this.info = def.info;
    this.#schemaHash = createHash('md5').update(`${def.pgSelect}\n${def.select}`).digest('hex');
  }

  /** Insert time is the event time of these views: both bounds select segments. */
  async summaries(widthSeconds: number, within: { events?: TimeBounds; inserts?: TimeBounds }): Promise<SegmentSummary[]> {
    const { alias, idColumn } = this.def;
    const lower = [within.events?.begin, within.inserts?.begin].filter((d) => d !== undefined).map((d) => Math.floor(d.getTime() / 1000 / widthSeconds) * widthSeconds);
    const upper = [within.events?.end, within.inserts?.end].filter((d) => d !== undefined).map((d) => Math.ceil(d.getTime() / 1000 / widthSeconds) * widthSeconds);
    const rows = await this.deps.db.query<SourcesRow & { segment: number | bigint }>(
      `SELECT floor(extract(epoch FROM ${alias}.insert_time) / $1)::int8 AS segment, ${sourcesColumns(alias, idColumn)}
       FROM ${this.def.table} ${alias}
       WHERE ($2::float8 IS NULL OR ${alias}.insert_time >= to_timestamp($2)) AND ($3::float8 IS NULL OR ${alias}.insert_time < to_timestamp($3))
       GROUP BY 1 ORDER BY 1`,
      [widthSeconds, lower.length === 0 ? null : Math.max(...lower), upper.length === 0 ? null : Math.min(...upper)]);
    return rows.map((r) => {
      const sources = toRangeSources(r);
      return { ...sources, segment: Number(r.segment), minBeginMs: sources.firstInsertMs };
    });
  }

  async rangeSources(ranges: readonly InsertRange[]): Promise<(RangeSources | undefined)[]> {
    const { table, alias, idColumn } = this.def;
    const rows = await this.deps.db.query<SourcesRow & { i: number | bigint }>(
      `SELECT r.i, ${sourcesColumns(alias, idColumn)} FROM ${rangesJoin(table, alias)} GROUP BY r.i`, rangeParams(ranges));
    return byOrdinal(ranges.length, rows);
  }

  async build(begin: Date, end: Date): Promise<void> {
    await this.deps.builder.build(this.info.name, 'global', begin, async () => {
      const { alias, idColumn } = this.def;
      const rows = await this.deps.db.query<{ source_hash: string } & Record<string, unknown>>(
        `SELECT q.*, ${sourceHashOverResultSql(`q.${idColumn}`)} AS source_hash
         FROM (${this.def.pgSelect} WHERE ${alias}.insert_time >= $1 AND ${alias}.insert_time < $2) q`, [begin, end]);
      return {
        viewSet: this.info.name, instanceId: 'global', beginInsert: begin, endInsert: end,
        tables: [{ name: 'mm_rows', columns: stageRows(this.def, rows) }], select: this.def.select, timeColumn: this.info.timeColumn,
        sourceHash: rows[0]?.source_hash ?? EMPTY_SOURCE_HASH, schemaHash: this.#schemaHash,
      };
    });
  }

  async refresh(_instanceId: string, range: TimeRange): Promise<void> {
    await this.#refresh(range, undefined, this.deps.widthSeconds);
  }

  materialize(begin: Date, end: Date, deltaSeconds: number): Promise<number> {
    const spec = { info: this.info, schemaHash: this.#schemaHash, mergeSql: UNION_MERGE };
    return this.#refresh({}, { begin, end }, deltaSeconds, (parts, from, to) => this.deps.merger.merge(spec, 'global', parts, from, to));
  }

  #refresh(events: TimeBounds, inserts: TimeBounds | undefined, widthSeconds: number, merge?: SegmentRefresh['merge']): Promise<number> {
    const { index, flights } = this.deps;
    return refreshSegments({
      index, flights, viewSet: this.info.name, instanceId: 'global', schemaHash: this.#schemaHash, widthSeconds, source: this, events, inserts, merge,
      mergedEnoughRows: this.deps.mergedEnoughRows,
    });
  }
}

export interface MetadataDeps {
  db: MetadataStore;
  index: PartitionIndex;
  builder: PartitionBuilder;
  merger: PartitionMerger;
  flights: SingleFlight;
  /** Insert-time width of the partitions JIT builds. */
  widthSeconds: number;
  /** See SegmentRefresh.mergedEnoughRows. */
  mergedEnoughRows?: number | undefined;
}

export function metadataViewSets(deps: MetadataDeps): MaterializedSet[] {
  return definitions.map((def) => new MetadataViewSet(def, deps));
}
