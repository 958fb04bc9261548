import { enableCapture } from '../../../lib/data/capture';
import { MIN_CAPTURE_CACHE_BYTES, pageCacheBytes } from '../../../lib/data/page-cache';
import { TEST_SCHEMA, tempDb, type TempDb } from '../../helpers/data';

describe('enableCapture: the page cache of the capturing connection', () => {
  let temp: TempDb;
  beforeEach(() => {
    temp = tempDb(TEST_SCHEMA);
  });
  afterEach(() => temp.cleanup());

  it('raises SQLite’s 2 MiB default to 32 MiB, so the capture log does not make bulk writes spill', () => {
    expect(pageCacheBytes(temp.db)).toBeLessThan(MIN_CAPTURE_CACHE_BYTES);
    enableCapture(temp.db, { tables: ['teams', 'reports'] });
    expect(temp.db.pragma('cache_size', { simple: true })).toBe(-32768);
    expect(pageCacheBytes(temp.db)).toBe(MIN_CAPTURE_CACHE_BYTES);
  });

  it('keeps a larger cache the app set, in pages or in KiB', () => {
    temp.db.pragma('cache_size = 20000'); // pages of 4 KiB: about 78 MiB
    enableCapture(temp.db, { tables: ['teams', 'reports'] });
    expect(temp.db.pragma('cache_size', { simple: true })).toBe(20000);
    temp.db.pragma('cache_size = -100000');
    enableCapture(temp.db, { tables: ['teams', 'reports'] });
    expect(temp.db.pragma('cache_size', { simple: true })).toBe(-100000);
  });

  it('leaves other connections to the same file alone', () => {
    const other = temp.connect();
    enableCapture(temp.db, { tables: ['teams', 'reports'] });
    expect(pageCacheBytes(other)).toBeLessThan(MIN_CAPTURE_CACHE_BYTES);
  });
});
