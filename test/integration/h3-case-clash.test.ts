import { readFileSync, renameSync } from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import { put } from '../helpers/file-roots';
import { startPeers, type LivePeer } from '../helpers/peers';
import { TEST_TOKEN } from '../helpers/server';

const AUTH = { Authorization: `Bearer ${TEST_TOKEN}` };

interface NameProblems {
  readonly root: string;
  readonly caseClashCount: number;
  readonly caseClashes: ReadonlyArray<readonly string[]>;
}

async function problemsOf(server: LivePeer): Promise<NameProblems[]> {
  return ((await request(server.url).get('/api/sync/status').set(AUTH).expect(200)).body as { fileNameProblems: NameProblems[] }).fileNameProblems;
}

// Config.json and config.json in one root synced fine between Linux servers, and nothing said that a
// Mac or Windows laptop at the event would hold only one of them, overwriting the other.
describe('two files whose names differ only in case', () => {
  it('both still sync; /status reports the clash on each server that holds them, until one is renamed', async () => {
    const cluster = await startPeers(2, 'chain');
    try {
      const [a, b] = cluster.peers as [LivePeer, LivePeer];
      put(path.join(a.dataDir, 'config'), 'Config.json', '{"team":971}');
      put(path.join(a.dataDir, 'config'), 'config.json', '{"team":254}');
      put(path.join(a.dataDir, 'uploads'), 'Photos/robot.jpg', 'one');
      put(path.join(a.dataDir, 'uploads'), 'photos/pit.jpg', 'two');
      expect(await a.sync.syncNow()).toMatchObject([{ ok: true, filesUp: 4 }]);

      // Neither is dropped: both travel, each with its own content.
      expect(readFileSync(path.join(b.dataDir, 'config', 'Config.json'), 'utf8')).toBe('{"team":971}');
      expect(readFileSync(path.join(b.dataDir, 'config', 'config.json'), 'utf8')).toBe('{"team":254}');
      const expected = [
        { root: 'config', caseClashCount: 1, caseClashes: [['Config.json', 'config.json']] },
        { root: 'uploads', caseClashCount: 1, caseClashes: [['Photos', 'photos']] },
      ];
      expect(await problemsOf(a)).toMatchObject(expected);
      expect(await b.sync.syncNow()).toMatchObject([{ ok: true }]); // B scans its roots too
      expect(await problemsOf(b)).toMatchObject(expected);

      // Renamed on A: its next round's scan clears it there.
      renameSync(path.join(a.dataDir, 'config', 'Config.json'), path.join(a.dataDir, 'config', 'config-971.json'));
      renameSync(path.join(a.dataDir, 'uploads', 'photos', 'pit.jpg'), path.join(a.dataDir, 'uploads', 'Photos', 'pit.jpg'));
      expect(await a.sync.syncNow()).toMatchObject([{ ok: true }]);
      expect(await problemsOf(a)).toEqual([]);
    } finally {
      await cluster.close();
    }
  });
});
