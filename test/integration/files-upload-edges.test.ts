import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { makeRoots } from '../helpers/file-roots';
import { makeApp, startServer, TEST_TOKEN, type TestServer } from '../helpers/server';
import { tempDir } from '../helpers/temp';

const AUTH = { Authorization: `Bearer ${TEST_TOKEN}` };

describe('uploads at the edges: races on a new file', () => {
  let temp: ReturnType<typeof tempDir>;
  let roots: Record<string, string>;
  let server: TestServer;

  beforeEach(async () => {
    temp = tempDir();
    roots = makeRoots(path.join(temp.dir, 'data'));
    server = await startServer(makeApp({ roots }));
  });
  afterEach(async () => {
    await server.close();
    temp.cleanup();
  });

  async function upload(clientPath: string, content: string, fields: Record<string, string> = {}): Promise<{ status: number; body: unknown }> {
    const form = new FormData();
    for (const [name, value] of Object.entries(fields)) form.append(name, value);
    form.append('file', new Blob([content]), 'x.txt');
    const response = await fetch(`${server.url}/api/sync/files/upload?path=${encodeURIComponent(clientPath)}`, { method: 'POST', headers: AUTH, body: form });
    return { status: response.status, body: await response.json() };
  }

  it('answers 200 or 201 to every one of many uploads racing to create the same new file, never a 400 about a symlink', async () => {
    const answers: Array<{ status: number; body: unknown }> = [];
    for (let round = 0; round < 15; round += 1) {
      answers.push(...(await Promise.all(Array.from({ length: 20 }, (_, index) => upload(`uploads/new-${round}.txt`, `v${index}`)))));
    }
    expect(answers.filter((answer) => answer.status !== 200 && answer.status !== 201)).toEqual([]);
    expect(existsSync(path.join(roots.uploads ?? '', 'new-0.txt'))).toBe(true);
  });

  it.each([
    ['a hash mismatch (422)', 'uploads/new-a/new-b/photo.jpg', { sha256: 'f'.repeat(64) }, 422],
    ['a failed if_match (412)', 'config/new-c/new-d/event.json', { if_match: 'e'.repeat(64) }, 412],
  ])('removes the folders a refused upload made for it: %s', async (_case, clientPath, fields, status) => {
    mkdirSync(path.join(roots.uploads ?? '', 'kept'));
    expect((await upload(clientPath, 'bytes', fields)).status).toBe(status);
    expect(readdirSync(roots.uploads ?? '')).toEqual(['kept']);
    expect(readdirSync(roots.config ?? '')).toEqual([]);
    expect((await upload('uploads/kept/x.txt', 'bytes', fields)).status).toBe(status);
    expect(readdirSync(path.join(roots.uploads ?? '', 'kept'))).toEqual([]); // a folder that was there stays
  });
});
