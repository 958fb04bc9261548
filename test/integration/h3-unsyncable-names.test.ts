import { mkdirSync, renameSync, rmSync, utimesSync } from 'node:fs';
import path from 'node:path';
import express from 'express';
import request from 'supertest';
import { NAME_REPORT_LIMIT } from '../../lib/files/name-report';
import { createSyncRouter } from '../../node/create-sync-router';
import { makeRoots, put } from '../helpers/file-roots';
import { captureLog, LEVEL } from '../helpers/log';
import { TEST_TOKEN } from '../helpers/server';
import { tempDir } from '../helpers/temp';

const AUTH = { Authorization: `Bearer ${TEST_TOKEN}` };

interface NameProblems {
  readonly root: string;
  readonly unsyncableCount: number;
  readonly unsyncable: ReadonlyArray<{ readonly path: string; readonly reason: string }>;
}

/** A folder path of more than 1024 characters (five segments of 250), each segment within 255 bytes. */
const LONG_FOLDER = Array.from({ length: 5 }, (_, i) => String(i).repeat(250)).join('/');

// File names that cannot travel (not in NFC, a path over 1024 characters, a reserved or forbidden
// name) were left out of the manifest silently: README said so, but /status, the status page and the
// log did not, so an operator learnt it only when a photo never reached the other laptops.
describe('file names that cannot travel', () => {
  let temp: ReturnType<typeof tempDir>;
  beforeEach(() => {
    temp = tempDir('ess-h3-names-');
  });
  afterEach(() => temp.cleanup());

  it('are counted and the first ones listed in /status, warned of once in the log, and gone from both once renamed', async () => {
    const roots = makeRoots(path.join(temp.dir, 'roots'));
    const uploads = roots.uploads ?? '';
    const old = new Date(Date.now() - 60_000); // outside the racy window: the second scan reuses the watched listing
    put(uploads, 'fine.txt', 'travels');
    const nfd = 'Cafe\u0301.jpg';
    put(uploads, nfd, 'a name in NFD, as macOS writes it');
    put(uploads, 'CON.txt', 'a reserved device name');
    put(uploads, `${LONG_FOLDER}/deep.txt`, 'a path over 1024 characters');
    for (let i = 0; i < NAME_REPORT_LIMIT; i += 1) put(uploads, `photos/e\u0301-${String(i).padStart(2, '0')}.jpg`, 'NFD');
    for (const name of ['fine.txt', 'photos']) utimesSync(path.join(uploads, name), old, old);
    const log = captureLog('info');
    const app = express().use('/api/sync', createSyncRouter({ token: TEST_TOKEN, roots, logger: log.logger }));

    const total = 3 + NAME_REPORT_LIMIT;
    for (let scan = 0; scan < 2; scan += 1) {
      const manifest = (await request(app).get('/api/sync/files/checksums?path=uploads').set(AUTH).expect(200)).body as { files: Array<{ path: string }> };
      expect(manifest.files.map((file) => file.path)).toEqual(['fine.txt']);
      const status = (await request(app).get('/api/sync/status').set(AUTH).expect(200)).body as { fileNameProblems: NameProblems[] };
      expect(status.fileNameProblems).toHaveLength(1);
      const [uploadsReport] = status.fileNameProblems;
      expect(uploadsReport).toMatchObject({ root: 'uploads', unsyncableCount: total });
      expect(uploadsReport?.unsyncable).toHaveLength(NAME_REPORT_LIMIT);
      expect(uploadsReport?.unsyncable).toContainEqual({ path: nfd, reason: 'the path is not in Unicode NFC form' });
      expect(uploadsReport?.unsyncable).toContainEqual({ path: 'CON.txt', reason: '"CON.txt" is a reserved device name' });
      expect(uploadsReport?.unsyncable).toContainEqual({ path: LONG_FOLDER.split('/').slice(0, 5).join('/'), reason: expect.stringMatching(/over 1024/) as unknown as string });
    }
    const warned = log.events('files.names_skipped');
    expect(warned).toHaveLength(1); // once, not once per scan
    expect(warned[0]).toMatchObject({ level: LEVEL.warn, root: 'uploads', count: total, newCount: total });
    expect(warned[0]?.names).toHaveLength(5);

    // One more bad name: one more line, about it alone.
    put(uploads, 'tab\there.txt', 'a control character');
    await request(app).get('/api/sync/files/checksums?path=uploads').set(AUTH).expect(200);
    expect(log.events('files.names_skipped').map((line) => [line.count, line.newCount, line.names])).toEqual([
      [total, total, expect.any(Array)],
      [total + 1, 1, ['tab\there.txt']],
    ]);

    // A scan of one folder is not the root's whole story: it replaces nothing.
    await request(app).get('/api/sync/files/checksums?path=uploads/photos').set(AUTH).expect(200);
    expect(((await request(app).get('/api/sync/status').set(AUTH)).body as { fileNameProblems: NameProblems[] }).fileNameProblems[0]?.unsyncableCount).toBe(total + 1);

    // Renamed or removed: the next scan of the root clears the report.
    renameSync(path.join(uploads, nfd), path.join(uploads, nfd.normalize('NFC')));
    for (const name of ['CON.txt', 'tab\there.txt', 'photos', LONG_FOLDER.split('/')[0] ?? '']) rmSync(path.join(uploads, name), { recursive: true });
    mkdirSync(path.join(uploads, 'photos'));
    const manifest = (await request(app).get('/api/sync/files/checksums?path=uploads').set(AUTH).expect(200)).body as { files: Array<{ path: string }> };
    expect(manifest.files.map((file) => file.path).sort()).toEqual(['Café.jpg', 'fine.txt']);
    expect(((await request(app).get('/api/sync/status').set(AUTH)).body as { fileNameProblems: NameProblems[] }).fileNameProblems).toEqual([]);
    expect(log.events('files.names_skipped')).toHaveLength(2);
  });
});
