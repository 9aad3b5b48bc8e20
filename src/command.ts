/** A verb of the `micromegas` command line. Each lives in src/commands/<verb>.ts and exports `command`. */
export interface Command {
  summary: string;
  usage: string;
  /** Resolves to the process exit code. */
  run(args: string[]): Promise<number>;
}

/** Thrown for a bad command line: printed with the verb's usage, exit code 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}
