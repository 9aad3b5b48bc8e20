/**
 * Source hashes: what a partition was built from, comparable with what its insert range holds now.
 *
 * A hash is `<count>.<sum>`: how many source rows (blocks, processes, …) and the sum of a 60-bit
 * digest of each one's id. Sums add up, so the hash of disjoint insert ranges together is the
 * combination of their hashes: a merged partition's hash is computed from its parts', and a set of
 * partitions is checked against one query over the range they cover. PostgreSQL computes the same
 * value with `sourceHashSql` (numeric sums: no overflow).
 *
 * A hash may carry a suffix after the first `|`: what else the partition's rows depend on (a derived
 * partition's source schema, a chained partition's carried state). Hashes combine only when their
 * suffixes agree.
 */
import { createHash } from 'node:crypto';

const SUFFIX = '|';

/** 60 bits: the first 15 hex digits of the id's md5, as PostgreSQL's `bit(60)` cast reads them. */
function digest(id: string): bigint {
  return BigInt(`0x${createHash('md5').update(id).digest('hex').slice(0, 15)}`);
}

export function sourceIdsHash(ids: Iterable<string>): string {
  let count = 0;
  let sum = 0n;
  for (const id of ids) {
    count++;
    sum += digest(id);
  }
  return `${count}.${sum}`;
}

/** The aggregate expression computing `sourceIdsHash` of the rows' `idExpr` in PostgreSQL. */
export function sourceHashSql(idExpr: string): string {
  return `(count(*)::text || '.' || coalesce(sum(('x' || left(md5(${idExpr}), 15))::bit(60)::int8), 0)::text)`;
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
    const match = /^(\d+)\.(\d+)$/.exec(head);
    if (match === null) return undefined;
    count += Number(match[1]);
    sum += BigInt(match[2]!);
  }
  return suffix === undefined ? undefined : `${count}.${sum}${suffix}`;
}
