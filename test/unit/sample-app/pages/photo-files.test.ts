import { createFilePolicy } from '../../../../lib/files/file-policy';
import { listPhotos, photoStoredName } from '../../../../sample-app/pages/photo-files';
import { put } from '../../../helpers/file-roots';
import { tempDir } from '../../../helpers/temp';

describe('pit photo files', () => {
  it.each([
    ['IMG_0001.JPG', 'IMG_0001.jpg'],
    ['robot arm.png', 'robot-arm.png'],
    ['dir/inner.gif', 'inner.gif'],
    ['..\\..\\evil.webp', 'evil.webp'],
    ['x'.repeat(300) + '.jpg', 'x'.repeat(80) + '.jpg'],
    ['-.jpg', 'photo.jpg'],
  ])('stores %j as %j', (original, stored) => {
    expect(photoStoredName(original)).toBe(stored);
  });

  it.each(['notes.txt', 'app.db', 'robot.svg', 'robot.jpg.exe', 'noextension'])('refuses %j as not a photo (415)', (name) => {
    expect(() => photoStoredName(name)).toThrow(expect.objectContaining({ code: 'NOT_A_PHOTO', status: 415 }));
  });

  it('lists the files of the folder by name, without temp, hidden, database files or folders', async () => {
    const temp = tempDir();
    try {
      put(temp.dir, 'b.jpg', 'bb');
      put(temp.dir, 'a.png', 'a');
      put(temp.dir, '.hidden.jpg', 'h');
      put(temp.dir, '.c.jpg.sync-tmp-0123', 't');
      put(temp.dir, 'app.db', 'd');
      put(temp.dir, 'sub/d.jpg', 'd');
      const photos = await listPhotos(temp.dir, createFilePolicy());
      expect(photos.map((photo) => [photo.name, photo.size])).toEqual([
        ['a.png', 1],
        ['b.jpg', 2],
      ]);
    } finally {
      temp.cleanup();
    }
  });

  it('lists nothing for a folder that does not exist yet', async () => {
    await expect(listPhotos('/nonexistent/folder/for/sure', createFilePolicy())).resolves.toEqual([]);
  });
});
