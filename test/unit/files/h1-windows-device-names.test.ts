import path from 'node:path';
import request from 'supertest';
import { isSyncableName, parseSyncPath } from '../../../lib/files/safe-path';
import { SyncError } from '../../../lib/sync-error';
import { makeRoots, treeDigest } from '../../helpers/file-roots';
import { multipart } from '../../helpers/multipart';
import { makeApp, startServer, TEST_TOKEN } from '../../helpers/server';
import { tempDir } from '../../helpers/temp';

/**
 * Windows opens a device, not a file, for every reserved name: CON, PRN, AUX,
 * NUL, COM0-9 and LPT0-9, also with the superscript digits ¹ ² ³ (which it
 * takes for digits), CONIN$ and CONOUT$, with any extension, and with spaces
 * before the extension (`nul .txt`). A file under such a name, stored on a
 * Linux server, would fail on every round on a Windows peer.
 */
const DEVICE_NAMES = ['COM¹', 'com².txt', 'LPT³', 'lpt¹.log', 'CONIN$', 'conout$.txt', 'con .txt', 'NUL  .tar.gz', 'aux ', 'COM1', 'lpt9.txt', 'prn.json'];

describe('Windows device names', () => {
  it.each(DEVICE_NAMES)('%j is refused as a path segment (BAD_PATH) and does not sync', (name) => {
    let caught: unknown;
    try {
      parseSyncPath(`uploads/${name}`);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(SyncError);
    expect((caught as SyncError).code).toBe('BAD_PATH');
    expect(isSyncableName(name)).toBe(false);
  });

  it.each(['COM10.txt', 'console.log', 'com.txt', 'lpt.txt', 'conin.txt', 'nullable.json', 'COM¹0', 'auxiliary', 'CON-2024.txt'])('%j, not a device, still syncs', (name) => {
    expect(parseSyncPath(`uploads/${name}`)).toEqual({ root: 'uploads', segments: [name] });
    expect(isSyncableName(name)).toBe(true);
  });

  it('an upload named COM¹ is 400 BAD_PATH, nothing stored', async () => {
    const temp = tempDir();
    const roots = makeRoots(path.join(temp.dir, 'data'));
    const server = await startServer(makeApp({ roots }));
    try {
      const before = treeDigest(temp.dir);
      const { body, contentType } = multipart([{ name: 'file', filename: 'COM¹', content: 'x' }]);
      const response = await request(server.url).post('/api/sync/files/upload').set('Authorization', `Bearer ${TEST_TOKEN}`).set('Content-Type', contentType).send(body);
      expect(response.status).toBe(400);
      expect((response.body as { error: { code: string } }).error.code).toBe('BAD_PATH');
      expect(treeDigest(temp.dir)).toBe(before);
    } finally {
      await server.close();
      temp.cleanup();
    }
  });
});
