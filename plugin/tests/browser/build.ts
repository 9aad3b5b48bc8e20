// Bundles harness.tsx for the browser into `outdir` (index.html, harness.js, harness.css, fonts).
import { build } from 'esbuild';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

export async function buildHarness(outdir: string): Promise<string> {
  await build({
    entryPoints: { harness: join(__dirname, 'harness.tsx') },
    outdir,
    bundle: true,
    platform: 'browser',
    format: 'iife',
    target: 'chrome110',
    jsx: 'transform',
    loader: { '.ttf': 'file', '.woff': 'file', '.woff2': 'file', '.svg': 'file', '.png': 'file' },
    define: { 'process.env.NODE_ENV': '"production"', global: 'globalThis' },
    logLevel: 'error',
  });
  const html = join(outdir, 'index.html');
  writeFileSync(
    html,
    '<!doctype html><html><head><meta charset="utf-8"><link rel="stylesheet" href="harness.css"></head>' +
      '<body><div id="root"></div><script src="harness.js"></script></body></html>',
  );
  return html;
}
