import path from 'node:path';
import { normalizePeerUrl } from '../../../index';
import { readSampleConfig } from '../../../sample-app/config';
import { runCli } from '../../helpers/h7-cli';
import { tempDir } from '../../helpers/temp';

/**
 * Found by helper ag2: the sample app's banner prints "status page: http://host:port/api/sync/ui";
 * an operator who pasted that (or `/api/sync/status` from the README) into SYNC_PEERS got a start
 * without a word, then every round failed with "no sync endpoint GET /ui/data/info". Such a URL is
 * now refused where the peers are read (`peers`, SYNC_PEERS, the CLI's `--url`), naming the URL to write.
 */
describe('ag2: a peer URL that is one of the sync router\'s own pages', () => {
  it.each([
    ['http://10.0.0.2:5000/api/sync/ui', 'the status page', 'http://10.0.0.2:5000/api/sync (or just http://10.0.0.2:5000)'],
    ['http://10.0.0.2:5000/api/sync/ui/', 'the status page', 'http://10.0.0.2:5000/api/sync (or just http://10.0.0.2:5000)'],
    ['https://h/api/sync/ui/status.js', 'the status page', 'https://h/api/sync (or just https://h)'],
    ['http://10.0.0.2:5000/api/sync/status', "the sync API's /status", 'http://10.0.0.2:5000/api/sync (or just http://10.0.0.2:5000)'],
    ['http://10.0.0.2:5000/sync/metrics', "the sync API's /metrics", 'http://10.0.0.2:5000/sync'],
    ['http://10.0.0.2:5000/ui', 'the status page', 'http://10.0.0.2:5000/api/sync (or just http://10.0.0.2:5000)'],
  ])('normalizePeerUrl(%j) is refused as %s, naming the sync API\'s URL', (input, what, fix) => {
    expect(() => normalizePeerUrl(input)).toThrow(new TypeError(`express-sqlite-sync: peer ${input} is the address of ${what}, not of the sync API itself: write ${fix}`));
  });

  it('still takes a router mounted at a path that only looks like one', () => {
    expect(['http://h/api/sync', 'http://h/ui-sync', 'http://h/statuses/sync', 'http://h/api/uid', 'http://h/status/sync'].map((url) => normalizePeerUrl(url))).toEqual([
      'http://h/api/sync', 'http://h/ui-sync', 'http://h/statuses/sync', 'http://h/api/uid', 'http://h/status/sync',
    ]);
  });

  it('SYNC_PEERS with the status page\'s URL stops the start, naming the variable and the fix', () => {
    const temp = tempDir('ess-ag2-peer-page-');
    try {
      expect(() => readSampleConfig({ DATA_DIR: path.join(temp.dir, 'data'), SYNC_TOKEN: 'test-token-0123456789abcdef', SYNC_PEERS: 'http://10.0.0.2:5000/api/sync/ui' })).toThrow(
        'SYNC_PEERS entry http://10.0.0.2:5000/api/sync/ui is the address of the status page, not of the sync API itself: write http://10.0.0.2:5000/api/sync (or just http://10.0.0.2:5000)',
      );
    } finally {
      temp.cleanup();
    }
  });

  it('the CLI\'s --url: BAD_URL with the fix, nothing sent', async () => {
    const run = await runCli(['status', '--url', 'http://127.0.0.1:9/api/sync/ui', '--token', 'x', '--json']);
    expect(run.code).toBe(1);
    expect(JSON.parse(run.stdout)).toEqual({ error: { code: 'BAD_URL', message: '--url http://127.0.0.1:9/api/sync/ui is the address of the status page, not of the sync API itself: write http://127.0.0.1:9/api/sync (or just http://127.0.0.1:9)' } });
  });
});
