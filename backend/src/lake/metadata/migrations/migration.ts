/**
 * One step of the metadata schema. Versions only grow; a released migration is never edited (add a
 * new one instead), because databases that already applied it will not run it again.
 */
export interface Migration {
  version: number;
  name: string;
  /** Run in order, in the same transaction as the version bookkeeping. */
  statements: readonly string[];
}
