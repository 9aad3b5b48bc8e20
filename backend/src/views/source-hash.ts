/**
 * Source hashes: what a partition was built from, comparable with what its insert range holds now.
 *
 * A hash is `<count>.<sum>`: how many source rows (blocks, processes, …) and the sum of a 64-bit
 * hash of each one's id. Sums add up, so the hash of disjoint insert ranges together is the
 * combination of their hashes: a merged partition's hash is computed from its parts', and a set of
 * partitions is checked against one query over the range they cover.
 *
 * Only PostgreSQL hashes ids (`hashtextextended`, a builtin several times cheaper than md5, sums in
 * numeric: no overflow); a build reads its sources and their hash in one query, so the two never
 * disagree. Here, hashes are only combined.
 *
 * A hash may carry a suffix after the first `|`: what else the partition's rows depend on (a derived
 * partition's source schema, a chained partition's carried state). Hashes combine only when their
 * suffixes agree.
 */

const SUFFIX = '|';

/** The hash of no source at all. */
export const EMPTY_SOURCE_HASH = '0.0';

const hashSql = (idExpr: string, over: string): string =>
  `((count(*) ${over})::text || '.' || coalesce(sum(hashtextextended(${idExpr}, 0)) ${over}, 0)::text)`;

/** The aggregate expression hashing the group's ids `idExpr`. */
export function sourceHashSql(idExpr: string): string {
  return hashSql(idExpr, '');
}

/** The same hash over every row of the result, on each row (a build hashes what it reads). */
export function sourceHashOverResultSql(idExpr: string): string {
  return hashSql(idExpr, 'OVER ()');
}

/** `hash` with what else its rows depend on. */
export function withSuffix(hash: string, suffix: string): string {
  return `${hash}${SUFFIX}${suffix}`;
}

/** The hash of the union of the (disjoint) sources of `hashes`; undefined when they do not combine. */
export function combineSourceHashes(hashes: readonly string[]): string | undefined {
  let count = 0;
  let sum = 0n;
  let suffix: string | undefined;
  for (const hash of hashes) {
    const cut = hash.indexOf(SUFFIX);
    const [head, tail] = cut < 0 ? [hash, ''] : [hash.slice(0, cut), hash.slice(cut)];
    if (suffix !== undefined && tail !== suffix) return undefined;
    suffix = tail;
    const match = /^(\d+)\.(-?\d+)$/.exec(head);
    if (match === null) return undefined;
    count += Number(match[1]);
    sum += BigInt(match[2]!);
  }
  return suffix === undefined ? undefined : `${count}.${sum}${suffix}`;
}
