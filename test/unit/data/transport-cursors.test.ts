import { randomUUID } from 'node:crypto';
import { dbDigest, trackedDb, type TempDb } from '../../helpers/data';
import type { ChangeTracker } from '../../../lib/data/change-tracker';
import type { WireChangeset } from '../../../lib/data/wire-schema';

type Tracked = TempDb & { readonly tracker: ChangeTracker };

describe('ChangeTracker.applyChangesetWithCursor: a page and its transport cursor in one transaction', () => {
  let a: Tracked;
  let b: Tracked;
  beforeEach(() => {
    a = trackedDb();
    b = trackedDb();
  });
  afterEach(() => {
    a.cleanup();
    b.cleanup();
  });

  function pageOfTeams(count: number): WireChangeset {
    const insert = a.db.prepare('INSERT INTO teams (id, name, number) VALUES (?, ?, ?)');
    for (let i = 0; i < count; i += 1) insert.run(randomUUID(), `team ${i}`, i);
    return a.tracker.readChanges(0, 1000);
  }

  it('applies the page and saves the cursor together; the merge does not read it', () => {
    const page = pageOfTeams(3);
    const result = b.tracker.applyChangesetWithCursor(page, { name: 'test:applied', value: '17' });
    expect(result.applied).toBe(3);
    expect(b.tracker.transportCursor('test:applied')).toBe('17');
    expect(b.db.prepare('SELECT count(*) FROM teams').pluck().get()).toBe(3);
  });

  it.each<[string, (page: WireChangeset) => unknown]>([
    ['not an object', () => 'nonsense'],
    ['a wrong protocol', (page) => ({ ...page, protocol: 99 })],
    ['an unknown table', (page) => ({ ...page, changes: [{ ...page.changes[0], table: 'nope' }] })],
    ['an unknown column', (page) => ({ ...page, changes: [{ ...page.changes[0], cells: { nope: 1 } }] })],
    ['another schema', (page) => ({ ...page, schema: { ...page.schema, fingerprint: 'f'.repeat(64) } })],
    ['a clock far in the future', (page) => ({ ...page, changes: page.changes.map((change) => ({ ...change, hlc: (Date.now() + 86_400_000) * 1024 })) })],
    ['a good change then a bad value', (page) => ({ ...page, changes: [...page.changes, { ...page.changes[0], key: [null] }] })],
  ])('refuses %s: nothing applied, the cursor does not move', (_name, spoil) => {
    const page = pageOfTeams(2);
    b.tracker.saveTransportCursor('test:applied', '5');
    const before = dbDigest(b.db);
    expect(() => b.tracker.applyChangesetWithCursor(spoil(page), { name: 'test:applied', value: '6' })).toThrow();
    expect(dbDigest(b.db)).toBe(before);
    expect(b.tracker.transportCursor('test:applied')).toBe('5');
  });

  it('moves the echo cursor past the page when nothing local was left to send, not otherwise', () => {
    b.tracker.saveTransportCursor('test:sent', String(b.tracker.info().seq));
    const first = b.tracker.applyChangesetWithCursor(pageOfTeams(2), { name: 'test:applied', value: '1' }, 'test:sent');
    expect(b.tracker.transportCursor('test:sent')).toBe(String(first.seq));
    b.db.prepare('INSERT INTO teams (id, name) VALUES (?, ?)').run(randomUUID(), 'written here, not sent yet');
    const sentBefore = b.tracker.transportCursor('test:sent');
    const second = b.tracker.applyChangesetWithCursor(pageOfTeams(2), { name: 'test:applied', value: '2' }, 'test:sent');
    expect(second.applied).toBeGreaterThan(0);
    expect(b.tracker.transportCursor('test:sent')).toBe(sentBefore);
  });

  it('saveTransportCursor with undefined forgets a cursor; capturedSeq sees writes before they are folded', () => {
    b.tracker.saveTransportCursor('test:x', '1');
    b.tracker.saveTransportCursor('test:x', undefined);
    expect(b.tracker.transportCursor('test:x')).toBeUndefined();
    const seq = b.tracker.info().seq;
    b.db.prepare('INSERT INTO teams (id, name) VALUES (?, ?)').run(randomUUID(), 'new');
    expect(b.tracker.capturedSeq()).toBeGreaterThan(seq);
  });
});
