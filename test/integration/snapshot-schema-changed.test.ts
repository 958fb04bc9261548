import request from 'supertest';
import { TEST_TOKEN } from '../helpers/server';
import { addTeams, startPeer, type Peer } from '../helpers/snapshot';
import { tempDir } from '../helpers/temp';

const AUTH = { Authorization: `Bearer ${TEST_TOKEN}` };

describe('GET /data/snapshot after a tracked table changed while the server runs', () => {
  let temp: ReturnType<typeof tempDir>;
  let peer: Peer;
  beforeEach(async () => {
    temp = tempDir('ess-snapshot-schema-');
    peer = await startPeer(temp.dir);
    addTeams(peer.data.db, 3, 'a');
  });
  afterEach(async () => {
    await peer.server.close();
    peer.data.cleanup();
    temp.cleanup();
  });

  it('answers 409 SCHEMA_CHANGED naming the change, as /data/info and /data/changes do, and sends no file', async () => {
    const before = await request(peer.server.url).get('/api/sync/data/snapshot').set(AUTH).buffer(true).parse((res, done) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => done(null, Buffer.concat(chunks)));
    });
    expect(before.status).toBe(200);
    expect((before.body as Buffer).subarray(0, 15).toString('latin1')).toBe('SQLite format 3');
    // Another connection migrates the table under the running server (as a shell with sqlite3 would).
    peer.data.connect().exec('ALTER TABLE teams ADD COLUMN coach TEXT');
    const snapshot = await request(peer.server.url).get('/api/sync/data/snapshot').set(AUTH);
    expect(snapshot.status).toBe(409);
    expect(snapshot.headers['content-type']).toMatch(/^application\/json/);
    expect(snapshot.body).toEqual({ error: { code: 'SCHEMA_CHANGED', message: expect.stringMatching(/teams\.coach was added.*restart the server/) } });
    for (const route of ['/api/sync/data/info', '/api/sync/data/changes']) {
      const answer = await request(peer.server.url).get(route).set(AUTH);
      expect([route, answer.status, answer.body.error?.code]).toEqual([route, 409, 'SCHEMA_CHANGED']);
    }
  });
});
