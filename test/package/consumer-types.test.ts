import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { tempDir } from '../helpers/temp';

const ROOT = path.resolve(__dirname, '..', '..');
const TSC = path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');

/** The packages `npm install express-sqlite-sync` brings: every lock entry that is not dev-only. */
function productionPackages(): string[] {
  const lock = JSON.parse(readFileSync(path.join(ROOT, 'package-lock.json'), 'utf8')) as { packages: Record<string, { dev?: boolean; devOptional?: boolean }> };
  return Object.entries(lock.packages)
    .filter(([where]) => where.startsWith('node_modules/') && !where.slice('node_modules/'.length).includes('node_modules/'))
    .filter(([, entry]) => entry.dev !== true && entry.devOptional !== true)
    .map(([where]) => where.slice('node_modules/'.length));
}

/** A consumer's TypeScript: if a type did not resolve it would be `any`, and each `@ts-expect-error` would be unused (an error). */
const CONSUMER = `
import express from 'express';
import Database from 'better-sqlite3';
import { createSyncNode, createSyncRouter, uploadGuard, type PeerSyncResult, type SyncNode } from 'express-sqlite-sync';

const db = new Database(':memory:');
db.exec('CREATE TABLE notes (id TEXT PRIMARY KEY NOT NULL, body TEXT)');
const node: SyncNode = createSyncNode({ token: 'a-token-of-16-chars', database: db, tables: ['notes'], name: 'pit laptop' });
const app = express();
app.use('/api/sync', node.router);
app.use('/plain', createSyncRouter({ token: 'a-token-of-16-chars' }));
app.post('/photo', uploadGuard({ roots: { uploads: './uploads' } }), (req, res) => {
  res.json({ original: req.file?.originalname });
});
export async function once(): Promise<readonly PeerSyncResult[]> {
  return node.syncNow();
}
// @ts-expect-error a Router is not a number: express's types resolved
export const notANumber: number = node.router;
// @ts-expect-error \`database\` is a better-sqlite3 Database: its types resolved
createSyncNode({ token: 'a-token-of-16-chars', database: 'app.db', tables: [] });
node.client?.on('result', (result) => {
  // @ts-expect-error a result's rowsPulled is a number: the client's events are typed
  const wrong: string = result.rowsPulled;
  void wrong;
});
node.client?.on('progress', (progress) => {
  // @ts-expect-error a progress's phase is a string: the client's events are typed
  const wrong: Date = progress.phase;
  void wrong;
});
`;

describe('the packed package, installed alone in a TypeScript project', () => {
  let temp: ReturnType<typeof tempDir>;
  beforeAll(() => {
    temp = tempDir('ess-consumer-');
  });
  afterAll(() => temp.cleanup());

  it('type-checks against its .d.ts files with only its own dependencies installed', () => {
    const packed = execFileSync('npm', ['pack', '--silent', '--pack-destination', temp.dir], { cwd: ROOT, encoding: 'utf8' }).trim().split('\n').at(-1) ?? '';
    const project = path.join(temp.dir, 'consumer');
    const modules = path.join(project, 'node_modules');
    mkdirSync(path.join(modules, 'express-sqlite-sync'), { recursive: true });
    execFileSync('tar', ['-xzf', path.join(temp.dir, packed), '-C', path.join(modules, 'express-sqlite-sync'), '--strip-components=1']);
    expect(readdirSync(path.join(modules, 'express-sqlite-sync')).sort()).toEqual(['LICENSE', 'README.md', 'dist', 'package.json'].filter((name) => name !== 'LICENSE' || readdirSync(ROOT).includes('LICENSE')));
    for (const name of productionPackages()) {
      mkdirSync(path.dirname(path.join(modules, name)), { recursive: true });
      symlinkSync(path.join(ROOT, 'node_modules', name), path.join(modules, name), 'dir');
    }
    writeFileSync(path.join(project, 'index.ts'), CONSUMER);
    writeFileSync(
      path.join(project, 'tsconfig.json'),
      JSON.stringify({ compilerOptions: { strict: true, noEmit: true, module: 'node16', moduleResolution: 'node16', target: 'ES2022', esModuleInterop: true, skipLibCheck: false }, files: ['index.ts'] }),
    );
    const result = spawnSync(process.execPath, [TSC, '-p', project], { encoding: 'utf8' });
    expect(result.stdout + result.stderr).toBe('');
    expect(result.status).toBe(0);
  });
});
