import { formatStatus } from '../../bin/commands/status';

type Status = Parameters<typeof formatStatus>[0];

function statusWith(fileNameProblems: unknown): Status {
  return { site: 'a'.repeat(32), seq: 1, conflicts: 0, peers: [], fileNameProblems } as unknown as Status;
}

// `status` said nothing of the files left out of sync for their names: an operator learnt of a
// photo that never travelled only by looking for it on the other laptop.
describe('express-sqlite-sync status: file names that do not sync', () => {
  it('names the root, the count and a few names with why, then "… and N more"', () => {
    const unsyncable = Array.from({ length: 20 }, (_, i) => ({ path: `photos/e\u0301-${i}.jpg`, reason: 'the path is not in Unicode NFC form' }));
    const text = formatStatus(statusWith([{ root: 'uploads', at: '2026-12-03T10:00:00.000Z', unsyncableCount: 23, unsyncable }]));
    expect(text).toContain('! FILE NAMES NOT SYNCED in uploads (23): no peer would take them; rename them');
    expect(text).toContain('    photos/e\u0301-0.jpg: the path is not in Unicode NFC form');
    expect(text).toContain('photos/e\u0301-4.jpg');
    expect(text).not.toContain('photos/e\u0301-5.jpg');
    expect(text).toContain('    … and 18 more');
  });

  it('names the groups of paths that differ only in case, a few, then "… and N more"', () => {
    const caseClashes = Array.from({ length: 7 }, (_, i) => [`Config-${i}.json`, `config-${i}.json`]);
    const text = formatStatus(statusWith([{ root: 'config', at: 'x', unsyncableCount: 0, unsyncable: [], caseClashCount: 7, caseClashes }]));
    expect(text).toContain('! NAMES DIFFERING ONLY IN CASE in config (7): a Mac or Windows server keeps one of each and overwrites the other; rename all but one');
    expect(text).toContain('    Config-0.json  ·  config-0.json');
    expect(text).not.toContain('Config-5.json');
    expect(text).toContain('    … and 2 more');
    expect(text).not.toContain('FILE NAMES NOT SYNCED');
  });

  it('keeps a name with a line break on one line, and says nothing for none, an older server, or an odd entry', () => {
    const text = formatStatus(statusWith([{ root: 'uploads', at: 'x', unsyncableCount: 1, unsyncable: [{ path: 'a\nFORGED LINE', reason: 'control characters' }] }]));
    expect(text.split('\n').filter((line) => line.includes('FORGED LINE'))).toEqual(['    a FORGED LINE: control characters']);
    for (const nothing of [[], undefined, null, 'x', [{ root: 5 }], [{ root: 'uploads', unsyncableCount: 0, unsyncable: [] }]]) {
      expect(formatStatus(statusWith(nothing))).not.toContain('FILE NAMES');
    }
  });
});
