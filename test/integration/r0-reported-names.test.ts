import { readFileSync } from 'node:fs';
import path from 'node:path';
import express from 'express';
import request from 'supertest';
import { silentLogger } from '../../lib/logger';
import { createSyncRouter } from '../../node/create-sync-router';
import { makeRoots, put } from '../helpers/file-roots';
import { multipart } from '../helpers/multipart';
import { TEST_TOKEN } from '../helpers/server';
import { tempDir } from '../helpers/temp';

const AUTH = { Authorization: `Bearer ${TEST_TOKEN}` };

interface NameProblems {
  readonly root: string;
  readonly unsyncable: ReadonlyArray<{ readonly path: string; readonly reason: string }>;
}

// Helper r1's finds: a user's file or folder whose name merely holds ".sync-tmp-" (the temp files' marker)
// was skipped as a temp file, and a name that shows nothing (U+200B alone, a combining mark alone) was taken
// for a database name: both were left out of every listing with nothing said, so a folder of photos stayed
// on one laptop. Routes answered 403 DB_FILE_REFUSED ("an SQLite database file name") for the second.
// Now both are reported in fileNameProblems, and routes refuse a name that shows nothing as 400 BAD_PATH.
describe('names that cannot travel and used to be left out silently', () => {
  let temp: ReturnType<typeof tempDir>;
  let roots: Record<string, string>;
  let app: express.Express;
  beforeEach(() => {
    temp = tempDir('ess-r0-names-');
    roots = makeRoots(path.join(temp.dir, 'roots'));
    app = express().use('/api/sync', createSyncRouter({ token: TEST_TOKEN, roots, logger: silentLogger }));
  });
  afterEach(() => temp.cleanup());

  async function problems(root: string): Promise<NameProblems | undefined> {
    await request(app).get(`/api/sync/files/checksums?path=${root}`).set(AUTH).expect(200);
    const status = (await request(app).get('/api/sync/status').set(AUTH).expect(200)).body as { fileNameProblems: NameProblems[] };
    return status.fileNameProblems.find((report) => report.root === root);
  }

  it('reports a name holding the temp marker, file or folder, and still removes nothing of it', async () => {
    const uploads = roots.uploads as string;
    put(uploads, 'notes.sync-tmp-draft.txt', 'a draft');
    put(uploads, 'photos.sync-tmp-backup/team971.jpg', 'a photo');
    put(uploads, 'visible.txt', 'travels');
    // Reviewer s1: an older version's temp file, and a database whose name holds the marker, are no names to fix.
    put(uploads, '.old.jpg.sync-tmp-0123abcd', 'an earlier version left it');
    put(uploads, 'backup.sync-tmp-2019.db', 'a database by its name');
    const manifest = (await request(app).get('/api/sync/files/checksums?path=uploads').set(AUTH).expect(200)).body as { files: Array<{ path: string }> };
    expect(manifest.files.map((file) => file.path)).toEqual(['visible.txt']);
    const report = await problems('uploads');
    expect(report?.unsyncable).toEqual(
      expect.arrayContaining([
        { path: 'notes.sync-tmp-draft.txt', reason: expect.stringContaining('.sync-tmp-') as unknown as string },
        { path: 'photos.sync-tmp-backup', reason: expect.stringContaining('.sync-tmp-') as unknown as string },
      ]),
    );
    expect(report?.unsyncable).toHaveLength(2);
    await request(app).get('/api/sync/files/checksums?path=uploads').set(AUTH).expect(200);
    expect(readFileSync(path.join(uploads, 'notes.sync-tmp-draft.txt'), 'utf8')).toBe('a draft');
    expect(readFileSync(path.join(uploads, 'photos.sync-tmp-backup', 'team971.jpg'), 'utf8')).toBe('a photo');
  });

  it('reports a name that shows nothing, and routes refuse it as BAD_PATH, not as a database', async () => {
    const files = roots.static as string;
    put(files, '\u200b', 'zero-width space alone');
    put(files, '\u0301/notes.txt', 'in a folder named by a combining mark');
    const report = await problems('static');
    expect(report?.unsyncable.map((entry) => entry.path).sort()).toEqual(['\u0301', '\u200b'].sort());
    for (const entry of report?.unsyncable ?? []) expect(entry.reason).toMatch(/shows no character|NFC/);
    for (const name of ['%E2%80%8B', '%C2%AD', '%E2%81%A0']) {
      const answer = await request(app).get(`/api/sync/files/download?path=static/${name}`).set(AUTH).expect(400);
      expect(answer.body).toMatchObject({ error: { code: 'BAD_PATH' } });
    }
    const { body, contentType } = multipart([{ name: 'file', filename: ' ', content: 'blank name' }]);
    const upload = await request(app).post('/api/sync/files/upload').set(AUTH).set('Content-Type', contentType).send(body).expect(400);
    expect(upload.body).toMatchObject({ error: { code: 'BAD_PATH' } });
    // Database names hidden by such characters are still databases.
    const hidden = await request(app).get('/api/sync/files/download?path=static/app.db%E2%80%8B').set(AUTH).expect(403);
    expect(hidden.body).toMatchObject({ error: { code: 'DB_FILE_REFUSED' } });
  });
});
