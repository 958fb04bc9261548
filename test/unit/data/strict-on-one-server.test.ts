import { enableCapture } from '../../../lib/data/capture';
import { SyncError } from '../../../lib/sync-error';
import { dbDigest, pullAll, tempDb, type TempDb } from '../../helpers/data';

// STRICT (like NOT NULL) is not part of the schema fingerprint: a table
// declared STRICT on one server only syncs until a value arrives that the
// other server's table took and this one refuses. Every page carrying it is
// refused, round after round; the message says why and what to change.
describe('a table STRICT on one server only', () => {
  const temps: TempDb[] = [];
  afterEach(() => temps.splice(0).forEach((temp) => temp.cleanup()));
  const make = (strict: boolean): { temp: TempDb; tracker: ReturnType<typeof enableCapture> } => {
    const temp = tempDb(`CREATE TABLE teams (id TEXT PRIMARY KEY NOT NULL, number INTEGER)${strict ? ' STRICT' : ''};`);
    temps.push(temp);
    return { temp, tracker: enableCapture(temp.db, { tables: ['teams'] }) };
  };

  it('refuses the page with INVALID_VALUE naming the value, the column and the difference in declarations, writing nothing', () => {
    const [loose, strict] = [make(false), make(true)];
    expect(loose.tracker.info().schema.fingerprint).toBe(strict.tracker.info().schema.fingerprint);
    loose.temp.db.exec("INSERT INTO teams VALUES ('t1', 971), ('t2', 'nine')");
    const before = dbDigest(strict.temp.db);
    let error: unknown;
    try {
      pullAll(loose.tracker, strict.tracker);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(SyncError);
    expect(error).toMatchObject({ code: 'INVALID_VALUE', status: 400 });
    expect((error as Error).message).toBe(
      'a change to teams holds a value its column refuses here: cannot store TEXT value in INTEGER column teams.number; the sending server stored it, so its table is declared otherwise (STRICT, NOT NULL): declare it the same on every server, or change the value there',
    );
    expect(dbDigest(strict.temp.db)).toBe(before);

    loose.temp.db.exec("UPDATE teams SET number = 9 WHERE id = 't2'");
    pullAll(loose.tracker, strict.tracker);
    expect(strict.temp.db.prepare('SELECT id, number FROM teams ORDER BY id').raw(true).all()).toEqual([
      ['t1', 971],
      ['t2', 9],
    ]);
  });
});
