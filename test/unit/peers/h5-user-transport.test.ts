import { enableCapture, SyncError, type ChangeTracker, type ChangeTransport, type ExchangeCount, type ExchangeProgress, type TransportCursor, type TransportStatus } from '../../../index';
import { tempDb, TEST_SCHEMA, type TempDb } from '../../helpers/data';

/** One message on the shared log: who wrote it, and the page. */
interface Message {
  readonly from: string;
  readonly page: unknown;
}

/**
 * A transport written as a user of the package would, with the public API only
 * (`import … from 'express-sqlite-sync'`): pages of `readChanges` go onto a shared
 * log, everybody else's are applied with their position (`applyChangesetWithCursor`).
 * Before, `ExchangeProgress` (the type of `exchange`'s parameter) and
 * `TransportCursor` (of `applyChangesetWithCursor`'s) were not exported, so such a
 * class could not name them.
 */
class LogTransport implements ChangeTransport {
  readonly kind = 'http' as const;
  readonly name = 'log:demo';
  readonly #tracker: ChangeTracker;
  readonly #log: Message[];

  constructor(tracker: ChangeTracker, log: Message[]) {
    this.#tracker = tracker;
    this.#log = log;
  }

  start(): void {}

  exchange(onProgress?: ExchangeProgress): Promise<ExchangeCount> {
    const tracker = this.#tracker;
    let rowsOut = 0;
    for (let more = true; more; ) {
      const page = tracker.readChanges(Number(tracker.transportCursor('log:out') ?? 0), 2);
      if (page.changes.length > 0) this.#log.push({ from: tracker.siteId, page });
      rowsOut += page.changes.length;
      tracker.saveTransportCursor('log:out', String(page.next));
      more = page.more === true;
    }
    onProgress?.('push', rowsOut);
    let rowsIn = 0;
    for (let at = Number(tracker.transportCursor('log:in') ?? 0); at < this.#log.length; at += 1) {
      const message = this.#log[at] as Message;
      const cursor: TransportCursor = { name: 'log:in', value: String(at + 1) };
      if (message.from === tracker.siteId) tracker.saveTransportCursor(cursor.name, cursor.value);
      else rowsIn += tracker.applyChangesetWithCursor(message.page, cursor, 'log:out').applied;
    }
    onProgress?.('pull', rowsIn, 0);
    return Promise.resolve({ rowsIn, rowsOut, conflicts: 0 });
  }

  status(): TransportStatus {
    const position = Number(this.#tracker.transportCursor('log:in') ?? 0);
    return { kind: this.kind, name: this.name, state: 'idle', position, lag: this.#log.length - position, lastError: null };
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}

describe('a ChangeTransport written with the public API only', () => {
  const temps: TempDb[] = [];
  afterEach(() => temps.splice(0).forEach((temp) => temp.cleanup()));
  const server = (): TempDb & { tracker: ChangeTracker } => {
    const temp = tempDb(TEST_SCHEMA);
    temps.push(temp);
    return { ...temp, tracker: enableCapture(temp.db, { tables: ['teams', 'reports'] }) };
  };
  const rows = (temp: TempDb): unknown[] => temp.db.prepare('SELECT * FROM teams ORDER BY id').all();

  it('converges three servers, sends nothing back it brought in, and a refused page moves neither rows nor its cursor', async () => {
    const log: Message[] = [];
    const [a, b, c] = [server(), server(), server()];
    const [ta, tb, tc] = [a, b, c].map((each) => new LogTransport(each.tracker, log)) as [LogTransport, LogTransport, LogTransport];
    for (let i = 0; i < 5; i += 1) a.db.prepare('INSERT INTO teams (id, name, number) VALUES (?, ?, ?)').run(`a${i}`, `A${i}`, i);
    expect(await ta.exchange()).toEqual({ rowsIn: 0, rowsOut: 5, conflicts: 0 });
    expect(await tb.exchange()).toEqual({ rowsIn: 5, rowsOut: 0, conflicts: 0 }); // echo: A's rows are not published again
    b.db.prepare("UPDATE teams SET name = 'by B' WHERE id = 'a1'").run();
    expect((await tb.exchange()).rowsOut).toBe(1);
    await tc.exchange();
    await ta.exchange();
    expect(rows(b)).toEqual(rows(a));
    expect(rows(c)).toEqual(rows(a));
    expect(tc.status()).toMatchObject({ position: log.length, lag: 0 });

    const before = c.tracker.transportCursor('log:in');
    const refused = { ...(log[0]?.page as object), changes: [{ table: 'no_such_table', op: 'insert', key: { id: 'x' }, cells: {} }] };
    expect(() => c.tracker.applyChangesetWithCursor(refused, { name: 'log:in', value: '999' })).toThrow(SyncError);
    expect(c.tracker.transportCursor('log:in')).toBe(before);
    expect(rows(c)).toEqual(rows(a));
  });
});
