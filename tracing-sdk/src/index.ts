export { init, shutdown, flush, logAt, sinkStats, processId, streamIds } from './lifecycle.js';
export { TelemetryConfigError, type InitOptions } from './options.js';
export type { SinkStats } from './runtime.js';
export { Logger, logger, fatal, error, warn, info, debug, trace } from './logs.js';
export { Metric, intMetric, floatMetric, imetric, fmetric } from './metrics.js';
export { SpanScope, spanScope, span, spanDepth } from './spans.js';
export { AsyncSpanScope, asyncSpanScope, asyncSpan, currentAsyncSpanId } from './async-spans.js';
export type { DescriptorOptions } from './descriptors.js';
export type { PropertyBag } from './event-buffer.js';
