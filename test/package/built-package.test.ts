import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '..', '..');

/** Runs a CommonJS snippet with Node, from the package root, as a user's code would run. */
function runNode(source: string): string {
  return execFileSync(process.execPath, ['-e', source], { cwd: ROOT, encoding: 'utf8' });
}

describe('the built package', () => {
  it('was built by `npm test` (pretest) into dist/', () => {
    expect(existsSync(path.join(ROOT, 'dist', 'index.js'))).toBe(true);
    expect(existsSync(path.join(ROOT, 'dist', 'index.d.ts'))).toBe(true);
  });

  it('declares CommonJS exports with types first and ships only dist', () => {
    const manifest = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as {
      exports: { '.': Record<string, string> };
      files: string[];
    };
    expect(Object.keys(manifest.exports['.'])[0]).toBe('types');
    expect(manifest.files).toEqual(['dist']);
  });

  it('is required by its name, with named exports and no default export', () => {
    const output = runNode(`
      const sync = require('express-sqlite-sync');
      const express = require('express');
      const router = sync.createSyncRouter({ allowUnauthenticatedPeers: true, logger: sync.silentLogger });
      const app = express();
      app.use('/api/sync', router);
      console.log(JSON.stringify({
        router: typeof router,
        syncError: new sync.SyncError('X', 400, 'm') instanceof Error,
        hasDefault: 'default' in sync,
        policy: sync.createFilePolicy().isDatabaseName('app.db'),
      }));
    `);
    expect(JSON.parse(output)).toEqual({ router: 'function', syncError: true, hasDefault: false, policy: true });
  });
});
