// The SDK's native part (the TSC clock) is built at install where a toolchain exists, and the
// install never fails where none does.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cp, mkdir, mkdtemp, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { tscAddon } from '@micromegas/tracing/tsc';

const sdkDir = fileURLToPath(new URL('../../tracing-sdk', import.meta.url));

/** A copy of the package's native sources in a scratch directory. */
async function nativeCopy(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'mm-native-'));
  await cp(join(sdkDir, 'native'), join(dir, 'native'), { recursive: true });
  await cp(join(sdkDir, 'binding.gyp'), join(dir, 'binding.gyp'));
  return dir;
}

function install(dir: string, env: NodeJS.ProcessEnv): { status: number | null; out: string } {
  const r = spawnSync(process.execPath, [join(dir, 'native', 'build.mjs')], { cwd: dir, env, encoding: 'utf8', timeout: 120_000 });
  return { status: r.status, out: r.stdout + r.stderr };
}

test('without a toolchain the install script succeeds, says so, and builds nothing', async () => {
  const dir = await nativeCopy();
  try {
    // A PATH with node alone: no python, make or compiler for node-gyp.
    const bin = join(dir, 'bin');
    await mkdir(bin);
    await symlink(process.execPath, join(bin, 'node'));
    const { status, out } = install(dir, { PATH: bin, HOME: dir });
    assert.equal(status, 0, out);
    assert.match(out, /native clock not built \((node-gyp failed|node-gyp not found)/);
    assert.equal(existsSync(join(dir, 'build', 'Release', 'micromegas_tsc.node')), false);

    const skipped = install(dir, { PATH: bin, HOME: dir, MICROMEGAS_TRACING_NATIVE: '0' });
    assert.equal(skipped.status, 0);
    assert.match(skipped.out, /not built \(MICROMEGAS_TRACING_NATIVE=0\)/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test("where node-gyp's toolchain exists (a C compiler, make, python3), the install built the native clock and it loads", () => {
  const has = (tool: string): boolean => {
    const r = spawnSync(tool, ['--version']);
    return r.error === undefined && r.status === 0;
  };
  if (has('cc') && has('make') && has('python3')) assert.ok(tscAddon(), 'built at install');
  else assert.equal(tscAddon(), undefined, 'no toolchain, no addon: performance.now() is used');
});
