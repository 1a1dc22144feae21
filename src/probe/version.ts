import { readFileSync } from 'node:fs';
import { join } from 'node:path';

let cached: string | undefined;

/**
 * quorumdns' version for heartbeats. Read from package.json at run time: the file sits two levels above both
 * src/probe and dist/probe, and importing it would put it outside the build's rootDir.
 */
export function quorumdnsVersion(): string {
  if (cached === undefined) {
    try {
      const pkg = JSON.parse(readFileSync(join(__dirname, '..', '..', 'package.json'), 'utf8')) as {
        version?: string;
      };
      cached = pkg.version ?? '0.0.0';
    } catch {
      cached = process.env.npm_package_version ?? '0.0.0';
    }
  }
  return cached;
}
