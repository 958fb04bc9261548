import { existsSync, lstatSync, mkdirSync, readFileSync, symlinkSync } from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import { syncRoot } from '../../lib/peers/file-exchange';
import { put, tempFilesUnder } from '../helpers/file-roots';
import { openFileLink, type FileLink } from '../helpers/file-link';
import { TEST_TOKEN } from '../helpers/server';

// Found by helper af4: a peer's file pulled here replaces a folder that holds only empty folders
// (file-sync-empty-folder-tree), but the same file pushed by the peer was refused by this server's
// upload route with 409 PATH_CONFLICT "is a folder here": the round of the server that pushes failed
// for that file every time, and for good on a server that runs no round of its own (a cloud server
// without SYNC_PEERS that laptops push to). The upload now treats such a tree as the pull does.
describe('an upload onto a folder that holds only empty folders', () => {
  let sides: FileLink;
  let here: string;
  let there: string;

  beforeEach(async () => {
    sides = await openFileLink();
    here = sides.here.uploads ?? '';
    there = sides.there.uploads ?? '';
  });

  afterEach(() => sides.close());

  const upload = (target: string, content: string): request.Test =>
    request(sides.server.url).post(`/api/sync/files/upload?path=${encodeURIComponent(target)}`).set('Authorization', `Bearer ${TEST_TOKEN}`).attach('file', Buffer.from(content), 'x.bin');

  it('a push replaces the tree, as a pull does', async () => {
    mkdirSync(path.join(there, 'ef/sub/deeper'), { recursive: true });
    mkdirSync(path.join(there, 'ef/other'));
    put(here, 'ef', 'a file on a');

    const round = await syncRoot(sides.files, sides.link, 'uploads');
    expect(round.errors).toEqual([]);
    expect(readFileSync(path.join(there, 'ef'), 'utf8')).toBe('a file on a');
    expect((await syncRoot(sides.files, sides.link, 'uploads')).errors).toEqual([]);
  });

  it('the upload route answers 201 (a new file) and leaves no temp file', async () => {
    mkdirSync(path.join(there, 'photos/2026/day1'), { recursive: true });
    const answer = await upload('uploads/photos', 'photo bytes');
    expect(answer.status).toBe(201);
    expect(answer.body).toEqual(expect.objectContaining({ path: 'uploads/photos', replaced: false }));
    expect(readFileSync(path.join(there, 'photos'), 'utf8')).toBe('photo bytes');
    expect(tempFilesUnder(there)).toEqual([]);
  });

  it.each([
    ['a file deep inside', (): void => void put(there, 'photos/2026/day1/robot.jpg', 'kept')],
    ['a symlink inside', (): void => (mkdirSync(path.join(there, 'photos/2026'), { recursive: true }), symlinkSync('../../elsewhere', path.join(there, 'photos/2026/link')))],
  ])('a folder with %s is still 409 PATH_CONFLICT, nothing removed or written', async (_name, arrange) => {
    arrange();
    const answer = await upload('uploads/photos', 'photo bytes');
    expect(answer.status).toBe(409);
    expect(answer.body).toEqual({ error: { code: 'PATH_CONFLICT', message: expect.stringContaining('uploads/photos') } });
    expect(lstatSync(path.join(there, 'photos')).isDirectory()).toBe(true);
    expect(existsSync(path.join(there, 'photos/2026'))).toBe(true);
    expect(tempFilesUnder(there)).toEqual([]);
  });

  it('a symlink to an empty folder is never removed (409, the link and its folder kept)', async () => {
    mkdirSync(path.join(there, 'empty'));
    symlinkSync('empty', path.join(there, 'photos'));
    const answer = await upload('uploads/photos', 'photo bytes');
    expect(answer.status).toBe(409);
    expect(lstatSync(path.join(there, 'photos')).isSymbolicLink()).toBe(true);
    expect(lstatSync(path.join(there, 'empty')).isDirectory()).toBe(true);
  });

  it('a failed if_match keeps the empty folders (nothing changes for a refused upload)', async () => {
    mkdirSync(path.join(there, 'photos/2026'), { recursive: true });
    const answer = await upload('uploads/photos', 'photo bytes').field('if_match', 'a'.repeat(64));
    expect(answer.status).toBe(412);
    expect(lstatSync(path.join(there, 'photos/2026')).isDirectory()).toBe(true);
  });
});
