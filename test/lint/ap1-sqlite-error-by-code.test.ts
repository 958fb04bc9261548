import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { PACKAGE_ROOT, packageSources } from '../helpers/package-sources';

/*
 * better-sqlite3's native addon is loaded once per process and keeps the SqliteError class of the first
 * module instance that opened a database (`addon.isInitialized`). Jest gives every test file its own module
 * registry in one worker process, so in a full run a file that is not the first of its worker gets errors of
 * another file's class: `error instanceof Database.SqliteError` is false there, and a test that swallowed a
 * refused write by it threw it instead (utf16-text-convergence failed so in a full run, never alone). The
 * package and its tests tell SQLite's errors apart by their `code`.
 */

const SELF = path.join('test', 'lint', path.basename(__filename));
const CLASS_TEST = /instanceof\s+(?:Database\.)?SqliteError\b|toBeInstanceOf\(\s*(?:Database\.)?SqliteError\b/;

/** Every .ts file under `folder`, relative to the package root. */
function filesUnder(folder: string): string[] {
  const full = path.join(PACKAGE_ROOT, folder);
  if (statSync(full).isFile()) return folder.endsWith('.ts') ? [folder] : [];
  return readdirSync(full).flatMap((name) => (name === 'node_modules' ? [] : filesUnder(path.join(folder, name))));
}

describe("SQLite's errors are told apart by code, not by better-sqlite3's SqliteError class", () => {
  it('no package or test file tests an error against SqliteError', () => {
    const files = [...packageSources(), ...filesUnder('test')].filter((file) => file !== SELF);
    expect(files.filter((file) => CLASS_TEST.test(readFileSync(path.join(PACKAGE_ROOT, file), 'utf8')))).toEqual([]);
  });
});
