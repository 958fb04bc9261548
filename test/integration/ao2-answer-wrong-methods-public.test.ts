import express from 'express';
import request from 'supertest';
import { answerWrongMethods, silentLogger, syncErrorHandler } from '../../index';
import { makeRoots } from '../helpers/file-roots';
import { makeApp, TEST_TOKEN } from '../helpers/server';
import { tempDir } from '../helpers/temp';

/**
 * The sample app kept its own table of the JSON API's paths and methods (sample-app/api-methods.ts)
 * beside the library's reader of a router's routes (routes/allowed-methods.ts), which it could not
 * import: the sample app takes only the public entry. `answerWrongMethods` is now public, and the
 * sample app's API uses it; its message names the path as asked (with the router's mount path),
 * as the sample app's table did, so the sync router's 405 now names `/api/sync/…` too.
 */
describe('answerWrongMethods(router), public', () => {
  function appWith(router: express.Router): express.Express {
    return express().use('/api', router).use(syncErrorHandler(silentLogger));
  }

  it('answers 405 with Allow from the routes of an app router, routes added after it included, and the path as asked', async () => {
    const api = express.Router();
    api.use(answerWrongMethods(api));
    api.get('/teams', (_req, res) => void res.json([]));
    const inner = express.Router();
    inner.patch('/reports/:id', (_req, res) => void res.json({}));
    api.use(inner);
    api.post('/teams', (_req, res) => void res.status(201).json({}));
    const app = appWith(api);
    const put = await request(app).put('/api/teams');
    expect([put.status, put.headers.allow, put.body]).toEqual([405, 'GET, HEAD, POST', { error: { code: 'METHOD_NOT_ALLOWED', message: 'PUT is not a method of /api/teams; it takes GET, HEAD, POST' } }]);
    const get = await request(app).get('/api/reports/7');
    expect([get.status, get.headers.allow]).toEqual([405, 'PATCH']);
    const options = await request(app).options('/api/teams');
    expect([options.status, options.headers.allow]).toEqual([204, 'GET, HEAD, POST, OPTIONS']);
    expect((await request(app).get('/api/teams')).status).toBe(200);
    expect((await request(app).put('/api/nope')).status).toBe(404);
  });

  it.each([[undefined], [{}], [() => undefined]])('refuses %p, which is no router, with a TypeError', (given) => {
    expect(() => answerWrongMethods(given as unknown as express.Router)).toThrow(TypeError);
  });

  it("the sync router's 405 names the path with its mount path", async () => {
    const temp = tempDir('ess-ao2-methods-');
    try {
      const res = await request(makeApp({ roots: makeRoots(temp.dir) })).put('/api/sync/files/upload').set({ Authorization: `Bearer ${TEST_TOKEN}` });
      expect(res.status).toBe(405);
      expect(res.body).toEqual({ error: { code: 'METHOD_NOT_ALLOWED', message: 'PUT is not a method of /api/sync/files/upload; it takes POST' } });
    } finally {
      temp.cleanup();
    }
  });
});
