import { rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import { startSampleServer, type SampleServer } from '../helpers/sample-server';

describe('sample app: a file where the uploads/pit/ folder should be', () => {
  let server: SampleServer;
  beforeEach(async () => {
    server = await startSampleServer();
    const pit = path.join(server.dataDir, 'uploads', 'pit');
    rmSync(pit, { recursive: true, force: true });
    writeFileSync(pit, 'not a folder');
  });
  afterEach(async () => {
    await server.close();
  });

  it('GET /photos says so (409 ROOT_MISSING, what to do), as uploading and showing a photo do, not 500 "Something went wrong"', async () => {
    const response = await request(server.url).get('/photos');
    expect(response.status).toBe(409);
    expect(response.text).toContain('<h1>Cannot show this</h1>');
    expect(response.text).toContain('is a file on this server, not a folder');
    expect(response.text).toContain('409 ROOT_MISSING');
    const photo = await request(server.url).get('/photos/file/a.jpg');
    expect(photo.status).toBe(409);
  });

  it('GET /photos still lists nothing when the folder is only missing (a sync removes a folder it emptied)', async () => {
    rmSync(path.join(server.dataDir, 'uploads', 'pit'));
    const response = await request(server.url).get('/photos').expect(200);
    expect(response.text).toContain('No pit photos yet.');
  });
});
