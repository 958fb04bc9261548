import { symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import { startSampleServer, type SampleServer } from '../helpers/sample-server';

// Found by helper ac3: the photo page served a symbolic link in uploads/pit/ to a file
// named like a database (`robot.jpg -> robot.db`, a database SQLite's header does not
// give away: SQLCipher's is random bytes), as the sync API's download did; both refuse
// the name a link leads to now, as the name itself.
describe('sample app: a photo that is a link to a database name', () => {
  let server: SampleServer;
  beforeEach(async () => {
    server = await startSampleServer();
    const pit = path.join(server.dataDir, 'uploads', 'pit');
    writeFileSync(path.join(pit, 'robot.db'), Buffer.from('8f3a1c9e5b7d2f40a6c8e1b3d5f7092c', 'hex'));
    symlinkSync('robot.db', path.join(pit, 'robot.jpg'));
    writeFileSync(path.join(pit, 'arm.jpg'), 'a photo');
    symlinkSync('arm.jpg', path.join(pit, 'arm-link.jpg'));
  });
  afterEach(async () => {
    await server.close();
  });

  it('GET /photos/file/robot.jpg is 404, the bytes behind it never sent', async () => {
    const response = await request(server.url).get('/photos/file/robot.jpg');
    expect(response.status).toBe(404);
    expect(response.headers['content-type']).not.toBe('image/jpeg');
  });

  it('a link to a photo of another name is still shown', async () => {
    const response = await request(server.url).get('/photos/file/arm-link.jpg').buffer(true);
    expect(response.status).toBe(200);
    expect(Buffer.from(response.body as Buffer).toString()).toBe('a photo');
  });
});
