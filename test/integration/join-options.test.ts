import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { joinFromPeer, SyncError, type JoinOptions } from '../../index';
import { TEST_TOKEN } from '../helpers/server';
import { addTeams, startPeer, type Peer } from '../helpers/snapshot';
import { tempDir } from '../helpers/temp';
import { deadPort } from '../helpers/k2-dead-port';

/** A port of 127.0.0.1 where nothing listens: a connection to it is refused. */
async function closedPort(): Promise<number> {
  return deadPort();
}

describe('joinFromPeer checks its options and names them, not the CLI flags', () => {
  let temp: ReturnType<typeof tempDir>;
  let peer: Peer;
  beforeEach(async () => {
    temp = tempDir('ess-join-opts-');
    peer = await startPeer(temp.dir);
    addTeams(peer.data.db, 20, 'a');
  });
  afterEach(async () => {
    await peer.server.close();
    peer.data.cleanup();
    temp.cleanup();
  });

  const target = (name: string): string => path.join(temp.dir, name, 'app.db');

  it.each<[string, () => unknown, ErrorConstructor, RegExp]>([
    ['no options at all', () => undefined, TypeError, /joinFromPeer needs an options object \{ url, token, db \}/],
    ['a misspelt option', () => ({ url: peer.server.url, token: TEST_TOKEN, db: target('typo'), gzp: true }), TypeError, /unknown option\(s\) gzp for joinFromPeer/],
    ['no url', () => ({ token: TEST_TOKEN, db: target('nourl') }), TypeError, /needs `url`/],
    ['a url over ftp', () => ({ url: 'ftp://x', token: TEST_TOKEN, db: target('ftp') }), TypeError, /`url` ftp:\/\/x must use http or https/],
    ['a db that is not a path', () => ({ url: peer.server.url, token: TEST_TOKEN, db: 5 }), TypeError, /needs `db`/],
    ['a numeric token', () => ({ url: peer.server.url, token: 5, db: target('tok') }), TypeError, /`token` must be a string/],
    ['a string gzip', () => ({ url: peer.server.url, token: TEST_TOKEN, db: target('gz'), gzip: 'yes' }), TypeError, /`gzip` must be a boolean/],
    ['a zero timeout', () => ({ url: peer.server.url, token: TEST_TOKEN, db: target('t0'), peerTimeoutMs: 0 }), RangeError, /`peerTimeoutMs`/],
    ['a CA file name', () => ({ url: peer.server.url, token: TEST_TOKEN, db: target('ca'), peerCa: 'ca.pem' }), TypeError, /`peerCa` holds no PEM certificate/],
  ])('refuses %s before anything is made', async (_label, options, type, message) => {
    const join = joinFromPeer(options() as JoinOptions);
    await expect(join).rejects.toThrow(type);
    await expect(joinFromPeer(options() as JoinOptions)).rejects.toThrow(message);
    await expect(joinFromPeer(options() as JoinOptions)).rejects.not.toThrow(/--from|--db/);
    expect(readdirSync(temp.dir).filter((name) => !name.startsWith('roots-'))).toEqual([]);
  });

  it('an empty db names the option, not --db', async () => {
    await expect(joinFromPeer({ url: peer.server.url, token: TEST_TOKEN, db: '' })).rejects.toThrow(/name the new database file \(`db`\)/);
  });

  it('a peer that cannot be reached is a SyncError under its Node code, with the fix', async () => {
    const url = `http://127.0.0.1:${await closedPort()}`;
    const failure = await joinFromPeer({ url, token: TEST_TOKEN, db: target('away') }).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(SyncError);
    expect(failure).toMatchObject({ code: 'ECONNREFUSED', status: 502 });
    expect((failure as Error).message).toContain(`${url}/api/sync is unreachable`);
    expect((failure as Error).message).toMatch(/is the peer running, and is `url` its sync API/);
    expect(existsSync(path.join(temp.dir, 'away'))).toBe(false);
  });

  it('a snapshot this machine cannot write says so, not that the download broke off', async () => {
    // /proc takes no new file, even for root: the temp snapshot cannot be created there.
    const failure = await joinFromPeer({ url: peer.server.url, token: TEST_TOKEN, db: '/proc/ess-join-test.db' }).catch((error: unknown) => error);
    expect(failure).toMatchObject({ code: 'SNAPSHOT_INCOMPLETE' });
    expect((failure as Error).message).toMatch(/could not be written to .* \(a problem on this machine, not the network\)/);
    expect((failure as Error).message).not.toMatch(/broke off/);
  });

  it('still joins with every option given right, and with no token key for a peer that needs one it is refused by the peer', async () => {
    const steps: string[] = [];
    const result = await joinFromPeer({ url: peer.server.url, token: TEST_TOKEN, db: target('ok'), gzip: true, peerTimeoutMs: 30_000, syncPageSize: 10, onProgress: (step) => steps.push(step) });
    expect(result).toMatchObject({ rowsPulled: 0, pullError: undefined });
    expect(steps).toContain('snapshot');
    await expect(joinFromPeer({ url: peer.server.url, db: target('notoken') })).rejects.toMatchObject({ code: 'UNAUTHORIZED' });
  });
});
