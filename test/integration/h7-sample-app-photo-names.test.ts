import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import { multipart } from '../helpers/multipart';
import { startSampleServer, type SampleServer } from '../helpers/sample-server';

/** The smallest PNG: a 1x1 transparent pixel. */
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==', 'base64');

describe('sample app: a photo is checked under the safe name it is kept as, not the name the phone gave it', () => {
  let server: SampleServer;
  let pitDir: string;
  beforeEach(async () => {
    server = await startSampleServer();
    pitDir = path.join(server.dataDir, 'uploads', 'pit');
  });
  afterEach(async () => {
    await server.close();
  });

  /** Posts the photo form with `filename` exactly as given (Chromium sends `"` as `%22`, which the parser decodes). */
  function upload(filename: string, content: Buffer = PNG): request.Test {
    const { body, contentType } = multipart([{ name: 'file', filename, content }]);
    return request(server.url).post('/photos').set('Content-Type', contentType).send(body);
  }

  it.each([
    ['Team %22254%22.jpg', 'Team-254.jpg'],
    ['Robot?.png', 'Robot.png'],
    ['Pit 10:15.jpeg', 'Pit-10-15.jpeg'],
    ['Why * not.png', 'Why-not.png'],
    ['a <b> | c.webp', 'a-b-c.webp'],
    [`${'ロボット'.repeat(22)}.jpg`, 'photo.jpg'], // 264 bytes of UTF-8: past the 255 a file name may have, but kept short
  ])('stores %j as %s', async (original, stored) => {
    const response = await upload(original);
    expect(response.status).toBe(303);
    expect(response.headers.location).toBe(`/photos?saved=${stored}`);
    expect(readdirSync(pitDir)).toEqual([stored]);
    expect(readFileSync(path.join(pitDir, stored)).equals(PNG)).toBe(true);
  });

  it('still refuses a database by its name, with 403, before anything is kept', async () => {
    const response = await upload('app.db');
    expect(response.status).toBe(403);
    expect(response.text).toContain('DB_FILE_REFUSED');
    expect(readdirSync(pitDir)).toEqual([]);
  });

  it('refuses a file that is no photo (415) with its own name in the message, keeping nothing', async () => {
    const response = await upload('drawing?.svg', Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'));
    expect(response.status).toBe(415);
    expect(response.text).toContain('NOT_A_PHOTO');
    expect(response.text).toContain('&quot;drawing?.svg&quot; is not a photo');
    expect(readdirSync(pitDir)).toEqual([]);
  });
});
