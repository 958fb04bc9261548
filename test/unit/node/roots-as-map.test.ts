import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import { createSyncNode, resolveSyncRoots } from '../../../index';
import { silentLogger } from '../../../lib/logger';
import { makeApp, TEST_TOKEN } from '../../helpers/server';
import { tempDir } from '../../helpers/temp';
import express from 'express';

const AUTH = { Authorization: `Bearer ${TEST_TOKEN}` };

describe('`roots` given as a Map (what resolveSyncRoots returns) is read as the roots it holds', () => {
  let temp: ReturnType<typeof tempDir>;
  beforeEach(() => {
    temp = tempDir();
  });
  afterEach(() => {
    temp.cleanup();
  });

  it('createSyncRouter serves and takes uploads into a Map root, the upload root chosen from it', async () => {
    const roots = resolveSyncRoots({ uploads: path.join(temp.dir, 'uploads') });
    const app = makeApp({ roots });
    const uploaded = await request(app).post('/api/sync/files/upload?path=uploads/a.txt').set(AUTH).attach('file', Buffer.from('from a map'), 'a.txt');
    expect(uploaded.status).toBe(201);
    expect(readFileSync(path.join(temp.dir, 'uploads', 'a.txt'), 'utf8')).toBe('from a map');
    const plain = await request(app).post('/api/sync/files/upload').set(AUTH).attach('file', Buffer.from('no path'), 'b.txt');
    expect(plain.status).toBe(201);
    expect(existsSync(path.join(temp.dir, 'uploads', 'b.txt'))).toBe(true);
    const listed = await request(app).get('/api/sync/files/checksums?path=uploads').set(AUTH);
    expect(listed.status).toBe(200);
  });

  it('createSyncNode with a Map of roots syncs files (it needs stateDir, as with an object)', async () => {
    const roots = new Map([['pit', path.join(temp.dir, 'pit')]]);
    expect(() => createSyncNode({ token: TEST_TOKEN, roots, peers: ['http://127.0.0.1:1'], logger: silentLogger })).toThrow(/stateDir/);
    const node = createSyncNode({ token: TEST_TOKEN, roots, peers: ['http://127.0.0.1:1'], stateDir: path.join(temp.dir, 'state'), logger: silentLogger });
    try {
      const app = express().use('/api/sync', node.router);
      expect((await request(app).post('/api/sync/files/upload?path=pit/x.txt').set(AUTH).attach('file', Buffer.from('x'), 'x.txt')).status).toBe(201);
      expect(existsSync(path.join(temp.dir, 'pit', 'x.txt'))).toBe(true);
    } finally {
      await node.stop();
    }
  });

  it('checks a Map as it checks an object: bad names, bad folders, a wrong upload root', () => {
    expect(() => makeApp({ roots: new Map([['bad name', temp.dir]]) })).toThrow(RangeError);
    expect(() => makeApp({ roots: new Map([['up', 5 as unknown as string]]) })).toThrow(/roots.up must be a directory path string/);
    expect(() => makeApp({ roots: new Map([[5 as unknown as string, temp.dir]]) })).toThrow(TypeError);
    expect(() => makeApp({ roots: new Map([['up', path.join(temp.dir, 'up')]]), uploadRoot: 'zzz' })).toThrow(/`uploadRoot` "zzz" is not one of the roots \(up\)/);
    expect(() => makeApp({ roots: new Set(['up']) as unknown as Map<string, string> })).toThrow(/`roots` must be an object \(or a Map\)/);
    expect(existsSync(path.join(temp.dir, 'up'))).toBe(false);
  });
});
