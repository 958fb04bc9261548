import { readdirSync } from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import { multipart } from '../helpers/multipart';
import { startSampleServer, type SampleServer } from '../helpers/sample-server';

/** The smallest PNG: a 1x1 transparent pixel. */
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==', 'base64');

/**
 * The photo form keeps a photo under a safe name it makes from the phone's
 * (`Robot arm (2).JPG` → `Robot-arm-2.jpg`). A photo whose stem is a Windows
 * device name (`aux.jpg`, an auxiliary view; `Con 2.png`; `COM¹.jpg`) is a
 * name the phone's file has, not a bad path: it is kept under a safe name too,
 * never refused with BAD_PATH.
 */
describe('sample app: a photo named like a Windows device', () => {
  let server: SampleServer;
  let pitDir: string;
  beforeEach(async () => {
    server = await startSampleServer();
    pitDir = path.join(server.dataDir, 'uploads', 'pit');
  });
  afterEach(async () => {
    await server.close();
  });

  it.each([
    ['aux.jpg', 'aux-photo.jpg'],
    ['NUL.PNG', 'NUL-photo.png'],
    ['con.png', 'con-photo.png'],
    ['con .jpeg', 'con-photo.jpeg'],
    ['COM¹.jpg', 'COM1-photo.jpg'],
    ['lpt3.webp', 'lpt3-photo.webp'],
  ])('stores %j as %s', async (original, stored) => {
    const { body, contentType } = multipart([{ name: 'file', filename: original, content: PNG }]);
    const response = await request(server.url).post('/photos').set('Content-Type', contentType).send(body);
    expect(response.status).toBe(303);
    expect(response.headers.location).toBe(`/photos?saved=${stored}`);
    expect(readdirSync(pitDir)).toEqual([stored]);
  });

  it('a name that only starts like one is kept as it is', async () => {
    const { body, contentType } = multipart([{ name: 'file', filename: 'auxiliary.jpg', content: PNG }]);
    const response = await request(server.url).post('/photos').set('Content-Type', contentType).send(body);
    expect(response.headers.location).toBe('/photos?saved=auxiliary.jpg');
  });
});
