import { existsSync, readdirSync } from 'node:fs';
import { adoptWaitingSettlements, fileStateOf, recordPeerSettlements, type SettledPaths } from '../../../lib/peers/file-settled';
import { FileSyncState } from '../../../lib/peers/file-sync-state';
import { KnownPeers } from '../../../lib/peers/known-peers';
import { tempDir } from '../../helpers/temp';

const SITE = 'ab'.repeat(16);
const URL_E = 'http://127.0.0.1:1/api/sync';
const SHA = (c: string): string => c.repeat(64);
const settled = (entries: Record<string, string | undefined>): SettledPaths => new Map([['uploads', new Map(Object.entries(entries))]]);

describe('file settlements from a peer not known yet (they wait for the first round with it)', () => {
  let temp: ReturnType<typeof tempDir>;
  beforeEach(() => {
    temp = tempDir('ess-waiting-');
  });
  afterEach(() => temp.cleanup());

  it('wait while a peer URL has not shaken hands, and become the base of the URL that turns out to be that site', async () => {
    const known = new KnownPeers(temp.dir);
    expect(await recordPeerSettlements({ peers: [URL_E], known, stateDir: temp.dir, handshakes: true }, SITE, settled({ 'a.txt': SHA('1') }))).toBe(0);
    expect(readdirSync(temp.dir)).toEqual([`files-site-${SITE}.json`]);
    await adoptWaitingSettlements(temp.dir, URL_E, SITE);
    expect((await FileSyncState.load(fileStateOf(temp.dir, URL_E))).base('uploads').get('a.txt')).toBe(SHA('1'));
    expect(readdirSync(temp.dir)).toEqual([expect.stringMatching(/^files-[0-9a-f]{16}\.json$/)]);
  });

  it('are dropped, never copied over it, when the URL already has a base (written since the handshake: newer)', async () => {
    const known = new KnownPeers(temp.dir);
    await recordPeerSettlements({ peers: [URL_E], known, stateDir: temp.dir, handshakes: true }, SITE, settled({ 'a.txt': SHA('1'), 'b.txt': SHA('3') }));
    await FileSyncState.record(fileStateOf(temp.dir, URL_E), settled({ 'a.txt': SHA('2'), 'b.txt': undefined }));
    await adoptWaitingSettlements(temp.dir, URL_E, SITE);
    const base = (await FileSyncState.load(fileStateOf(temp.dir, URL_E))).base('uploads');
    expect([base.get('a.txt'), base.get('b.txt')]).toEqual([SHA('2'), undefined]);
    expect(existsSync(`${temp.dir}/files-site-${SITE}.json`)).toBe(false);
  });

  it('are not kept by a server that never shakes hands (files only: nothing would ever take them)', async () => {
    const known = new KnownPeers(temp.dir);
    await recordPeerSettlements({ peers: [URL_E], known, stateDir: temp.dir, handshakes: false }, SITE, settled({ 'a.txt': SHA('1') }));
    expect(readdirSync(temp.dir)).toEqual([]);
  });
});
