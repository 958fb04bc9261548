import { existsSync, linkSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import { put, treeDigest } from '../helpers/file-roots';
import { multipart } from '../helpers/multipart';
import { startSampleServer, type SampleServer } from '../helpers/sample-server';

/** The smallest PNG: a 1x1 transparent pixel. */
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==', 'base64');

describe('sample app pit photos page', () => {
  let server: SampleServer;
  let pitDir: string;

  beforeEach(async () => {
    server = await startSampleServer();
    pitDir = path.join(server.dataDir, 'uploads', 'pit');
  });
  afterEach(async () => {
    await server.close();
  });

  it('saves an uploaded photo in uploads/pit/, lists it and serves it', async () => {
    const upload = await request(server.url).post('/photos').attach('file', PNG, 'robot.png');
    expect(upload.status).toBe(303);
    expect(upload.headers.location).toBe('/photos?saved=robot.png');
    expect(readFileSync(path.join(pitDir, 'robot.png')).equals(PNG)).toBe(true);
    const page = await request(server.url).get(upload.headers.location ?? '');
    expect(page.text).toContain('Saved uploads/pit/robot.png.');
    expect(page.text).toContain('<a href="/photos/file/robot.png">robot.png</a>');
    const photo = await request(server.url).get('/photos/file/robot.png');
    expect(photo.status).toBe(200);
    expect(photo.type).toBe('image/png');
    expect(Buffer.from(photo.body as Buffer).equals(PNG)).toBe(true);
  });

  it.each([
    ['Robot arm (2).PNG', 'Robot-arm-2.png'],
    ['.hidden.jpg', 'hidden.jpg'],
    ['été à l’usine.jpeg', 'ete-a-l-usine.jpeg'],
    ['%2e%2e.png', '2e-2e.png'],
    ['(((.webp', 'photo.webp'],
  ])('stores %j under a safe name (%s)', async (original, stored) => {
    const upload = await request(server.url).post('/photos').attach('file', PNG, original);
    expect(upload.status).toBe(303);
    expect(readdirSync(pitDir)).toEqual([stored]);
  });

  it('a ?path= sent to the form leaves no folder behind: the photo is named by the server (the folders made for its temp file stayed)', async () => {
    const upload = await request(server.url).post('/photos?path=pit/sub/deeper/x.png').attach('file', PNG, 'robot.png');
    expect(upload.status).toBe(303);
    expect(readdirSync(pitDir)).toEqual(['robot.png']);
  });

  it('never replaces another photo of the same name (every phone names its pictures image.jpg): the next gets -2, -3', async () => {
    put(pitDir, 'image.png', 'the first scout’s photo');
    const second = await request(server.url).post('/photos').attach('file', PNG, 'image.png').expect(303);
    expect(second.headers.location).toBe('/photos?saved=image-2.png');
    const third = await request(server.url).post('/photos').attach('file', Buffer.concat([PNG, Buffer.from('x')]), 'image.png').expect(303);
    expect(third.headers.location).toBe('/photos?saved=image-3.png');
    expect(readFileSync(path.join(pitDir, 'image.png'), 'utf8')).toBe('the first scout’s photo');
    expect(readFileSync(path.join(pitDir, 'image-2.png')).equals(PNG)).toBe(true);
  });

  it('keeps every one of several different photos sent at once under one name, and passes over a folder of that name', async () => {
    mkdirSync(path.join(pitDir, 'race.png'), { recursive: true });
    const photos = [0, 1, 2, 3].map((i) => Buffer.concat([PNG, Buffer.from(`#${i}`)]));
    const answers = await Promise.all(photos.map((photo) => request(server.url).post('/photos').attach('file', photo, 'race.png')));
    expect(answers.map((answer) => answer.status)).toEqual([303, 303, 303, 303]);
    const saved = answers.map((answer) => decodeURIComponent((answer.headers.location ?? '').replace('/photos?saved=', ''))).sort();
    expect(saved).toEqual(['race-2.png', 'race-3.png', 'race-4.png', 'race-5.png']);
    const kept = saved.map((name) => readFileSync(path.join(pitDir, name)).toString('base64')).sort();
    expect(kept).toEqual(photos.map((photo) => photo.toString('base64')).sort());
  });

  it('says the photos folder is missing on this server when the uploads root is gone, not to rename the file', async () => {
    rmSync(path.join(server.dataDir, 'uploads'), { recursive: true, force: true });
    const upload = await request(server.url).post('/photos').attach('file', PNG, 'robot.png');
    expect(upload.status).toBe(409);
    expect(upload.text).toContain('The photos folder is missing on this server');
    expect(upload.text).toContain('ROOT_MISSING');
    expect(upload.text).not.toContain('rename the file');
  });

  it('saves a photo when uploads/pit/ is gone (a sync removes a folder it emptied)', async () => {
    rmSync(pitDir, { recursive: true, force: true });
    const upload = await request(server.url).post('/photos').attach('file', PNG, 'robot.png');
    expect(upload.status).toBe(303);
    expect(readFileSync(path.join(pitDir, 'robot.png')).equals(PNG)).toBe(true);
    expect((await request(server.url).get('/photos')).status).toBe(200);
  });

  it('keeps the name of the same photo uploaded again', async () => {
    await request(server.url).post('/photos').attach('file', PNG, 'robot.png').expect(303);
    const again = await request(server.url).post('/photos').attach('file', PNG, 'robot.png').expect(303);
    expect(again.headers.location).toBe('/photos?saved=robot.png');
    expect(readdirSync(pitDir)).toEqual(['robot.png']);
  });

  it('lists files that arrived by sync, conflict copies included, and links only photos', async () => {
    put(pitDir, 'robot-1.jpg', 'from server 1');
    put(pitDir, 'robot-1.sync-conflict-20260101-100000-abcd.jpg', 'from server 2');
    put(pitDir, 'readme.txt', 'text');
    put(pitDir, 'sub/nested.jpg', 'nested');
    const page = await request(server.url).get('/photos');
    expect(page.text).toContain('href="/photos/file/robot-1.jpg"');
    expect(page.text).toContain('href="/photos/file/robot-1.sync-conflict-20260101-100000-abcd.jpg"');
    expect(page.text).toContain('<td>readme.txt</td>');
    expect(page.text).not.toContain('nested.jpg');
  });

  it.each<[string, number, string, Buffer | string]>([
    ['app.db', 403, 'Database files are never uploaded', PNG],
    ['scouting.sqlite', 403, 'Database files are never uploaded', 'x'],
    ['app.db-wal', 403, 'Database files are never uploaded', 'x'],
    ['robot.jpg', 403, 'This file is an SQLite database, whatever its name', 'SQLite format 3\0 and then some pages'],
    ['notes.txt', 415, 'Only photos can be uploaded here.', 'just text'],
    ['robot.svg', 415, 'Only photos can be uploaded here.', '<svg xmlns="http://www.w3.org/2000/svg"/>'],
  ])('refuses %s with %i and a readable page; nothing is written', async (name, status, text, content) => {
    const before = treeDigest(path.join(server.dataDir, 'uploads'));
    const response = await request(server.url).post('/photos').attach('file', Buffer.from(content), name);
    expect(response.status).toBe(status);
    expect(response.type).toBe('text/html');
    expect(response.text).toContain('<h1>Not saved</h1>');
    expect(response.text).toContain(text);
    expect(response.text).toContain('href="/photos"');
    expect(response.text).toContain('href="/api/sync/ui"');
    expect(response.text).not.toMatch(/"error"|at .*\.ts:\d+/);
    expect(treeDigest(path.join(server.dataDir, 'uploads'))).toEqual(before);
  });

  it('asks for a photo when the form is sent without one (400)', async () => {
    const { body, contentType } = multipart([{ name: 'file', filename: '', content: '' }]);
    const response = await request(server.url).post('/photos').set('Content-Type', contentType).send(body);
    expect(response.status).toBe(400);
    expect(response.text).toContain('Choose a photo to upload first.');
    expect(readdirSync(pitDir)).toEqual([]);
  });

  it('escapes a file name that arrived by sync, also in the saved notice', async () => {
    put(pitDir, 'a&b<i>.jpg', 'x');
    const page = await request(server.url).get(`/photos?saved=${encodeURIComponent('a&b<i>.jpg')}`);
    expect(page.text).not.toMatch(/<i>/);
    expect(page.text).toContain('<td><a href="/photos/file/a%26b%3Ci%3E.jpg">a&amp;b&lt;i&gt;.jpg</a></td>');
    expect(page.text).toContain('Saved uploads/pit/a&amp;b&lt;i&gt;.jpg.');
  });

  it('announces only a photo that is there, whatever the link says', async () => {
    const page = await request(server.url).get('/photos?saved=%3Cscript%3Ealert(1)%3C/script%3E');
    expect(page.status).toBe(200);
    expect(page.text).not.toMatch(/<script|Saved /);
  });

  it.each([
    ['/photos/file/..%2F..%2Finstance%2Fapp.db', [400, 404]],
    ['/photos/file/app.db', [404]],
    ['/photos/file/readme.txt', [404]],
    ['/photos/file/missing.jpg', [404]],
    ['/photos/file/sub', [404]],
  ])('serves nothing but a photo inside the pit folder: %s', async (url, statuses) => {
    put(pitDir, 'readme.txt', 'text');
    put(pitDir, 'sub/nested.jpg', 'nested');
    const response = await request(server.url).get(url);
    expect(statuses).toContain(response.status);
    expect(response.type).toBe('text/html');
    expect(existsSync(path.join(server.dataDir, 'instance', 'app.db'))).toBe(true);
  });

  it.each([['app.db', 'robot.jpg'], ['app.db-wal', 'wal.png'], ['app.db-shm', 'shm.webp']])(
    'refuses a hard link to instance/%s named %s: 403 by content, not a byte of it served',
    async (database, name) => {
      mkdirSync(pitDir, { recursive: true });
      server.db.prepare('INSERT INTO teams (id, number, name) VALUES (?, ?, ?)').run('t-1', 1, 'one'); // a WAL with frames
      linkSync(path.join(server.dataDir, 'instance', database), path.join(pitDir, name));
      const response = await request(server.url).get(`/photos/file/${name}`);
      expect(response.status).toBe(403);
      expect(response.type).toBe('text/html');
      expect(response.text).toContain('DB_CONTENT_REFUSED');
      expect(response.text).not.toContain('SQLite format 3');
    },
  );
});
