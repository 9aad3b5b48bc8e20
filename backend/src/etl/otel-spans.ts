/** otel_spans facts: one row per OTLP span (see ./otlp/traces.ts for what a row holds). */
import { Float64Column, Int32Column, StringColumn } from './columns.js';
import { ViewBuilder } from './view-builder.js';
import type { OtelSpanRow } from './otlp/visit.js';
import type { StagedTable } from './staged.js';

export class OtelSpansBuilder extends ViewBuilder {
  readonly #block = new Int32Column();
  readonly #traceId = new StringColumn();
  readonly #spanId = new StringColumn();
  readonly #parentSpanId = new StringColumn();
  readonly #name = new Int32Column();
  readonly #kind = new Int32Column();
  readonly #status = new Int32Column();
  readonly #statusMessage = new StringColumn();
  readonly #start = new Float64Column();
  readonly #end = new Float64Column();
  readonly #props = new Int32Column();
  readonly #events = new StringColumn();
  readonly #links = new StringColumn();

  override otelSpan(span: OtelSpanRow): void {
    this.#block.push(this.cursor.index);
    this.#traceId.push(span.traceId);
    this.#spanId.push(span.spanId);
    this.#parentSpanId.push(span.parentSpanId);
    this.#name.push(this.dims.strings.id(span.name));
    this.#kind.push(span.kind);
    this.#status.push(span.statusCode);
    this.#statusMessage.push(span.statusMessage);
    this.#start.push(span.startOffsetNs);
    this.#end.push(span.endOffsetNs);
    this.#props.push(this.dims.propertySet(span.properties));
    this.#events.push(span.eventsJson);
    this.#links.push(span.linksJson);
  }

  get rowCount(): number {
    return this.#block.length;
  }

  stage(): StagedTable[] {
    return [{
      name: 'mm_otel_span_facts',
      columns: [
        { name: 'block', type: 'INTEGER', values: this.#block.values() },
        { name: 'trace_id', type: 'VARCHAR', values: this.#traceId.values() },
        { name: 'span_id', type: 'VARCHAR', values: this.#spanId.values() },
        { name: 'parent_span_id', type: 'VARCHAR', values: this.#parentSpanId.values() },
        { name: 'name', type: 'INTEGER', values: this.#name.values() },
        { name: 'kind', type: 'INTEGER', values: this.#kind.values() },
        { name: 'status', type: 'INTEGER', values: this.#status.values() },
        { name: 'status_message', type: 'VARCHAR', values: this.#statusMessage.values() },
        { name: 'start_off', type: 'DOUBLE', values: this.#start.values() },
        { name: 'end_off', type: 'DOUBLE', values: this.#end.values() },
        { name: 'props', type: 'INTEGER', values: this.#props.values() },
        { name: 'events', type: 'VARCHAR', values: this.#events.values() },
        { name: 'links', type: 'VARCHAR', values: this.#links.values() },
      ],
    }];
  }
}
