import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type express from 'express';
import request from 'supertest';
import { makeRoots, put } from '../helpers/file-roots';
import { makeApp, TEST_TOKEN } from '../helpers/server';
import { tempDir } from '../helpers/temp';

const AUTH = { Authorization: `Bearer ${TEST_TOKEN}` };

interface Problems {
  readonly root: string;
  readonly unsyncableCount: number;
  readonly unsyncable: ReadonlyArray<{ readonly path: string; readonly reason: string }>;
}

/**
 * A folder named like a database, made by hand (photos put in
 * `uploads/scouting.db/`, an empty `instance/app.db-journal/`), is never
 * listed or synced: its files stay on this server for good, and SQLite cannot
 * open `app.db` beside such a folder. The operator is told, as for every other
 * name that cannot travel: `/status` `fileNameProblems`, the metric and the
 * `files.names_skipped` line. It used to be left out without a word.
 */
describe('ae1: a folder named like a database is reported, not left out silently', () => {
  let temp: ReturnType<typeof tempDir>;
  let roots: Record<string, string>;
  let app: express.Express;
  let warned: Array<Record<string, unknown>>;

  beforeEach(() => {
    temp = tempDir();
    warned = [];
    roots = makeRoots(path.join(temp.dir, 'data'));
    put(roots.uploads ?? '', 'scouting.db/robot.jpg', 'a photo put in the wrong folder');
    put(roots.uploads ?? '', 'pit/x.lock/notes.txt', 'notes');
    mkdirSync(path.join(roots.uploads ?? '', 'app.db-journal'));
    put(roots.uploads ?? '', 'secrets/key.txt', 'left out on purpose');
    put(roots.uploads ?? '', 'fine/photo.jpg', 'a photo');
    const logger = { info: () => undefined, warn: (detail: object) => warned.push(detail as Record<string, unknown>), error: () => undefined };
    app = makeApp({ roots, uploadRoot: 'uploads', logger, extraDatabasePatterns: ['secrets', 'secrets/**'] });
  });
  afterEach(() => temp.cleanup());

  async function uploadsProblems(): Promise<Problems | undefined> {
    const status = (await request(app).get('/api/sync/status').set(AUTH).expect(200)).body as { fileNameProblems: Problems[] };
    return status.fileNameProblems.find((entry) => entry.root === 'uploads');
  }

  it('lists each such folder in /status, warns once, counts it in /metrics; the listing still leaves it out', async () => {
    for (let scan = 0; scan < 2; scan += 1) {
      // The second scan reads the folders from the watchers' memory: the report must hold there too.
      const listing = (await request(app).get('/api/sync/files/checksums?path=uploads').set(AUTH).expect(200)).body as { files: Array<{ path: string }> };
      expect(listing.files.map((file) => file.path)).toEqual(['fine/photo.jpg']);
      const problems = await uploadsProblems();
      expect(problems?.unsyncableCount).toBe(3);
      expect(problems?.unsyncable.map((entry) => entry.path)).toEqual(['app.db-journal', 'pit/x.lock', 'scouting.db']);
      for (const entry of problems?.unsyncable ?? []) {
        // A *.lock folder is a lock by its name (proper-lockfile makes them), not a database: said so, not "named like an SQLite database".
        expect(entry.reason).toMatch(entry.path.endsWith('.lock') ? /^a folder named \*\.lock, as tools name their locks: .*rename it$/ : /^a folder named like an SQLite database .*rename it$/);
      }
    }
    const lines = warned.filter((line) => line.event === 'files.names_skipped');
    expect(lines).toHaveLength(1);
    const metrics = (await request(app).get('/api/sync/metrics').set(AUTH).expect(200)).text;
    expect(metrics).toContain('express_sqlite_sync_files_unsyncable_names{root="uploads"} 3');
  });

  it("a folder the operator's own extraDatabasePatterns leave out is not reported (control)", async () => {
    await request(app).get('/api/sync/files/checksums?path=uploads').set(AUTH).expect(200);
    const problems = await uploadsProblems();
    expect(problems?.unsyncable.some((entry) => entry.path.startsWith('secrets')) ?? false).toBe(false);
  });
});
