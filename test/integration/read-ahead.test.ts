import { randomUUID } from 'node:crypto';
import zlib from 'node:zlib';
import request from 'supertest';
import { PageReadAhead } from '../../routes/read-ahead';
import { pullAll, tableRows, trackedDb } from '../helpers/data';
import { makeApp, TEST_TOKEN } from '../helpers/server';

const AUTH = { Authorization: `Bearer ${TEST_TOKEN}` };
const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

function addTeams(db: ReturnType<typeof trackedDb>['db'], count: number): void {
  const insert = db.prepare('INSERT INTO teams (id, name) VALUES (?, ?)');
  db.transaction(() => {
    for (let i = 0; i < count; i += 1) insert.run(randomUUID(), `team ${i}`);
  })();
}

describe('the sender reads the next page ahead', () => {
  it('reads page k+1 while page k is out, so every page is read once', async () => {
    const source = trackedDb();
    try {
      addTeams(source.db, 50);
      const reads: number[] = [];
      const pages = new PageReadAhead(({ since, limit, exclude }) => {
        reads.push(since);
        return source.tracker.readChanges(since, limit, exclude);
      }, () => source.tracker.siteId);
      let since = 0;
      for (let page = 0; page < 5; page += 1) {
        const body = JSON.parse(pages.page({ since, limit: 10, exclude: undefined, protocol: 1 }).toString('utf8')) as { next: number; more: boolean; changes: unknown[] };
        expect(body.changes).toHaveLength(10);
        await tick();
        // The next page was read before it was asked for, and is not read again when it is.
        if (body.more) expect(reads.at(-1)).toBe(body.next);
        since = body.next;
      }
      expect(reads).toEqual([...new Set(reads)]);
      expect(reads).toHaveLength(5); // the fifth page says more: false, so nothing is read after it
    } finally {
      source.cleanup();
    }
  });

  it('serves a page read ahead with a smaller limit to a puller whose pages grew (no page read twice)', async () => {
    const source = trackedDb();
    try {
      addTeams(source.db, 40);
      const reads: Array<[number, number]> = [];
      const pages = new PageReadAhead(({ since, limit, exclude }) => {
        reads.push([since, limit]);
        return source.tracker.readChanges(since, limit, exclude);
      }, () => source.tracker.siteId);
      const first = JSON.parse(pages.page({ since: 0, limit: 5, exclude: undefined, protocol: 1 }).toString('utf8')) as { next: number; changes: unknown[] };
      await tick();
      await tick();
      const readsBefore = reads.length;
      // The puller now asks five times as many rows: the 5-row page read ahead is a valid answer (a page may hold fewer).
      const second = JSON.parse(pages.page({ since: first.next, limit: 25, exclude: undefined, protocol: 1 }).toString('utf8')) as { changes: unknown[] };
      expect(second.changes).toHaveLength(5);
      expect(reads.slice(readsBefore).some(([since]) => since === first.next)).toBe(false);
      // A page read ahead with a larger limit than asked is never served: it is read again at the asked size.
      const small = JSON.parse(pages.page({ since: 0, limit: 2, exclude: undefined, protocol: 1 }).toString('utf8')) as { changes: unknown[] };
      expect(small.changes).toHaveLength(2);
    } finally {
      source.cleanup();
    }
  });

  it('never serves a page read ahead under the site id the server had before a new one (its marks went with it)', async () => {
    const [source, target] = [trackedDb(), trackedDb()];
    try {
      addTeams(source.db, 30);
      const app = makeApp({ database: source.db, tables: ['teams', 'reports'] });
      const old = ((await request(app).get('/api/sync/data/info').set(AUTH)).body as { site: string }).site;
      const first = await request(app).get('/api/sync/data/changes').query({ since: 0, limit: 5, exclude_site: target.tracker.siteId, protocol: 2 }).set(AUTH);
      expect(first.body).toMatchObject({ site: old, more: true });
      await tick();
      await tick(); // the next pages are read ahead
      // A peer says it holds more of this server's changes than it has: a rewound copy, so it takes a new site id.
      const info = await request(app).get('/api/sync/data/info').query({ seen_site: old, seen_seq: source.tracker.info().seq + 1000 }).set(AUTH);
      const now = (info.body as { site: string }).site;
      expect(now).not.toBe(old);
      const second = await request(app).get('/api/sync/data/changes').query({ since: (first.body as { next: number }).next, limit: 5, exclude_site: target.tracker.siteId, protocol: 2 }).set(AUTH);
      expect(second.body).toMatchObject({ site: now });
    } finally {
      source.cleanup();
      target.cleanup();
    }
  });

  it('compresses the pages read ahead in the coding the peer asked in, and serves each page in the coding asked when served', async () => {
    const source = trackedDb();
    try {
      addTeams(source.db, 60);
      const pages = new PageReadAhead(({ since, limit, exclude }) => source.tracker.readChanges(since, limit, exclude), () => source.tracker.siteId);
      const first = pages.page({ since: 0, limit: 20, exclude: undefined, protocol: 1, coding: 'gzip' });
      const firstBody = await pages.body(first, 'gzip');
      expect(zlib.gunzipSync(firstBody).equals(first)).toBe(true);
      await tick();
      await tick();
      const { next } = JSON.parse(first.toString('utf8')) as { next: number };
      // Read and compressed ahead in gzip: served in gzip as it was compressed, and in br or as it is when asked so.
      const second = pages.page({ since: next, limit: 20, exclude: undefined, protocol: 1, coding: 'gzip' });
      expect((JSON.parse(second.toString('utf8')) as { changes: unknown[] }).changes).toHaveLength(20);
      expect(zlib.gunzipSync(await pages.body(second, 'gzip')).equals(second)).toBe(true);
      expect(zlib.brotliDecompressSync(await pages.body(second, 'br')).equals(second)).toBe(true);
      expect((await pages.body(second, 'identity')).equals(second)).toBe(true);
    } finally {
      source.cleanup();
    }
  });

  it('a page read ahead before new writes still converges: the writes arrive in the next round', async () => {
    const [source, target] = [trackedDb(), trackedDb()];
    try {
      addTeams(source.db, 30);
      const app = makeApp({ database: source.db, tables: ['teams', 'reports'] });
      let since = 0;
      for (;;) {
        const page = await request(app).get('/api/sync/data/changes').query({ since, limit: 7, exclude_site: target.tracker.siteId }).set(AUTH);
        addTeams(source.db, 2); // written while the next page was already read
        target.tracker.applyChangeset(page.body);
        since = (page.body as { next: number }).next;
        if ((page.body as { more: boolean }).more !== true) break;
      }
      pullAll(source.tracker, target.tracker);
      expect(tableRows(target.db, 'teams')).toEqual(tableRows(source.db, 'teams'));
    } finally {
      source.cleanup();
      target.cleanup();
    }
  });
});
