import { parseArgs, type ParseArgsConfig } from 'node:util';

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

type OptionsConfig = NonNullable<ParseArgsConfig['options']>;
type OptionValues<T extends OptionsConfig> = ReturnType<typeof parseArgs<{ args: string[]; options: T; strict: true; allowPositionals: false }>>['values'];

/** A verb's `--name value` options (no positionals); a bad command line becomes a UsageError. */
export function parseOptions<T extends OptionsConfig>(args: string[], options: T): OptionValues<T> {
  try {
    return parseArgs({ args, options, strict: true, allowPositionals: false }).values;
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}

type PositionalValues<T extends OptionsConfig> = ReturnType<typeof parseArgs<{ args: string[]; options: T; strict: true; allowPositionals: true }>>;

/** A verb's options and positional arguments; a bad command line becomes a UsageError. */
export function parseCommandLine<T extends OptionsConfig>(args: string[], options: T): PositionalValues<T> {
  try {
    return parseArgs({ args, options, strict: true, allowPositionals: true });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}
