/** log_entries facts: one row per log event. */
import type { Properties } from '@micromegas/wire';
import { Float64Column, Int32Column, StringColumn } from './columns.js';
import { ViewBuilder } from './view-builder.js';
import type { EventProperties } from './dimensions.js';
import type { StagedTable } from './staged.js';

export class LogEntriesBuilder extends ViewBuilder {
  readonly #block = new Int32Column();
  readonly #time = new Float64Column();
  readonly #target = new Int32Column();
  readonly #level = new Int32Column();
  readonly #msg = new StringColumn();
  readonly #props = new Int32Column();

  override log(ticks: number, level: number, target: string, msg: string, properties: Properties | undefined): void {
    this.logAt(this.offset(ticks), level, target, msg, properties);
  }

  override logAt(offsetNs: number, level: number, target: string, msg: string, properties: EventProperties | undefined): void {
    this.#block.push(this.cursor.index);
    this.#time.push(offsetNs);
    this.#target.push(this.dims.strings.id(target));
    this.#level.push(level);
    this.#msg.push(msg);
    this.#props.push(this.dims.propertySet(properties));
  }

  get rowCount(): number {
    return this.#msg.length;
  }

  stage(): StagedTable[] {
    return [{
      name: 'mm_log_facts',
      columns: [
        { name: 'block', type: 'INTEGER', values: this.#block.values() },
        { name: 'time_off', type: 'DOUBLE', values: this.#time.values() },
        { name: 'target', type: 'INTEGER', values: this.#target.values() },
        { name: 'level', type: 'INTEGER', values: this.#level.values() },
        { name: 'msg', type: 'VARCHAR', values: this.#msg.values() },
        { name: 'props', type: 'INTEGER', values: this.#props.values() },
      ],
    }];
  }
}
