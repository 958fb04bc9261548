import path from 'node:path';
import { readFileSync, writeFileSync } from 'node:fs';
import { enableCapture } from '../../../lib/data/capture';
import { SnapshotSource } from '../../../lib/data/snapshot-source';
import { dbDigest, pullAll, tempDb, type TempDb } from '../../helpers/data';
import { tempDir } from '../../helpers/temp';

// A peer's snapshot whose rows an expression of this server's schema fails on (a CHECK calling
// json_extract, declared here only: CHECKs are not part of the tracked schema) ended the import with
// SQLite's own error, `malformed JSON`. It is SNAPSHOT_MISMATCH now, saying why and what to do; nothing
// is imported, and once the value is fixed on the sender the servers converge page by page.
describe('a snapshot whose rows fail an expression of the joiner schema', () => {
  let dbs: TempDb[] = [];
  let dir: ReturnType<typeof tempDir>;
  beforeEach(() => {
    dir = tempDir('ess-al3-snap-');
  });
  afterEach(() => {
    for (const temp of dbs) temp.cleanup();
    dbs = [];
    dir.cleanup();
  });

  it('is refused with SNAPSHOT_MISMATCH, imports nothing, and a fixed value then syncs', async () => {
    const source = tempDb('CREATE TABLE t (id TEXT PRIMARY KEY NOT NULL, v TEXT)');
    const joiner = tempDb("CREATE TABLE t (id TEXT PRIMARY KEY NOT NULL, v TEXT CHECK (json_extract(v, '$.a') IS NOT 0))");
    dbs = [source, joiner];
    const from = enableCapture(source.db, { tables: ['t'] });
    const to = enableCapture(joiner.db, { tables: ['t'] });
    source.db.exec("INSERT INTO t VALUES ('r1', 'not json')");
    const lease = await new SnapshotSource(source.db, ['t']).acquire();
    const file = path.join(dir.dir, 'snapshot.sqlite3');
    writeFileSync(file, readFileSync(lease.file));
    lease.release();
    const before = dbDigest(joiner.db);

    expect(() => to.importSnapshot(file, { site: lease.site, seq: lease.seq })).toThrow(
      expect.objectContaining({ code: 'SNAPSHOT_MISMATCH', message: expect.stringMatching(/rows of t in the peer's snapshot do not fit .*SQLite says "malformed JSON"/) }),
    );
    expect(dbDigest(joiner.db)).toBe(before);

    source.db.exec(`UPDATE t SET v = '{"a":1}' WHERE id = 'r1'`);
    pullAll(from, to);
    expect(joiner.db.prepare('SELECT id, v FROM t').raw(true).all()).toEqual([['r1', '{"a":1}']]);
  });
});
