/** Human duration from milliseconds: 950 ns, 12.3 µs, 4.56 ms, 1.20 s. */
export function formatDuration(ms: number): string {
  if (ms < 0.001) {
    return `${Math.round(ms * 1e6)} ns`;
  }
  if (ms < 1) {
    return `${(ms * 1e3).toPrecision(3)} µs`;
  }
  if (ms < 1000) {
    return `${ms.toPrecision(3)} ms`;
  }
  return `${(ms / 1000).toPrecision(3)} s`;
}

/** Clock time of `ms` since `origin` (a whole epoch ms) to the microsecond: 12:00:01.234 567. */
export function formatClock(origin: number, ms: number, format: (epochMs: number, pattern: string) => string): string {
  const wholeMs = Math.floor(ms);
  const micros = Math.floor((ms - wholeMs) * 1000);
  return `${format(origin + wholeMs, 'HH:mm:ss.SSS')} ${String(micros).padStart(3, '0')}`;
}
