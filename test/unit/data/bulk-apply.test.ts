import { randomUUID } from 'node:crypto';
import { BULK_APPLY_CHANGES } from '../../../lib/data/change-tracker';
import type { WireChangeset } from '../../../lib/data/changeset';
import { dbDigest, trackedDb } from '../../helpers/data';

function triggerCount(temp: ReturnType<typeof trackedDb>): number {
  return temp.db.prepare("SELECT count(*) FROM sqlite_schema WHERE type = 'trigger' AND name LIKE '\\_sync\\_%' ESCAPE '\\'").pluck().get() as number;
}

/** A source database with enough rows for a bulk changeset. */
function bulkSource(): { source: ReturnType<typeof trackedDb>; page: WireChangeset } {
  const source = trackedDb();
  const team = randomUUID();
  source.db.prepare("INSERT INTO teams (id, name) VALUES (?, 'bulk team')").run(team);
  const insert = source.db.prepare("INSERT INTO reports (id, team_id, match, scout, score) VALUES (?, ?, ?, 'scout', ?)");
  source.db.transaction(() => {
    for (let i = 0; i < BULK_APPLY_CHANGES + 10; i += 1) insert.run(randomUUID(), team, `Q${i}`, i);
  })();
  return { source, page: source.tracker.readChanges(0, BULK_APPLY_CHANGES * 2) };
}

describe('a bulk apply (capture triggers set aside inside the transaction)', () => {
  it('keeps every trigger, does not capture the merge as local, and captures local writes afterwards', () => {
    const { source, page } = bulkSource();
    const target = trackedDb();
    try {
      expect(page.changes.length).toBeGreaterThanOrEqual(BULK_APPLY_CHANGES);
      const before = triggerCount(target);
      const result = target.tracker.applyChangeset(page);
      expect(result.applied).toBe(page.changes.length);
      expect(triggerCount(target)).toBe(before);
      // Nothing of the merge is sent back to the source as if it were ours.
      expect(target.tracker.readChanges(0, 10_000, source.tracker.siteId).changes).toEqual([]);
      // A local write after the bulk apply is captured.
      target.db.prepare("UPDATE reports SET score = 999 WHERE match = 'Q1'").run();
      const local = target.tracker.readChanges(result.seq, 100, source.tracker.siteId);
      expect(local.changes).toHaveLength(1);
      expect(local.changes[0]).toMatchObject({ table: 'reports', cells: { score: expect.anything() } });
    } finally {
      target.cleanup();
      source.cleanup();
    }
  });

  it('rolls the triggers back with everything else when the changeset is refused midway', () => {
    const { source, page } = bulkSource();
    const target = trackedDb();
    try {
      // The last change revives nothing it can complete: a birth without its NOT NULL columns.
      const broken = { ...page, changes: [...page.changes.slice(0, -1), { ...page.changes.at(-1), cells: { score: 1 } }] };
      const before = dbDigest(target.db);
      expect(() => target.tracker.applyChangeset(broken)).toThrow(expect.objectContaining({ code: 'INCOMPLETE_ROW' }));
      expect(dbDigest(target.db)).toBe(before);
      target.db.prepare("INSERT INTO teams (id, name) VALUES (?, 'after the refusal')").run(randomUUID());
      expect(target.tracker.readChanges(0, 100).changes).toHaveLength(1);
    } finally {
      target.cleanup();
      source.cleanup();
    }
  });

  it('reports the error that merging change by change meets first, though rows are placed and changes decoded in stretches', () => {
    const { source, page } = bulkSource();
    const target = trackedDb();
    try {
      const before = dbDigest(target.db);
      const reportsAt = page.changes.map((change, index) => [change, index] as const).filter(([change]) => change.table === 'reports');
      const [, early] = reportsAt[5] ?? [];
      const [, late] = reportsAt.at(-1) ?? [];
      if (early === undefined || late === undefined) throw new Error('no reports in the page');
      const refused = { ...page.changes[early], cells: { ...page.changes[early]?.cells, match: null } }; // NOT NULL here
      const unknown = { ...page.changes[late], cells: { ...page.changes[late]?.cells, nope: 1 } };
      const withBoth = (first: unknown, second: unknown): WireChangeset => ({ ...page, changes: page.changes.map((change, index) => (index === early ? first : index === late ? second : change)) as WireChangeset['changes'] });
      expect(() => target.tracker.applyChangeset(withBoth(refused, unknown))).toThrow(expect.objectContaining({ code: 'INVALID_VALUE' }));
      expect(() => target.tracker.applyChangeset(withBoth(unknown, refused))).toThrow(expect.objectContaining({ code: 'UNKNOWN_COLUMN' }));
      expect(dbDigest(target.db)).toBe(before);
    } finally {
      target.cleanup();
      source.cleanup();
    }
  });
});
