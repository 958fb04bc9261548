import { readFileSync } from 'node:fs';
import path from 'node:path';
import { nextMillisecond } from '../../helpers/clock';
import { pullAll, trackedDb } from '../../helpers/data';

/**
 * Incremental BLOB I/O (`sqlite3_blob_write`: the C API, Python's `Connection.blobopen`; better-sqlite3
 * has no such call) changes a cell's bytes with no UPDATE, so no capture trigger fires and the change
 * never travels (checked with Python's blobopen on a captured database: no log entry, the peer kept the
 * old bytes). The docs now say so where they say what is captured, with the workaround; this test holds
 * them to it, and checks the workaround's mechanics with better-sqlite3: an UPDATE writing the same
 * bytes logs nothing, one through another value in one transaction sends the bytes.
 */
const docs = path.join(__dirname, '../../../docs');

describe('incremental BLOB I/O, a write no trigger sees', () => {
  it('PROTOCOL.md ("Storage") and API.md (enableCapture) name it and the fix', () => {
    const protocol = readFileSync(path.join(docs, 'PROTOCOL.md'), 'utf8');
    const storage = protocol.slice(protocol.indexOf('## Storage (informative)'), protocol.indexOf('## NATS JetStream transport'));
    expect(storage).toMatch(/A limit: a change that fires no trigger is not captured\. SQLite's incremental BLOB I\/O\s+\(`sqlite3_blob_write`/);
    expect(storage).toMatch(/Write BLOBs with `UPDATE`/);
    const api = readFileSync(path.join(docs, 'API.md'), 'utf8');
    const capture = api.slice(api.indexOf('### enableCapture(db, options)'), api.indexOf('A migration run while the server is stopped'));
    expect(capture).toMatch(/not a BLOB changed in place through incremental\s+BLOB I\/O, `sqlite3_blob_write`, which fires no trigger: write BLOBs with `UPDATE`/);
  });

  it('the workaround: an UPDATE of the same bytes logs nothing; through another value in one transaction, the bytes travel', () => {
    const a = trackedDb();
    const b = trackedDb();
    try {
      a.db.prepare("INSERT INTO teams (id, name, logo) VALUES ('t1', 'one', ?)").run(Buffer.from('ZZZZ'));
      pullAll(a.tracker, b.tracker);
      b.db.prepare("UPDATE teams SET logo = ? WHERE id = 't1'").run(Buffer.from('AAAA')); // b now differs, as a cell written in place would
      nextMillisecond(); // a's writes below are later than b's
      const seq = a.tracker.capturedSeq();
      a.db.prepare("UPDATE teams SET logo = ? WHERE id = 't1'").run(Buffer.from('ZZZZ'));
      expect(a.tracker.capturedSeq()).toBe(seq);
      a.db.transaction(() => {
        a.db.prepare("UPDATE teams SET logo = NULL WHERE id = 't1'").run();
        a.db.prepare("UPDATE teams SET logo = ? WHERE id = 't1'").run(Buffer.from('ZZZZ'));
      })();
      expect(a.tracker.capturedSeq()).toBeGreaterThan(seq);
      pullAll(a.tracker, b.tracker);
      expect(b.db.prepare("SELECT logo FROM teams WHERE id = 't1'").pluck().get()).toEqual(Buffer.from('ZZZZ'));
    } finally {
      a.cleanup();
      b.cleanup();
    }
  });
});
