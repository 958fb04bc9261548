import type http from 'node:http';
import path from 'node:path';
import { readdirSync } from 'node:fs';
import { continueOnlyWhenRead } from '../../index';
import { expectContinue } from '../helpers/h4-expect-continue';
import { makeRoots } from '../helpers/file-roots';
import { multipart } from '../helpers/multipart';
import { makeApp, startServer, TEST_TOKEN, type TestServer } from '../helpers/server';
import { tempDir } from '../helpers/temp';

/**
 * Node answers `Expect: 100-continue` with `100 Continue` before the app sees
 * the request, so a refused upload's client sent its whole body anyway.
 * With continueOnlyWhenRead(server), a refusal made before the body is read
 * (the 403 for a database path, the 401 for a missing token) comes first and
 * alone; an accepted upload still gets 100 Continue, then its 201.
 */
describe('Expect: 100-continue with continueOnlyWhenRead', () => {
  let temp: ReturnType<typeof tempDir>;
  let roots: Record<string, string>;
  let server: TestServer;
  const file = multipart([{ name: 'file', filename: 'notes.txt', content: 'plain text' }]);

  beforeEach(async () => {
    temp = tempDir('ess-h4-continue-');
    roots = makeRoots(temp.dir);
    server = await startServer(makeApp({ roots }));
  });
  afterEach(async () => {
    await server.close();
    temp.cleanup();
  });

  it('without it (Node\'s default), a refused upload is sent 100 Continue first', async () => {
    const seen = await expectContinue(server.port, '/api/sync/files/upload?path=uploads/app.db', TEST_TOKEN, file.body, file.contentType);
    expect(seen.first).toBe(100);
    expect(seen.final).toBe(403);
  });

  it('a database path: 403 DB_FILE_REFUSED with no 100 Continue, nothing written', async () => {
    continueOnlyWhenRead(server.server);
    const seen = await expectContinue(server.port, '/api/sync/files/upload?path=uploads/app.db', TEST_TOKEN, file.body, file.contentType);
    expect(seen.first).toBe(403);
    expect(seen.answer).not.toContain('100 Continue');
    expect(seen.answer).toContain('DB_FILE_REFUSED');
    expect(readdirSync(path.join(temp.dir, 'uploads'))).toEqual([]);
  });

  it('no token: 401 with no 100 Continue', async () => {
    continueOnlyWhenRead(server.server);
    const seen = await expectContinue(server.port, '/api/sync/files/upload?path=uploads/notes.txt', undefined, file.body, file.contentType);
    expect(seen.first).toBe(401);
    expect(seen.answer).toContain('UNAUTHORIZED');
  });

  it('an accepted upload: 100 Continue, then 201 (installed twice: one listener)', async () => {
    continueOnlyWhenRead(server.server);
    continueOnlyWhenRead(server.server);
    expect(server.server.listenerCount('checkContinue')).toBe(1);
    const seen = await expectContinue(server.port, '/api/sync/files/upload?path=uploads/notes.txt', TEST_TOKEN, file.body, file.contentType);
    expect([seen.first, seen.final]).toEqual([100, 201]);
    expect(readdirSync(path.join(temp.dir, 'uploads'))).toEqual(['notes.txt']);
  });

  it('refuses what is not a server', () => {
    expect(() => continueOnlyWhenRead({} as http.Server)).toThrow(TypeError);
  });
});
