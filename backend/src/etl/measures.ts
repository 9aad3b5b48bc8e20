/** measures facts: one row per integer or float measure. */
import type { Properties } from '@micromegas/wire';
import { Float64Column, Int32Column } from './columns.js';
import { ViewBuilder } from './view-builder.js';
import type { EventProperties } from './dimensions.js';
import type { StagedTable } from './staged.js';

export class MeasuresBuilder extends ViewBuilder {
  readonly #block = new Int32Column();
  readonly #time = new Float64Column();
  readonly #target = new Int32Column();
  readonly #name = new Int32Column();
  readonly #unit = new Int32Column();
  readonly #value = new Float64Column();
  readonly #props = new Int32Column();

  override measure(ticks: number, target: string, name: string, unit: string, value: number, properties: Properties | undefined): void {
    this.measureAt(this.offset(ticks), target, name, unit, value, properties);
  }

  override measureAt(offsetNs: number, target: string, name: string, unit: string, value: number, properties: EventProperties | undefined): void {
    const strings = this.dims.strings;
    this.#block.push(this.cursor.index);
    this.#time.push(offsetNs);
    this.#target.push(strings.id(target));
    this.#name.push(strings.id(name));
    this.#unit.push(strings.id(unit));
    this.#value.push(value);
    this.#props.push(this.dims.propertySet(properties));
  }

  get rowCount(): number {
    return this.#value.length;
  }

  stage(): StagedTable[] {
    return [{
      name: 'mm_measure_facts',
      columns: [
        { name: 'block', type: 'INTEGER', values: this.#block.values() },
        { name: 'time_off', type: 'DOUBLE', values: this.#time.values() },
        { name: 'target', type: 'INTEGER', values: this.#target.values() },
        { name: 'name', type: 'INTEGER', values: this.#name.values() },
        { name: 'unit', type: 'INTEGER', values: this.#unit.values() },
        { name: 'value', type: 'DOUBLE', values: this.#value.values() },
        { name: 'props', type: 'INTEGER', values: this.#props.values() },
      ],
    }];
  }
}
