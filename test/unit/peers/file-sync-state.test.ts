import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { FileSyncState } from '../../../lib/peers/file-sync-state';
import { tempDir } from '../../helpers/temp';

const SHA = (c: string): string => c.repeat(64);

describe('FileSyncState: a round and a peer’s settlements recorded meanwhile keep each other’s paths', () => {
  let temp: ReturnType<typeof tempDir>;
  let file: string;
  beforeEach(() => {
    temp = tempDir();
    file = path.join(temp.dir, 'state', 'files-peer.json');
  });
  afterEach(() => temp.cleanup());

  const stored = (): Record<string, Record<string, string>> => (JSON.parse(readFileSync(file, 'utf8')) as { roots: Record<string, Record<string, string>> }).roots;

  it('a save writes the paths it settled over what the peer recorded since the load', async () => {
    await FileSyncState.record(file, new Map([['uploads', new Map([['kept.txt', SHA('0')], ['both.txt', SHA('0')]])]]));
    const round = await FileSyncState.load(file);
    round.settle('uploads', 'mine.txt', SHA('1'));
    round.settle('uploads', 'both.txt', SHA('1'));
    await FileSyncState.record(file, new Map([['uploads', new Map([['theirs.txt', SHA('2')], ['both.txt', SHA('2')], ['kept.txt', undefined]])]]));
    await round.save();
    expect(stored()).toEqual({ uploads: { 'mine.txt': SHA('1'), 'both.txt': SHA('1'), 'theirs.txt': SHA('2') } });
    expect(round.base('uploads')).toEqual(new Map([['mine.txt', SHA('1')], ['both.txt', SHA('1')], ['theirs.txt', SHA('2')]]));
    expect(round.savedChanges('uploads')).toEqual(new Map([['mine.txt', SHA('1')], ['both.txt', SHA('1')]]));
  });

  it('settling what the base already says does not overwrite a peer’s newer settlement', async () => {
    await FileSyncState.record(file, new Map([['config', new Map([['t.json', SHA('a')]])]]));
    const round = await FileSyncState.load(file);
    await FileSyncState.record(file, new Map([['config', new Map([['t.json', SHA('b')]])]]));
    round.settle('config', 't.json', SHA('a')); // both sides already held it at the plan: nothing new
    await round.save();
    expect(stored()).toEqual({ config: { 't.json': SHA('b') } });
    expect(round.savedChanges('config').size).toBe(0);
  });

  it('records into a state file that is not a state (edited by hand), which becomes a good one', async () => {
    await FileSyncState.record(file, new Map());
    writeFileSync(file, '{ not json');
    await FileSyncState.record(file, new Map([['static', new Map([['a.css', SHA('c')]])]]));
    expect(stored()).toEqual({ static: { 'a.css': SHA('c') } });
  });

  it('concurrent records and saves of one file all land', async () => {
    const rounds = await Promise.all([FileSyncState.load(file), FileSyncState.load(file)]);
    rounds.forEach((round, i) => round.settle('uploads', `round-${i}.txt`, SHA(String(i))));
    await Promise.all([
      ...rounds.map((round) => round.save()),
      ...[5, 6, 7].map((i) => FileSyncState.record(file, new Map([['uploads', new Map([[`peer-${i}.txt`, SHA(String(i))]])]]))),
    ]);
    expect(Object.keys(stored().uploads ?? {}).sort()).toEqual(['peer-5.txt', 'peer-6.txt', 'peer-7.txt', 'round-0.txt', 'round-1.txt']);
  });
});
