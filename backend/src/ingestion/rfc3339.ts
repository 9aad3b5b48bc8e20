/**
 * RFC 3339 times, read character by character: every block carries two, and a regular expression
 * with its captures, then a BigInt parsed from text, cost more than the rest of a block's checks.
 * The grammar (as a regular expression, which the tests hold this to):
 * `^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d{1,9})?([Zz]|[+-]\d{2}:\d{2})$`.
 */

const ZERO = 48;

/** The number the `count` ASCII digits of `text` at `at` spell, or -1 when one is not a digit (or missing). */
function digitsAt(text: string, at: number, count: number): number {
  let value = 0;
  for (let i = at; i < at + count; i++) {
    const digit = text.charCodeAt(i) - ZERO; // NaN past the end
    if (!(digit >= 0 && digit <= 9)) return -1;
    value = value * 10 + digit;
  }
  return value;
}

/** Minutes east of UTC of the zone at `at` ('Z', or ±HH:MM) ending `text`, or undefined. */
function offsetMinutesAt(text: string, at: number): number | undefined {
  const sign = text[at];
  if (sign === 'Z' || sign === 'z') return at + 1 === text.length ? 0 : undefined;
  if ((sign !== '+' && sign !== '-') || at + 6 !== text.length || text[at + 3] !== ':') return undefined;
  const [hours, minutes] = [digitsAt(text, at + 1, 2), digitsAt(text, at + 4, 2)];
  if (hours < 0 || minutes < 0 || hours > 23 || minutes > 59) return undefined;
  return (sign === '-' ? -1 : 1) * (hours * 60 + minutes);
}

/**
 * Nanoseconds since the Unix epoch for an RFC 3339 time with up to 9 fractional digits, or undefined
 * when `text` is not one (including impossible dates such as February 30).
 */
export function parseRfc3339Ns(text: string): bigint | undefined {
  const [year, month, day] = [digitsAt(text, 0, 4), digitsAt(text, 5, 2), digitsAt(text, 8, 2)];
  const [hour, minute, second] = [digitsAt(text, 11, 2), digitsAt(text, 14, 2), digitsAt(text, 17, 2)];
  if (year < 0 || month < 0 || day < 0 || hour < 0 || minute < 0 || second < 0) return undefined;
  const t = text[10];
  if (text[4] !== '-' || text[7] !== '-' || (t !== 'T' && t !== 't' && t !== ' ') || text[13] !== ':' || text[16] !== ':') return undefined;
  let at = 19;
  let fractionNs = 0;
  if (text[at] === '.') {
    const first = ++at;
    for (let digit = text.charCodeAt(at) - ZERO; at - first < 9 && digit >= 0 && digit <= 9; digit = text.charCodeAt(++at) - ZERO) {
      fractionNs = fractionNs * 10 + digit;
    }
    if (at === first) return undefined;
    fractionNs *= 10 ** (9 - (at - first));
  }
  const offsetMinutes = offsetMinutesAt(text, at);
  if (offsetMinutes === undefined) return undefined;
  const date = new Date(Date.UTC(year, month - 1, day, hour, minute, second));
  if (date.getUTCFullYear() !== year || date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day
    || hour > 23 || minute > 59 || second > 59) return undefined;
  const seconds = BigInt(date.getTime() / 1000 - offsetMinutes * 60);
  return seconds * 1_000_000_000n + BigInt(fractionNs);
}
