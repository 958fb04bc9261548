import { mkdirSync } from 'node:fs';
import path from 'node:path';
import express from 'express';
import request from 'supertest';
import { dbDigest } from '../helpers/data';
import { rawRequest } from '../helpers/multipart';
import { TEST_TOKEN, type TestServer } from '../helpers/server';
import { tempNodes } from '../helpers/temp-nodes';

const AUTH = { Authorization: `Bearer ${TEST_TOKEN}` };
const JSON_TYPE = { ...AUTH, 'Content-Type': 'application/json' };

/**
 * The JSON routes of the sync router and a body that holds nothing. With
 * `Content-Type: application/json` and no body (no `Content-Length`, as `curl -X POST` sends it)
 * `POST /files/settled`, `POST /data/changes` and a resolve answered 415 "send the body as JSON with
 * `Content-Type: application/json`" to a client that had; with `Content-Length: 0` or an empty chunked
 * body, a `{}` missing its first field (`/site`, `/protocol`, "Expected union value"). They now say the
 * body is empty, with the route's own code; a body of only whitespace is 400 `MALFORMED_JSON` saying so,
 * and a `null` to `POST /files/settled` (a strict parser) names it. Nothing is written.
 */
describe('a JSON route of the sync router sent an empty or blank body', () => {
  const nodes = tempNodes('ess-am2-empty-json-');
  let server: TestServer;
  let digest: () => string;

  beforeEach(async () => {
    const db = nodes.open('a');
    mkdirSync(path.join(nodes.dir, 'uploads'));
    const node = nodes.node(db, 'a', ['http://127.0.0.1:9/api/sync'], { roots: { uploads: path.join(nodes.dir, 'uploads') } });
    server = await nodes.serve(express().use('/api/sync', node.router) as express.Express);
    digest = () => dbDigest(db);
  });

  const ROUTES = [
    ['/files/settled', 'BAD_REQUEST'],
    ['/data/changes', 'INVALID_CHANGESET'],
    ['/data/conflicts/0123456789abcdef/resolve', 'INVALID_RESOLUTION'],
  ] as const;
  const EMPTY = [
    ['no Content-Length nor Transfer-Encoding', { headers: JSON_TYPE, noLengthHeader: true }],
    ['Content-Length: 0', { headers: { ...JSON_TYPE, 'Content-Length': '0' } }],
    ['an empty chunked body', { headers: { ...JSON_TYPE, 'Transfer-Encoding': 'chunked' } }],
    ['no body and no Content-Type', { headers: AUTH, noLengthHeader: true }],
  ] as const;

  it.each(ROUTES.flatMap(([route, code]) => EMPTY.map(([how, options]) => [route, how, code, options] as const)))('POST %s with %s: 400 %s saying the body is empty', async (route, _how, code, options) => {
    const before = digest();
    const answer = await rawRequest(`${server.url}/api/sync${route}`, options);
    expect(answer.status).toBe(400);
    expect(answer.body).toEqual({ error: { code, message: expect.stringContaining('the request body is empty') as string } });
    expect(digest()).toBe(before);
  });

  it.each([...ROUTES, ['/deletions/confirm', 'MALFORMED_JSON']] as const)('POST %s with a body of only whitespace: 400 MALFORMED_JSON saying so', async (route) => {
    const answer = await request(server.url).post(`/api/sync${route}`).set(JSON_TYPE).send(' \r\n\t ');
    expect(answer.status).toBe(400);
    expect(answer.body).toEqual({ error: { code: 'MALFORMED_JSON', message: expect.stringContaining('only whitespace') as string } });
  });

  it.each([
    ['/files/settled', 'null', 'MALFORMED_JSON', '`null`'],
    ['/files/settled', '7', 'MALFORMED_JSON', 'a number'],
    ['/files/settled', '[]', 'BAD_REQUEST', 'Expected object'],
    ['/data/changes', 'null', 'INVALID_CHANGESET', 'must be a JSON object'],
    ['/data/changes', '[]', 'INVALID_CHANGESET', 'must be a JSON object'],
    ['/data/conflicts/0123456789abcdef/resolve', 'null', 'INVALID_RESOLUTION', '{"action":"discard"}'],
    ['/data/conflicts/0123456789abcdef/resolve', '[]', 'INVALID_RESOLUTION', '{"action":"discard"}'],
    ['/deletions/confirm', 'null', 'BAD_REQUEST', 'must be a JSON object'],
    ['/deletions/confirm', '[]', 'BAD_REQUEST', 'must be a JSON object'],
  ])('POST %s with %s: 400 %s naming what is wrong', async (route, body, code, words) => {
    const before = digest();
    const answer = await request(server.url).post(`/api/sync${route}`).set(JSON_TYPE).send(body);
    expect(answer.status).toBe(400);
    expect(answer.body).toEqual({ error: { code, message: expect.stringContaining(words) as string } });
    expect(digest()).toBe(before);
  });

  it('POST /deletions/confirm with no body still confirms every held deletion (none held here: 404 NOTHING_HELD)', async () => {
    const answer = await rawRequest(`${server.url}/api/sync/deletions/confirm`, { headers: JSON_TYPE, noLengthHeader: true });
    expect(answer.status).toBe(404);
    expect((answer.body as { error: { code: string } }).error.code).toBe('NOTHING_HELD');
  });
});
