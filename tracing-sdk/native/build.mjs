/**
 * Install script of @micromegas/tracing: builds the optional TSC clock addon with node-gyp against
 * the headers of the running Node, where a compiler and those headers exist. It never fails the
 * install and never downloads anything: without a toolchain the SDK uses performance.now().
 * MICROMEGAS_TRACING_NATIVE=0 skips the build.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const packageDir = path.dirname(path.dirname(fileURLToPath(import.meta.url)));

function skip(reason) {
  console.log(`@micromegas/tracing: native clock not built (${reason}); performance.now() will be used`);
  process.exit(0);
}

if (process.env['MICROMEGAS_TRACING_NATIVE'] === '0') skip('MICROMEGAS_TRACING_NATIVE=0');

/** npm tells its scripts where its bundled node-gyp is; else one installed beside npm or locally. */
function findNodeGyp() {
  const fromNpm = process.env['npm_config_node_gyp'];
  if (fromNpm && existsSync(fromNpm)) return fromNpm;
  const require = createRequire(import.meta.url);
  for (const request of ['node-gyp/bin/node-gyp.js', path.join(path.dirname(process.execPath), '../lib/node_modules/npm/node_modules/node-gyp/bin/node-gyp.js')]) {
    try {
      return require.resolve(request);
    } catch {
      // next
    }
  }
  return undefined;
}

/** The installed Node's own headers (never the download node-gyp would otherwise attempt). */
function findNodeDir() {
  const candidates = [process.env['npm_config_nodedir'], path.resolve(path.dirname(process.execPath), '..')];
  return candidates.find((dir) => dir && existsSync(path.join(dir, 'include', 'node', 'node_api.h')));
}

const nodeGyp = findNodeGyp();
if (nodeGyp === undefined) skip('node-gyp not found');
const nodeDir = findNodeDir();
if (nodeDir === undefined) skip("Node's headers not found");

const result = spawnSync(process.execPath, [nodeGyp, 'rebuild', `--nodedir=${nodeDir}`], {
  cwd: packageDir,
  stdio: ['ignore', 'ignore', 'pipe'],
  timeout: 120_000,
});
if (result.status !== 0) {
  const lastLine = String(result.stderr ?? '').trim().split('\n').filter(Boolean).at(-1) ?? result.error?.message ?? 'no compiler?';
  skip(`node-gyp failed: ${lastLine}`);
}
console.log('@micromegas/tracing: native TSC clock built');
