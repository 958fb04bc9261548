import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import { InProcessSampleApps } from '../helpers/in-process-sample-apps';
import { startSampleServer, type SampleServer } from '../helpers/sample-server';
import { TEST_TOKEN } from '../helpers/server';
import { tempDir } from '../helpers/temp';

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

/**
 * A file named `uploads/pit` comes from a peer (uploaded there through the sync API, which replaces the empty
 * `pit` folder as it replaces any empty folder tree, then synced to every server). The app kept running, its
 * photo pages saying so; but its next start stopped, "roots.pit … is a file, not a folder", so every server of
 * the fleet failed at its next restart, its sync with the others included, over one file. It starts now, and the
 * photo pages say what to do, as they do for a file that arrives while it runs.
 */
describe('sample app: a file where the uploads/pit/ folder should be, at start', () => {
  let temp: ReturnType<typeof tempDir>;
  let apps: InProcessSampleApps;
  beforeEach(() => {
    temp = tempDir('ess-aj5-pit-file-');
    apps = new InProcessSampleApps(() => temp.dir);
  });
  afterEach(async () => {
    await apps.closeAll();
    temp.cleanup();
  });

  it('the app starts; GET /photos says so (409 ROOT_MISSING), and a photo is saved once the folder is back', async () => {
    const pit = path.join(temp.dir, 'a', 'uploads', 'pit');
    mkdirSync(path.dirname(pit), { recursive: true });
    writeFileSync(pit, 'a file a peer uploaded under this name');
    const app = await apps.start('a');
    const response = await request(app.url).get('/photos');
    expect(response.status).toBe(409);
    expect(response.text).toContain('is a file on this server, not a folder');
    await request(app.url).get('/api/sync/status').set('Authorization', `Bearer ${TEST_TOKEN}`).expect(200);
    rmSync(pit);
    const upload = await request(app.url).post('/photos').attach('file', Buffer.from('GIF89a'), 'robot.gif');
    expect(upload.status).toBe(303);
    expect(readFileSync(path.join(pit, 'robot.gif'), 'utf8')).toBe('GIF89a');
  });
});

/**
 * An operator links `uploads/pit` to a bigger disk (`ln -s /media/usb/photos data/uploads/pit`). The file sync
 * never follows a link to a folder, so every photo saved through the page stayed on that disk, never reaching a
 * peer, while the page answered "Saved" and said photos sync to every server. The pages say what to do instead.
 */
describe('sample app: uploads/pit is a symbolic link', () => {
  let server: SampleServer;
  let elsewhere: ReturnType<typeof tempDir>;
  beforeEach(async () => {
    server = await startSampleServer();
    elsewhere = tempDir('ess-an3-pit-link-');
    writeFileSync(path.join(elsewhere.dir, 'old.gif'), 'GIF89a');
    const pit = path.join(server.dataDir, 'uploads', 'pit');
    rmSync(pit, { recursive: true, force: true });
    symlinkSync(elsewhere.dir, pit);
  });
  afterEach(async () => {
    await server.close();
    elsewhere.cleanup();
  });

  it('upload, list and photo are 409 PIT_FOLDER_LINKED, saying to make it a folder; nothing is written through the link', async () => {
    const upload = await request(server.url).post('/photos').attach('file', Buffer.from('GIF89a'), 'robot.gif');
    const list = await request(server.url).get('/photos');
    const photo = await request(server.url).get('/photos/file/old.gif');
    expect([upload.status, list.status, photo.status]).toEqual([409, 409, 409]);
    for (const response of [upload, list, photo]) expect(response.text).toContain('409 PIT_FOLDER_LINKED');
    expect(upload.text).toContain('uploads/pit is a symbolic link on this server, not a folder');
    expect(readdirSync(elsewhere.dir)).toEqual(['old.gif']);
  });

  it('once uploads/pit is a folder again, a photo is saved', async () => {
    const pit = path.join(server.dataDir, 'uploads', 'pit');
    rmSync(pit);
    renameSync(elsewhere.dir, pit);
    mkdirSync(elsewhere.dir); // for the clean-up
    await request(server.url).post('/photos').attach('file', Buffer.from('GIF89a'), 'robot.gif').expect(303);
    expect(readdirSync(pit).sort()).toEqual(['old.gif', 'robot.gif']);
  });
});
