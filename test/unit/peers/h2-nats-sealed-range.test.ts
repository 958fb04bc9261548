import type { ChangeTracker } from '../../../lib/data/change-tracker';
import { FleetSeal } from '../../../lib/peers/nats/fleet-seal';
import { pageMessageId, parseMessageId } from '../../../lib/peers/nats/page-message';
import { SealedRange } from '../../../lib/peers/nats/sealed-range';
import { trackedDb, type TempDb } from '../../helpers/data';

const SITE = '0123456789abcdef0123456789abcdef';
const [RIGHT, WRONG, NEXT] = ['the-fleet-token-of-this-season', 'a-token-typed-wrong-on-one-laptop', 'the-token-of-next-season'];

describe('SealedRange: which token sealed this site\'s messages, and what is published again when it is no longer held', () => {
  let db: TempDb & { readonly tracker: ChangeTracker };
  const republished: number[] = [];
  const range = (tokens: readonly string[]): SealedRange => new SealedRange(db.tracker, 'S', SITE, new FleetSeal(tokens));
  const reconcile = (tokens: readonly string[], published: number, start = 0): ReturnType<SealedRange['reconcile']> => range(tokens).reconcile(published, start, (from) => republished.push(from));

  beforeEach(() => {
    db = trackedDb();
    republished.length = 0;
  });
  afterEach(() => db.cleanup());

  it('a wrong token fixed: what it sealed is published again, from where it began, with a tagged id; the same token again publishes nothing more', () => {
    expect(reconcile([WRONG], 0)).toBeUndefined();
    expect(reconcile([RIGHT], 40)).toEqual({ from: 0, upTo: 40 });
    expect(republished).toEqual([0]);
    const tag = range([RIGHT]).tagFor(10);
    expect(tag).toMatch(/^[0-9a-f]{16}$/);
    expect(range([RIGHT]).tagFor(40)).toBeUndefined(); // a page after what was republished keeps the plain id
    const id = pageMessageId(SITE, 10, 20, tag);
    expect(parseMessageId(id)).toEqual({ site: SITE, first: 11, last: 20 });
    expect(reconcile([RIGHT], 40)).toBeUndefined();
    expect(republished).toEqual([0]);
  });

  it('a rotation that keeps the old token publishes nothing again, and a server that never sealed anything republishes nothing', () => {
    expect(reconcile([RIGHT], 10)).toBeUndefined();
    expect(reconcile([NEXT, RIGHT], 30)).toBeUndefined();
    expect(reconcile([NEXT], 50)).toBeUndefined();
    expect(reconcile([], 60)).toBeUndefined(); // no tokens: nothing is sealed
    expect(republished).toEqual([]);
    expect(reconcile([WRONG], 60)).toEqual({ from: 30, upTo: 60 }); // what NEXT sealed, from where it began
  });

  it('starts from the snapshot the database began with, and a token changed before it sealed anything publishes nothing again', () => {
    expect(reconcile([WRONG], 100, 100)).toBeUndefined();
    expect(reconcile([RIGHT], 100, 100)).toBeUndefined();
    expect(republished).toEqual([]);
  });

  it('never keeps a token, only an id of it', () => {
    reconcile([WRONG], 0);
    const kept = db.tracker.transportCursor('nats:S:sealer:' + SITE) ?? '';
    expect(kept).not.toContain(WRONG);
    expect(kept).toMatch(/^[0-9a-f]{16} 0 0$/);
  });
});
