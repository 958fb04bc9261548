import { AtomicDiskStorage, createFilePolicy, createSyncNode, ManifestCache, normalizePeerUrl } from '../../../index';
import { silentLogger } from '../../../lib/logger';
import { TEST_TOKEN } from '../../helpers/server';

describe('small building blocks say what type they got', () => {
  it.each<[string, unknown, ErrorConstructor, RegExp]>([
    ['a number as a string', { trustListingsForMs: '5' }, TypeError, /`trustListingsForMs` must be a number, got string/],
    ['a string watcher limit', { maxWatchedDirectories: '10' }, TypeError, /`maxWatchedDirectories` must be a number, got string/],
    ['a string watchDirectories', { watchDirectories: 'false' }, TypeError, /`watchDirectories` must be a boolean, got string/],
    ['a negative number', { trustListingsForMs: -1 }, RangeError, /`trustListingsForMs` must be a non-negative integer, got -1/],
    ['null', null, TypeError, /new ManifestCache takes an options object/],
  ])('new ManifestCache refuses %s', (_label, options, type, message) => {
    const build = (): ManifestCache => new ManifestCache(options as ConstructorParameters<typeof ManifestCache>[0]);
    expect(build).toThrow(type);
    expect(build).toThrow(message);
  });

  it('new ManifestCache still takes nothing, and its options', () => {
    for (const cache of [new ManifestCache(), new ManifestCache({ watchDirectories: false, trustListingsForMs: 0, maxWatchedDirectories: 1 })]) cache.close();
  });

  it('node.start with a string interval says it got a string', () => {
    const node = createSyncNode({ token: TEST_TOKEN, logger: silentLogger });
    expect(() => node.start('30000' as unknown as number)).toThrow(TypeError);
    expect(() => node.start('30000' as unknown as number)).toThrow(/start\(intervalMs\) takes a number of milliseconds, got a string \("30000"\)/);
  });

  it.each([0, -1, 1.5, Number.NaN, 2_147_483_648])('node.start(%p) is a RangeError without peers too, as docs/API.md says (a typo must not wait for the first peer)', (interval) => {
    const node = createSyncNode({ token: TEST_TOKEN, logger: silentLogger });
    expect(() => node.start(interval)).toThrow(RangeError);
    expect(() => node.start({ intervalMs: interval })).toThrow(RangeError);
  });

  it('node.start(30) without peers logs sync.interval_raised, as with peers', () => {
    const warnings: unknown[] = [];
    const logger = { ...silentLogger, warn: (fields: unknown) => warnings.push(fields) };
    createSyncNode({ token: TEST_TOKEN, logger }).start(30);
    expect(warnings).toContainEqual(expect.objectContaining({ event: 'sync.interval_raised', intervalMs: 30, usedMs: 1000 }));
  });

  it.each<[unknown, RegExp]>([
    [5, /peer must be a URL string such as http:\/\/host:port, got number/],
    [undefined, /got undefined/],
    [null, /got null/],
  ])('normalizePeerUrl(%p) is a TypeError saying what it got', (input, message) => {
    expect(() => normalizePeerUrl(input as string)).toThrow(TypeError);
    expect(() => normalizePeerUrl(input as string)).toThrow(message);
  });

  it.each<[string, unknown, ErrorConstructor, RegExp]>([
    ['no options', undefined, TypeError, /needs \{ policy, maxUploadBytes \}/],
    ['no policy', { maxUploadBytes: 10 }, TypeError, /needs `policy`/],
    ['no size limit', { policy: createFilePolicy() }, TypeError, /needs `maxUploadBytes`/],
    ['a string size limit', { policy: createFilePolicy(), maxUploadBytes: '10' }, TypeError, /`maxUploadBytes` must be a number, got string/],
    ['a zero size limit', { policy: createFilePolicy(), maxUploadBytes: 0 }, RangeError, /`maxUploadBytes` must be a positive integer/],
    ['an unknown option', { policy: createFilePolicy(), maxUploadBytes: 10, dest: '/tmp' }, TypeError, /unknown option\(s\) dest for new AtomicDiskStorage/],
  ])('new AtomicDiskStorage refuses %s, naming the option', (_label, options, type, message) => {
    const build = (): AtomicDiskStorage => new AtomicDiskStorage(options as ConstructorParameters<typeof AtomicDiskStorage>[0]);
    expect(build).toThrow(type);
    expect(build).toThrow(message);
  });
});
