/** The interned things events point at. Decoders hand out one object per id per block. */
export interface SpanDescriptor {
  readonly name: string;
  readonly target: string;
  readonly filename: string;
  readonly line: number;
}

export interface MetricDescriptor {
  readonly name: string;
  readonly unit: string;
  readonly target: string;
}
