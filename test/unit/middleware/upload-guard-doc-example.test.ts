import { mkdirSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import express from 'express';
import request from 'supertest';
import * as library from '../../../index';
import { tempDir } from '../../helpers/temp';

/** The `uploadGuard` example of docs/API.md, as written there. */
function documentedExample(): string {
  const api = readFileSync(path.join(__dirname, '../../../docs/API.md'), 'utf8');
  const section = api.slice(api.indexOf('### uploadGuard(options)'));
  const block = /```js\n([\s\S]*?)```/.exec(section);
  if (block?.[1] === undefined) throw new Error('no js example under "### uploadGuard(options)" in docs/API.md');
  return block[1];
}

/** Runs the example, its root moved to `dir`, with `require` giving this package; returns its `app`. */
function runExample(code: string, dir: string): express.Express {
  const modules: Readonly<Record<string, unknown>> = { express, 'express-sqlite-sync': library, path, 'node:path': path };
  const fakeRequire = (name: string): unknown => {
    if (!(name in modules)) throw new Error(`the example requires ${name}`);
    return modules[name];
  };
  const moved = code.replace("'data/uploads/pit'", JSON.stringify(dir));
  expect(moved).not.toBe(code);
  return new Function('require', `${moved}\nreturn app;`)(fakeRequire) as express.Express;
}

describe('the uploadGuard / saveGuardedUpload example of docs/API.md, copied verbatim', () => {
  const savedLevel = process.env.LOG_LEVEL;
  beforeAll(() => {
    process.env.LOG_LEVEL = 'silent'; // the example's default logger, quiet in tests
  });
  afterAll(() => {
    if (savedLevel === undefined) delete process.env.LOG_LEVEL;
    else process.env.LOG_LEVEL = savedLevel;
  });

  it('answers a folder in the way as JSON 409 naming the client path, never an HTML page with a stack', async () => {
    const dir = tempDir('ess-doc-example-');
    try {
      mkdirSync(path.join(dir.dir, 'folder'));
      const app = runExample(documentedExample(), dir.dir);
      const refused = await request(app).post('/photos').attach('file', Buffer.from('x'), 'folder');
      expect(refused.status).toBe(409);
      expect(refused.type).toBe('application/json');
      expect(refused.body).toEqual({ error: { code: 'PATH_CONFLICT', message: expect.stringMatching(/^pit\/folder is a folder here/) } });
      expect(refused.text).not.toMatch(/at .*\.[jt]s:\d+/);
      const saved = await request(app).post('/photos').attach('file', Buffer.from('photo'), 'robot.jpg');
      expect(saved.status).toBe(201);
      expect(readdirSync(dir.dir).sort()).toEqual(['folder', 'robot.jpg']);
    } finally {
      dir.cleanup();
    }
  });

  it('checks a sha256 field sent with the file, as the router does: a wrong one is 422 and nothing is written, a malformed one 400', async () => {
    const dir = tempDir('ess-doc-example-sha-');
    try {
      const app = runExample(documentedExample(), dir.dir);
      const wrong = await request(app).post('/photos').field('sha256', '0'.repeat(64)).attach('file', Buffer.from('hello'), 'wrong.jpg');
      expect([wrong.status, wrong.body.error?.code]).toEqual([422, 'HASH_MISMATCH']);
      const malformed = await request(app).post('/photos').field('sha256', 'abc').attach('file', Buffer.from('hello'), 'bad.jpg');
      expect([malformed.status, malformed.body.error?.code]).toEqual([400, 'BAD_SHA256']);
      const twice = await request(app).post('/photos').field('sha256', 'a'.repeat(64)).field('sha256', 'a'.repeat(64)).attach('file', Buffer.from('hello'), 'twice.jpg');
      expect([twice.status, twice.body.error?.code]).toEqual([400, 'BAD_SHA256']);
      expect(readdirSync(dir.dir)).toEqual([]);
      const digest = '2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824'; // sha256("hello")
      const right = await request(app).post('/photos').field('sha256', digest.toUpperCase()).attach('file', Buffer.from('hello'), 'right.jpg');
      expect([right.status, right.body.sha256]).toEqual([201, digest]);
      expect(readdirSync(dir.dir)).toEqual(['right.jpg']);
    } finally {
      dir.cleanup();
    }
  });
});
