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
