import { execFileSync } from 'node:child_process';
import { lstatSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import { openFileLink, type FileLink } from '../helpers/file-link';
import { tempFilesUnder } from '../helpers/file-roots';
import { TEST_TOKEN } from '../helpers/server';

/** Whether `chattr +i` works here (root on ext4): the one way to make a folder unchangeable for root too. */
function canMakeImmutable(folder: string): boolean {
  try {
    execFileSync('chattr', ['+i', folder], { stdio: 'ignore' });
    execFileSync('chattr', ['-i', folder], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

// Found by review af6: since 78dc8c5 an upload onto a folder of only empty folders removes them; when
// this server may not remove them (a read-only disk, another user's folder, an immutable one), the
// upload said 409 "is a folder here that holds files or links", which it does not hold: the pushing
// server's operator went looking for files. It is now 507 STORAGE_NOT_WRITABLE, as any other write
// this server may not make, and nothing is removed or written.
describe('af6: an upload onto empty folders this server may not remove', () => {
  let sides: FileLink;
  let there: string;

  beforeEach(async () => {
    sides = await openFileLink();
    there = sides.there.uploads ?? '';
  });

  afterEach(() => {
    try {
      execFileSync('chattr', ['-i', path.join(there, 'photos')], { stdio: 'ignore' });
    } catch {
      // not made immutable
    }
    return sides.close();
  });

  it('is 507 STORAGE_NOT_WRITABLE naming the path, not a folder that holds files', async () => {
    mkdirSync(path.join(there, 'photos/2026'), { recursive: true });
    if (!canMakeImmutable(path.join(there, 'photos'))) return; // no chattr here: nothing to show
    execFileSync('chattr', ['+i', path.join(there, 'photos')]);
    const answer = await request(sides.server.url).post('/api/sync/files/upload?path=uploads%2Fphotos').set('Authorization', `Bearer ${TEST_TOKEN}`).attach('file', Buffer.from('photo bytes'), 'x.bin');
    expect(answer.status).toBe(507);
    expect(answer.body).toEqual({ error: { code: 'STORAGE_NOT_WRITABLE', message: expect.stringContaining('uploads/photos') } });
    expect(lstatSync(path.join(there, 'photos/2026')).isDirectory()).toBe(true);
    expect(tempFilesUnder(there)).toEqual([]);
  });
});
