#!/usr/bin/env node
import { UsageError, type Command } from './command.js';

/** Verbs load lazily so `micromegas query` does not pay for the server's dependencies. */
const verbs: Record<string, () => Promise<{ command: Command }>> = {
  start: () => import('./commands/start.js'),
  demo: () => import('./commands/demo.js'),
  query: () => import('./commands/query.js'),
  perfetto: () => import('./commands/perfetto.js'),
  materialize: () => import('./commands/materialize.js'),
  retention: () => import('./commands/retention.js'),
  keys: () => import('./commands/keys.js'),
};

async function help(): Promise<void> {
  console.log('usage: micromegas <command> [options]\n');
  for (const [name, load] of Object.entries(verbs)) {
    const { command } = await load();
    console.log(`  ${name.padEnd(12)} ${command.summary}`);
  }
}

async function main(argv: string[]): Promise<number> {
  const [verb, ...args] = argv;
  if (verb === undefined || verb === 'help' || verb === '--help' || verb === '-h') {
    await help();
    return verb === undefined ? 2 : 0;
  }
  const load = verbs[verb];
  if (!load) {
    console.error(`micromegas: unknown command '${verb}'`);
    await help();
    return 2;
  }
  const { command } = await load();
  try {
    return await command.run(args);
  } catch (err) {
    if (err instanceof UsageError) {
      console.error(`micromegas ${verb}: ${err.message}\nusage: ${command.usage}`);
      return 2;
    }
    throw err;
  }
}

main(process.argv.slice(2)).then(
  (code) => { process.exitCode = code; },
  (err: unknown) => {
    console.error(err instanceof Error ? (err.stack ?? err.message) : String(err));
    process.exitCode = 1;
  },
);
