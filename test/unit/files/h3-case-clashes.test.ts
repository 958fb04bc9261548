import { caseClashes } from '../../../lib/files/case-clashes';
import { NameReport } from '../../../lib/files/name-report';
import type { SyncLogger } from '../../../lib/logger';

describe('caseClashes: paths a case-insensitive disk holds as one', () => {
  it.each<[string, string[], string[][]]>([
    ['two files', ['Config.json', 'config.json', 'other.json'], [['Config.json', 'config.json']]],
    ['three spellings', ['a/README', 'a/Readme', 'a/readme'], [['a/README', 'a/Readme', 'a/readme']]],
    ['a file and a folder', ['Notes', 'notes/day1.txt'], [['Notes', 'notes']]],
    ['two folders, named once (not every file under them)', ['Photos/a.jpg', 'Photos/b.jpg', 'photos/a.jpg', 'photos/c.jpg'], [['Photos', 'photos']]],
    ['two groups, sorted', ['b/X', 'b/x', 'A', 'a'], [['A', 'a'], ['b/X', 'b/x']]],
    ['letters outside ASCII', ['Équipe.txt', 'équipe.txt'], [['Équipe.txt', 'équipe.txt']]],
    ['none: same name in two folders', ['a/config.json', 'b/config.json'], []],
    ['none: nothing', [], []],
  ])('%s', (_label, paths, groups) => {
    expect(caseClashes(paths)).toEqual(groups);
  });

  it('quotes at most 10 paths of one group', () => {
    const spellings = Array.from({ length: 16 }, (_, i) => [...'abcd'].map((c, bit) => ((i >> bit) & 1 ? c.toUpperCase() : c)).join(''));
    const [group] = caseClashes(spellings);
    expect(group).toHaveLength(10);
  });
});

describe('NameReport: case clashes', () => {
  it('reports them per root and warns of each group once, not at every scan', () => {
    const warnings: Array<Record<string, unknown>> = [];
    const logger: SyncLogger = { info() {}, error() {}, warn: (detail) => void warnings.push(detail as Record<string, unknown>) };
    const report = new NameReport(logger);
    for (let scan = 0; scan < 3; scan += 1) report.record('config', [], () => ['Config.json', 'config.json', 'fine.json'], true, Date.UTC(2026, 11, 3));
    expect(report.list()).toEqual([{ root: 'config', at: '2026-12-03T00:00:00.000Z', unsyncableCount: 0, unsyncable: [], caseClashCount: 1, caseClashes: [['Config.json', 'config.json']] }]);
    expect(warnings).toEqual([{ event: 'files.case_clash', root: 'config', count: 1, newCount: 1, groups: [['Config.json', 'config.json']] }]);

    report.record('config', [], () => ['Config.json', 'config.json', 'Notes', 'notes/a.txt'], true);
    expect(warnings.map((line) => line.groups)).toEqual([[['Config.json', 'config.json']], [['Notes', 'notes']]]);

    report.record('config', [], () => ['config.json', 'notes/a.txt'], true);
    expect(report.list()).toEqual([]);
  });

  it('finds them again only when a folder was re-read since (by this scan, or a scan of one folder)', () => {
    const report = new NameReport({ info() {}, warn() {}, error() {} });
    let asked = 0;
    const paths = (list: string[]) => () => {
      asked += 1;
      return list;
    };
    report.record('uploads', [], paths(['A', 'a']), true);
    report.record('uploads', [], paths(['b']), false); // nothing re-read: the listing did not change
    expect([asked, report.counts()]).toEqual([1, [{ root: 'uploads', unsyncable: 0, caseClashes: 1, conflictCopies: 0 }]]);
    report.noteChanged('uploads');
    report.record('uploads', [], paths(['b']), false);
    expect([asked, report.counts()]).toEqual([2, [{ root: 'uploads', unsyncable: 0, caseClashes: 0, conflictCopies: 0 }]]);
  });
});

describe('NameReport: conflict copies on disk', () => {
  const COPY = 'pit/robot.sync-conflict-20261201-101500-ABC1234.txt';

  it('lists them per root with the file they copy, keeps them while nothing was re-read, and drops them once deleted', () => {
    const report = new NameReport({ info() {}, warn() {}, error() {} });
    report.record('uploads', [], () => ['pit/robot.txt', COPY, 'pit/robot.sync-conflict-notes.txt'], true, Date.UTC(2026, 11, 1));
    expect(report.conflictCopies()).toEqual([{ root: 'uploads', at: '2026-12-01T00:00:00.000Z', count: 1, copies: [{ path: 'uploads/pit/robot.txt', copyPath: `uploads/${COPY}` }] }]);
    report.record('uploads', [], () => [], false, Date.UTC(2026, 11, 2)); // nothing re-read: the copies found last hold, as of this scan
    expect(report.conflictCopies()).toEqual([expect.objectContaining({ at: '2026-12-02T00:00:00.000Z', count: 1 })]);
    expect(report.counts()).toEqual([{ root: 'uploads', unsyncable: 0, caseClashes: 0, conflictCopies: 1 }]);
    report.record('uploads', [], () => ['pit/robot.txt'], true);
    expect(report.conflictCopies()).toEqual([]);
    expect(report.counts()).toEqual([{ root: 'uploads', unsyncable: 0, caseClashes: 0, conflictCopies: 0 }]);
  });

  it('takes only a marker in the file name, not in a folder name; a copy of no file there names none', () => {
    const report = new NameReport({ info() {}, warn() {}, error() {} });
    report.record('logs', [], () => ['a.sync-conflict-20261201-101500-ABC1234/x.txt', 'day.sync-conflict-20261201-101500-ABC1234'], true);
    expect(report.conflictCopies()).toEqual([{ root: 'logs', at: expect.any(String), count: 1, copies: [{ path: null, copyPath: 'logs/day.sync-conflict-20261201-101500-ABC1234' }] }]);
  });
});
