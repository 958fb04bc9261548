import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';

/** The package's root folder. */
export const PACKAGE_ROOT = path.resolve(__dirname, '..', '..');

/** The folders (and the entry file) holding the package's own code. */
const ROOMS = ['index.ts', 'sample-app', 'bin', 'node', 'routes', 'middleware', 'lib'];

/** Every .ts file of the package's own code (not tests, not dist), relative to {@link PACKAGE_ROOT}. */
export function packageSources(): string[] {
  const found: string[] = [];
  const walk = (entry: string): void => {
    const full = path.join(PACKAGE_ROOT, entry);
    if (statSync(full).isDirectory()) for (const name of readdirSync(full)) walk(path.join(entry, name));
    else if (entry.endsWith('.ts')) found.push(entry);
  };
  for (const room of ROOMS) walk(room);
  return found;
}
