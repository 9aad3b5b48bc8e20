export interface SpanTimelineOptions {
  /** Column naming the lane (thread) of each span; frames without it form one lane each. */
  laneField: string;
  /** Height of one depth row, in CSS pixels. */
  rowHeight: number;
}

export const DEFAULT_OPTIONS: SpanTimelineOptions = { laneField: 'thread', rowHeight: 18 };
