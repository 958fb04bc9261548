import { readFileSync } from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import { put } from '../helpers/file-roots';
import { startPeers, type LivePeer } from '../helpers/peers';
import { TEST_TOKEN } from '../helpers/server';

const AUTH = { Authorization: `Bearer ${TEST_TOKEN}` };

interface NameProblems {
  readonly root: string;
  readonly unsyncable: ReadonlyArray<{ readonly path: string }>;
  readonly caseClashCount: number;
  readonly caseClashes: ReadonlyArray<readonly string[]>;
}

async function problemsOf(server: LivePeer): Promise<NameProblems[]> {
  return ((await request(server.url).get('/api/sync/status').set(AUTH).expect(200)).body as { fileNameProblems: NameProblems[] }).fileNameProblems;
}

// `Straße.json` and `STRASSE.json`, `ΟΔΟΣ` and `οδοσ` synced between Linux servers and
// nothing said that a Mac or Windows laptop may hold one of each pair only.
describe('names a case-insensitive disk folds to one, beyond toLowerCase', () => {
  it('both sync; /status and /metrics report the clash; an accent is another name; an NFD name is unsyncable, not a clash', async () => {
    const cluster = await startPeers(2, 'chain');
    try {
      const [a, b] = cluster.peers as [LivePeer, LivePeer];
      const uploads = path.join(a.dataDir, 'uploads');
      put(uploads, 'Straße.json', 'eszett');
      put(uploads, 'STRASSE.json', 'double s');
      put(uploads, 'ΟΔΟΣ', 'upper');
      put(uploads, 'οδοσ', 'lower');
      put(uploads, 'cafe.txt', 'plain');
      put(uploads, 'café.txt', 'accent');
      put(uploads, 'cafe\u0301.txt', 'decomposed');
      expect(await a.sync.syncNow()).toMatchObject([{ ok: true, filesUp: 6 }]);
      expect(readFileSync(path.join(b.dataDir, 'uploads', 'Straße.json'), 'utf8')).toBe('eszett');
      expect(readFileSync(path.join(b.dataDir, 'uploads', 'STRASSE.json'), 'utf8')).toBe('double s');

      const [problems] = await problemsOf(a);
      expect(problems).toMatchObject({ root: 'uploads', caseClashCount: 2, caseClashes: [['STRASSE.json', 'Straße.json'], ['ΟΔΟΣ', 'οδοσ']] });
      expect(problems?.unsyncable.map((entry) => entry.path)).toEqual(['cafe\u0301.txt']);
      const metrics = (await request(a.url).get('/api/sync/metrics').set(AUTH).expect(200)).text;
      expect(metrics).toMatch(/express_sqlite_sync_files_case_clashes\{root="uploads"\} 2/);
    } finally {
      await cluster.close();
    }
  });
});
