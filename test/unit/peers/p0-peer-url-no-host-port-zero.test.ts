import path from 'node:path';
import { normalizePeerUrl } from '../../../index';
import { readSampleConfig } from '../../../sample-app/config';
import { tempDir } from '../../helpers/temp';

/**
 * `SYNC_PEERS=http:///api/sync` (the host left out) was read as the peer
 * `http://api/sync` (the path's first word taken for a host), which failed at
 * every round with ENOTFOUND, naming the wrong problem; `http://host:0` was
 * taken though no server listens on port 0 (SYNC_NATS_URL refuses it). Both
 * are refused when the peers are read, naming the fix.
 */
describe('a peer URL without a host, or on port 0', () => {
  it.each(['http:///api/sync', 'http:////10.0.0.2:5000', 'https:///'])('normalizePeerUrl(%j) is refused: no host', (input) => {
    expect(() => normalizePeerUrl(input)).toThrow(new TypeError(`express-sqlite-sync: peer ${input} names no host (nothing between "//" and the path): write it as http://host:port`));
  });

  it.each(['http://127.0.0.1:0', 'http://10.0.0.2:0/api/sync', 'https://h:00'])('normalizePeerUrl(%j) is refused: port 0', (input) => {
    expect(() => normalizePeerUrl(input)).toThrow(/port 0, where no server listens: write the port the peer's app listens on \(its PORT\)$/);
  });

  it('SYNC_PEERS with such an entry stops the start, naming the variable', () => {
    const temp = tempDir('ess-p0-peer-host-');
    try {
      expect(() => readSampleConfig({ DATA_DIR: path.join(temp.dir, 'data'), SYNC_TOKEN: 'test-token-0123456789abcdef', SYNC_PEERS: 'http://10.0.0.2:5000,http:///api/sync' })).toThrow(/SYNC_PEERS entry http:\/\/\/api\/sync names no host/);
    } finally {
      temp.cleanup();
    }
  });

  it('still takes a host with a port, an IPv6 host and a host without a port', () => {
    expect(['http://10.0.0.2:5000', 'http://[::1]:5000/sync', 'https://scouting.example'].map((url) => normalizePeerUrl(url))).toEqual([
      'http://10.0.0.2:5000/api/sync',
      'http://[::1]:5000/sync',
      'https://scouting.example/api/sync',
    ]);
  });

  it.each(['http:///u:hunter2@127.0.0.1:5999', 'http:////alice:hunter2@10.0.0.2:5000/api/sync', 'http:/\\bob:hunter2@host:5000', 'http://carol:hunter2@host:5000'])('%j: the refusal never repeats the password', (input) => {
    let message = '';
    try {
      normalizePeerUrl(input);
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toMatch(/\*\*\*@/);
    expect(message).not.toContain('hunter2');
  });

  it('a URL of another scheme is refused for its scheme, not its host', () => {
    expect(() => normalizePeerUrl('file:///tmp/x')).toThrow(/must use http or https/);
  });
});
