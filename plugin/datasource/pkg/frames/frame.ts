// A Grafana data frame as the backend builds it before serialization: named fields backed by
// single-chunk Arrow data, plus the frame-level metadata grafana-plugin-sdk-go carries.
import type { Data } from 'apache-arrow';

/** The TypeScript type names Grafana stores in each Arrow field's `tstype` metadata. */
export type FieldKind = 'time' | 'number' | 'string' | 'boolean' | 'other';

export interface FrameField {
  name: string;
  kind: FieldKind;
  data: Data;
  labels?: Record<string, string>;
  config?: Record<string, unknown>;
}

/** The subset of grafana-plugin-sdk-go's FrameMeta we set. */
export interface FrameMeta {
  type?: string;
  typeVersion?: [number, number];
  preferredVisualisationType?: 'graph' | 'table' | 'logs' | 'trace' | 'nodeGraph' | 'flamegraph';
  executedQueryString?: string;
  notices?: Array<{ severity: 'info' | 'warning' | 'error'; text: string }>;
  custom?: Record<string, unknown>;
}

export interface Frame {
  name: string;
  refId: string;
  fields: FrameField[];
  meta?: FrameMeta;
}

export function frameLength(frame: Frame): number {
  return frame.fields.length === 0 ? 0 : frame.fields[0]!.data.length;
}

export function findField(frame: Frame, ...names: string[]): FrameField | undefined {
  for (const name of names) {
    const field = frame.fields.find((f) => f.name === name);
    if (field) {
      return field;
    }
  }
  return undefined;
}
