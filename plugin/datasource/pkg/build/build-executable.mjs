#!/usr/bin/env node
// Builds the datasource backend as the executable Grafana starts (dist/gpx_micromegas_linux_amd64):
// esbuild bundles the TypeScript entry and its dependencies into one CommonJS file, which becomes a
// Node single-executable application (node --experimental-sea-config, then postject), so Grafana's
// image needs no Node installation.
import { build } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { chmodSync, copyFileSync, cpSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';

const here = dirname(fileURLToPath(import.meta.url));
const datasource = resolve(here, '../..');
const dist = join(datasource, 'dist');
const work = resolve(datasource, '../.build/datasource-backend');
const executable = join(dist, `gpx_micromegas_${process.platform}_${process.arch === 'x64' ? 'amd64' : process.arch}`);
const require = createRequire(import.meta.url);

mkdirSync(work, { recursive: true });
mkdirSync(dist, { recursive: true });

const bundle = join(work, 'main.cjs');
await build({
  entryPoints: [join(datasource, 'pkg/main.ts')],
  outfile: bundle,
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  loader: { '.proto': 'text' },
  // ESM dependencies locate their data files from import.meta.url; in the executable that is a
  // file inside dist/lib/, so `../proto/` resolves to dist/proto/ (copied below).
  define: { 'import.meta.url': 'import_meta_url' },
  banner: {
    js: "const import_meta_url = require('node:url').pathToFileURL(require('node:path').join(require('node:path').dirname(process.execPath), 'lib', 'main.cjs')).href;",
  },
  logLevel: 'warning',
});

const flightsqlProtos = resolve(dirname(require.resolve('@micromegas/flightsql-client')), '../proto');
cpSync(flightsqlProtos, join(dist, 'proto'), { recursive: true });

const blob = join(work, 'sea.blob');
const seaConfig = join(work, 'sea-config.json');
writeFileSync(seaConfig, JSON.stringify({ main: bundle, output: blob, disableExperimentalSEAWarning: true }));
execFileSync(process.execPath, ['--experimental-sea-config', seaConfig], { stdio: 'inherit' });

copyFileSync(process.execPath, executable);
chmodSync(executable, 0o755);
execFileSync(
  process.execPath,
  [
    require.resolve('postject/dist/cli.js'),
    executable,
    'NODE_SEA_BLOB',
    blob,
    '--sentinel-fuse',
    'NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2',
  ],
  { stdio: ['ignore', 'ignore', 'inherit'] },
);
console.log(`built ${executable}`);
