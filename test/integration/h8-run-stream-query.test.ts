import { mkdirSync } from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import { makeApp, TEST_TOKEN } from '../helpers/server';
import { tempDir } from '../helpers/temp';

const auth = { Authorization: `Bearer ${TEST_TOKEN}` };

describe('POST /run: the `stream` query parameter', () => {
  let temp: ReturnType<typeof tempDir>;
  let app: ReturnType<typeof makeApp>;
  beforeEach(() => {
    temp = tempDir('ess-h8-run-');
    const uploads = path.join(temp.dir, 'uploads');
    mkdirSync(uploads);
    app = makeApp({ roots: { uploads } });
  });
  afterEach(() => temp.cleanup());

  // `stream=ndjson&stream=ndjson` was read as "not ndjson" and ran unstreamed, answering JSON.
  it.each([
    ['repeated', 'stream=ndjson&stream=ndjson'],
    ['repeated, differing', 'stream=ndjson&stream=json'],
    ['as an array', 'stream[]=ndjson'],
    ['as an object', 'stream[x]=ndjson'],
    ['an unknown value', 'stream=json'],
    ['empty', 'stream='],
    ['not UTF-8', 'stream=%FF'],
  ])('%s (%s) is 400 BAD_REQUEST', async (_what, query) => {
    const res = await request(app).post(`/api/sync/run?${query}`).set(auth);
    expect(res.status).toBe(400);
    expect(res.type).toBe('application/json');
    expect(res.body.error.code).toBe('BAD_REQUEST');
    expect(res.body.error.message).toContain('stream');
  });

  it('given once as ndjson, it streams; left out, it answers JSON', async () => {
    const streamed = await request(app).post('/api/sync/run?stream=ndjson').set(auth);
    expect(streamed.status).toBe(200);
    expect(streamed.type).toBe('application/x-ndjson');
    expect(JSON.parse(streamed.text.trim())).toEqual({ type: 'results', results: [] });
    const plain = await request(app).post('/api/sync/run').set(auth);
    expect(plain.status).toBe(200);
    expect(plain.body).toEqual({ results: [] });
  });
});
