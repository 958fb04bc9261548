import path from 'node:path';
import { createFilePolicy } from '../../../lib/files/file-policy';
import { ManifestCache } from '../../../lib/files/manifest-cache';
import { resolveSyncRoots } from '../../../lib/files/sync-roots';
import { resolveSyncClientOptions, type SyncClientOptions } from '../../../lib/peers/client-options';
import { tempDir } from '../../helpers/temp';

const PEER = 'http://127.0.0.1:5000/api/sync';

describe('SyncClient: `logger` is checked as the router checks it, in the constructor', () => {
  let temp: ReturnType<typeof tempDir>;
  let cache: ManifestCache;
  beforeEach(() => {
    temp = tempDir();
    cache = new ManifestCache();
  });
  afterEach(() => {
    cache.close();
    temp.cleanup();
  });

  const options = (extra: Partial<Record<keyof SyncClientOptions, unknown>>): SyncClientOptions =>
    ({ peers: [PEER], files: { roots: resolveSyncRoots({ up: path.join(temp.dir, 'up') }), policy: createFilePolicy(), cache }, stateDir: path.join(temp.dir, 'state'), ...extra }) as SyncClientOptions;

  it.each<[string, unknown]>([
    ['an empty object', {}],
    ['a logger without warn', { info: () => undefined, error: () => undefined }],
    ['a function', () => undefined],
    ['null', null],
  ])('refuses a logger that is %s, as the router does', (_label, logger) => {
    expect(() => resolveSyncClientOptions(options({ logger }))).toThrow(TypeError);
    expect(() => resolveSyncClientOptions(options({ logger }))).toThrow(/`logger` must have info, warn and error functions/);
  });
});
