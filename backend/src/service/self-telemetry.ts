/**
 * The port through which roles send the backend's own telemetry (what maintenance does, as metrics
 * and logs). Its shapes are those of `@micromegas/tracing`, which the composition root adapts; the
 * backend itself does not depend on the SDK.
 */

/** `@micromegas/tracing`'s `imetric` / `fmetric`: pass the SDK module itself. */
export interface MetricsRecorder {
  imetric(name: string, unit: string, value: number, properties?: Readonly<Record<string, unknown>>): void;
  fmetric(name: string, unit: string, value: number, properties?: Readonly<Record<string, unknown>>): void;
}

/** The SDK's log functions, by name. */
export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace';

export interface SelfTelemetry {
  readonly metrics: MetricsRecorder;
  log(level: LogLevel, target: string, msg: string): void;
  /** The process id this telemetry is recorded under; undefined while it records nothing. */
  processId(): string | undefined;
  /** Delivers what was recorded and stops; bounded in time, never rejects. */
  shutdown(): Promise<void>;
}

/** Records nothing: the default of a context that was given no telemetry. */
export const noSelfTelemetry: SelfTelemetry = {
  metrics: { imetric() {}, fmetric() {} },
  log() {},
  processId: () => undefined,
  async shutdown() {},
};
