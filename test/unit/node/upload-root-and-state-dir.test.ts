import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { createSyncNode, createSyncRouter, SyncClient } from '../../../index';
import { silentLogger } from '../../../lib/logger';
import { createFilePolicy } from '../../../lib/files/file-policy';
import { ManifestCache } from '../../../lib/files/manifest-cache';
import { resolveSyncRoots } from '../../../lib/files/sync-roots';
import { TEST_TOKEN } from '../../helpers/server';
import { tempDir } from '../../helpers/temp';

describe('options that could only fail every request or round are refused when built', () => {
  let temp: ReturnType<typeof tempDir>;
  beforeEach(() => {
    temp = tempDir();
  });
  afterEach(() => {
    temp.cleanup();
  });

  it('an uploadRoot with no roots is a RangeError, as it is with roots that lack it', () => {
    expect(() => createSyncRouter({ token: TEST_TOKEN, uploadRoot: 'zzz', logger: silentLogger })).toThrow(RangeError);
    expect(() => createSyncRouter({ token: TEST_TOKEN, uploadRoot: 'zzz', logger: silentLogger })).toThrow(/`uploadRoot` "zzz" names a root, but no `roots` are given/);
    expect(() => createSyncNode({ token: TEST_TOKEN, uploadRoot: 'zzz', logger: silentLogger })).toThrow(RangeError);
    expect(() => createSyncRouter({ token: TEST_TOKEN, logger: silentLogger })).not.toThrow();
  });

  it.each<[string, (file: string) => string]>([
    ['a regular file', (file) => file],
    ['a path under a regular file', (file) => path.join(file, 'state')],
  ])('a stateDir that is %s is a TypeError naming stateDir, and no root folder is made', (_label, stateDirOf) => {
    const file = path.join(temp.dir, 'not-a-folder');
    writeFileSync(file, 'x');
    const roots = { up: path.join(temp.dir, 'up') };
    const build = (): unknown => createSyncNode({ token: TEST_TOKEN, roots, peers: ['http://127.0.0.1:1'], stateDir: stateDirOf(file), logger: silentLogger });
    expect(build).toThrow(TypeError);
    expect(build).toThrow(/`stateDir`/);
    expect(existsSync(roots.up)).toBe(false);
    const cache = new ManifestCache();
    try {
      const files = { roots: resolveSyncRoots(roots), policy: createFilePolicy(), cache };
      expect(() => new SyncClient({ peers: ['http://127.0.0.1:1'], files, stateDir: stateDirOf(file), logger: silentLogger })).toThrow(/`stateDir`/);
    } finally {
      cache.close();
    }
  });
});
