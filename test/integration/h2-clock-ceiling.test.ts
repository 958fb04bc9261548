import request from 'supertest';
import { MAX_CLOCK_SKEW_MS } from '../../lib/data/check-changeset';
import { dbDigest, TEST_SCHEMA } from '../helpers/data';
import { TEST_TOKEN } from '../helpers/server';
import { startHttpDataPair, type HttpDataPair, type HttpDataPeer } from '../helpers/http-data-pair';

const auth = { Authorization: `Bearer ${TEST_TOKEN}` };
const SITE = 'd'.repeat(32);
/** An operator who turns the skew check off sets the largest value the option takes. */
const NO_SKEW_LIMIT = Number.MAX_SAFE_INTEGER;

async function pageWithClock(to: HttpDataPeer, key: string, hlc: number): Promise<object> {
  const { schema } = (await request(to.server.url).get('/api/sync/data/info').set(auth).expect(200)).body as { schema: unknown };
  return { protocol: 1, site: SITE, schema, sites: [SITE], changes: [{ table: 'teams', key: [key], cl: 1, hlc, site: 0, cells: { name: 'far', number: 1, rating: null, logo: null } }] };
}

describe('maxClockSkewMs: Number.MAX_SAFE_INTEGER ("no limit") takes clocks up to 100 years ahead, no further', () => {
  let pair: HttpDataPair;
  let a: HttpDataPeer;
  let b: HttpDataPeer;
  beforeEach(async () => {
    pair = await startHttpDataPair(TEST_SCHEMA, { tables: ['teams', 'reports'], maxClockSkewMs: NO_SKEW_LIMIT });
    ({ a, b } = pair);
  });
  afterEach(() => pair.close());

  // Before: the clock 2^53 - 1 was taken (200), after which every local write had a clock of
  // 2^53 or more, which JSON numbers cannot hold: every page of this server was refused by
  // every peer (INVALID_CHANGESET), for good.
  it('the highest clock a page may carry (2^53 - 1): 422 CLOCK_SKEW, nothing written', async () => {
    const before = dbDigest(a.temp.db);
    const response = await request(a.server.url).post('/api/sync/data/changes').set(auth).send(await pageWithClock(a, 'far', Number.MAX_SAFE_INTEGER)).expect(422);
    expect(response.body.error.code).toBe('CLOCK_SKEW');
    expect(dbDigest(a.temp.db)).toBe(before);
  });

  it('a clock 99 years ahead is taken, and the local writes after it make pages every peer takes', async () => {
    const far = (Date.now() + MAX_CLOCK_SKEW_MS - 365 * 24 * 3600 * 1000) * 1024;
    await request(a.server.url).post('/api/sync/data/changes').set(auth).send(await pageWithClock(a, 'far', far)).expect(200);
    a.temp.db.prepare("INSERT INTO teams (id, name) VALUES ('near', 'written here')").run();
    a.temp.db.prepare("UPDATE teams SET name = 'edited here' WHERE id = 'far'").run();
    const page = await request(a.server.url).get('/api/sync/data/changes?since=0').set(auth).expect(200);
    await request(b.server.url).post('/api/sync/data/changes').set(auth).send(page.body as object).expect(200);
    expect(b.temp.db.prepare('SELECT id, name FROM teams ORDER BY id').raw(true).all()).toEqual([['far', 'edited here'], ['near', 'written here']]);
  });
});
