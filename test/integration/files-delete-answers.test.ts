import { existsSync } from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import { makeRoots, put } from '../helpers/file-roots';
import { makeApp, startServer, TEST_TOKEN, type TestServer } from '../helpers/server';
import { tempDir } from '../helpers/temp';

const AUTH = { Authorization: `Bearer ${TEST_TOKEN}` };
const ZEROS = '0'.repeat(64);

/** What `DELETE /files` answers when it deletes nothing. */
describe('DELETE /files refusals', () => {
  let temp: ReturnType<typeof tempDir>;
  let uploads: string;
  let server: TestServer;

  beforeEach(async () => {
    temp = tempDir();
    const roots = makeRoots(path.join(temp.dir, 'data'));
    uploads = roots.uploads ?? '';
    put(uploads, 'a.txt', 'hello');
    server = await startServer(makeApp({ roots }));
  });

  afterEach(async () => {
    await server.close();
    temp.cleanup();
  });

  it('a failed precondition says nothing was deleted (not "written")', async () => {
    const answer = await request(server.url).delete(`/api/sync/files?path=uploads/a.txt&if_match=${ZEROS}`).set(AUTH);
    expect(answer.status).toBe(412);
    expect(answer.body).toEqual({ error: { code: 'PRECONDITION_FAILED', message: expect.stringMatching(/nothing was deleted$/) } });
    expect(existsSync(path.join(uploads, 'a.txt'))).toBe(true);
  });
});
