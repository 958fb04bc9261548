import request from 'supertest';
import { TEST_TOKEN } from '../helpers/server';
import { addTeams, startPeer, type Peer } from '../helpers/snapshot';
import { tempDir } from '../helpers/temp';

const AUTH = { Authorization: `Bearer ${TEST_TOKEN}` };

// Found by helper aa2: a page read ahead (routes/read-ahead.ts) was served from
// the cache without the schema watch: once a tracked table changed while the
// server runs, /data/info and /data/snapshot answered 409 SCHEMA_CHANGED, but the
// next pages of a pull already under way still came, 200, for up to 10 s (the
// cache's KEEP_MS). Their rows predated the change, so no data was wrong; the
// contract ("the data routes stop once a tracked table changed") is what broke.
describe('a page read ahead, asked for after a tracked table changed', () => {
  let temp: ReturnType<typeof tempDir>;
  let peer: Peer;
  beforeEach(async () => {
    temp = tempDir('ess-aa2-read-ahead-');
    peer = await startPeer(temp.dir);
    addTeams(peer.data.db, 3000, 'a');
  });
  afterEach(async () => {
    await peer.server.close();
    peer.data.cleanup();
    temp.cleanup();
  });

  it('is 409 SCHEMA_CHANGED, as /data/info is', async () => {
    const first = await request(peer.server.url).get('/api/sync/data/changes?since=0&limit=500&protocol=2').set(AUTH);
    expect(first.status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 300)); // the next pages are read ahead meanwhile
    peer.data.connect().exec('ALTER TABLE teams ADD COLUMN coach TEXT');
    const info = await request(peer.server.url).get('/api/sync/data/info').set(AUTH);
    expect([info.status, info.body.error?.code]).toEqual([409, 'SCHEMA_CHANGED']);
    const second = await request(peer.server.url).get(`/api/sync/data/changes?since=${String(first.body.next)}&limit=500&protocol=2`).set(AUTH);
    expect([second.status, second.body.error?.code]).toEqual([409, 'SCHEMA_CHANGED']);
  });
});
