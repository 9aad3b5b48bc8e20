// Which Chromium the browser tests drive: $CHROMIUM_PATH, else the system's (Debian's `chromium`),
// else the one @sparticuz/chromium ships inside its npm tarball (Brotli-compressed), unpacked once
// into node_modules/.cache. Nothing is downloaded.
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';

const SYSTEM_CHROMIUM = ['/usr/bin/chromium', '/usr/bin/chromium-browser'];
const PACKAGE_DIR = join(__dirname, '../../../node_modules/@sparticuz/chromium');

export class NoChromiumError extends Error {
  constructor(tried: string[]) {
    super(`no Chromium: tried ${tried.join(', ')}; run \`npm install\` (it brings @sparticuz/chromium) or set CHROMIUM_PATH`);
    this.name = 'NoChromiumError';
  }
}

export async function chromiumExecutable(): Promise<string> {
  const fromEnv = process.env.CHROMIUM_PATH;
  if (fromEnv) {
    if (!existsSync(fromEnv)) {
      throw new NoChromiumError([`CHROMIUM_PATH=${fromEnv}`]);
    }
    return fromEnv;
  }
  const system = SYSTEM_CHROMIUM.find((path) => existsSync(path));
  if (system) {
    return system;
  }
  if (!existsSync(join(PACKAGE_DIR, 'package.json'))) {
    throw new NoChromiumError([...SYSTEM_CHROMIUM, PACKAGE_DIR]);
  }
  return unpackPackagedChromium();
}

/**
 * The package unpacks into os.tmpdir() (the binary, and the SwiftShader libraries it loads from its
 * own directory). It runs in a child Node (the package is ES modules only, jest's is CommonJS) with
 * TMPDIR set to a fresh staging directory, renamed into place when complete: a run killed halfway
 * leaves no half-written binary behind, and concurrent runs keep whichever finished first.
 */
async function unpackPackagedChromium(): Promise<string> {
  const { version } = JSON.parse(readFileSync(join(PACKAGE_DIR, 'package.json'), 'utf8')) as { version: string };
  const target = join(PACKAGE_DIR, '../../.cache', `sparticuz-chromium-${version}`);
  const binary = join(target, 'chromium');
  if (existsSync(binary)) {
    return binary;
  }
  mkdirSync(dirname(target), { recursive: true });
  const staging = mkdtempSync(`${target}.partial-`);
  try {
    const script = "import C from '@sparticuz/chromium'; process.stdout.write(await C.executablePath());";
    const { stdout } = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', script], {
      cwd: PACKAGE_DIR,
      env: { ...process.env, TMPDIR: staging },
    });
    if (stdout !== join(staging, 'chromium')) {
      throw new Error(`@sparticuz/chromium unpacked to ${stdout}, expected ${join(staging, 'chromium')}`);
    }
    try {
      renameSync(staging, target);
    } catch (e) {
      if (!existsSync(binary)) {
        throw e;
      }
    }
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
  return binary;
}
