import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

const PACKAGE_NAME = 'kubeedge-ts';

/**
 * This package's version, read from package.json found by walking up from this file (the same code
 * runs from the source tree under jest and from dist/ once built).
 */
export function packageVersion(start: string = __dirname): string {
  for (let dir = start; ; dir = dirname(dir)) {
    try {
      const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: string; version?: string };
      if (manifest.name === PACKAGE_NAME && typeof manifest.version === 'string') return manifest.version;
    } catch {
      // No (readable) package.json here; keep walking up.
    }
    if (dirname(dir) === dir) return 'unknown';
  }
}

/** `cloudcore 0.1.0 (node v20.20.2, linux/x64)`: everything known without git. */
export function versionText(program: string): string {
  return `${program} ${packageVersion()} (node ${process.version}, ${process.platform}/${process.arch})`;
}
