import type { WireChange } from '../../lib/data/changeset';
import { protocol1, protocol2, SITES, T0, type Page, type PageCell, type PageRow, type SchemaOf } from '../property/hostile/page';
import { get, openReceiver, post, replicatedState, tablesDump, type Receiver } from '../property/hostile/receiver';
import { rawJson } from '../property/hostile/schema';

/**
 * Cells with clocks of their own, against the merge rule of docs/PROTOCOL.md
 * ("The replicated state": a higher odd cl revives from every column, equal cl
 * is per-cell last-writer-wins on (hlc, site), site ids compared as strings),
 * each page sent in both protocols to its own server (`notes`: id, title, n, r, b).
 */
const PROTOCOLS = [1, 2] as const;
const row = (key: string, cl: number, hlc: number, site: number, cells: PageCell[]): PageRow => ({ table: 'notes', key: [key], cl, hlc: T0 + hlc, site, cells });
const cell = (name: string, value: unknown, hlc?: number, site?: number): PageCell => (hlc === undefined ? { name, value } : { name, value, hlc: T0 + hlc, site });
const whole = (title: string, n: number, own: Partial<Record<'title' | 'n', [number, number]>> = {}): PageCell[] => [
  own.title === undefined ? cell('title', title) : cell('title', title, ...own.title),
  own.n === undefined ? cell('n', n) : cell('n', n, ...own.n),
  cell('r', 0.5),
  cell('b', null),
];
const page = (...rows: PageRow[]): Page => ({ sites: SITES, rows });

let schema: SchemaOf;
const servers: Receiver[] = [];

async function apply(receiver: Receiver, protocol: 1 | 2, sent: Page): Promise<{ applied: number; ignored: number }> {
  const answer = await post(receiver, rawJson(protocol === 1 ? protocol1(sent, schema) : protocol2(sent, schema)));
  expect([answer.status, answer.body]).toEqual([200, expect.objectContaining({ conflicts: [] }) as unknown]);
  return answer.body as { applied: number; ignored: number };
}

/** The receiver's row `key` as it serves it: cells with the row's clock bare, the others `[value, hlc - T0, site id]`. */
async function served(receiver: Receiver, key: string): Promise<{ cl: number; hlc: number; site: string | undefined; cells: Record<string, unknown> }> {
  const body = (await get(receiver, 'changes?since=0&limit=100')).body as { sites: string[]; changes: WireChange[] };
  const change = body.changes.find((candidate) => candidate.key[0] === key) as WireChange;
  const cells = Object.fromEntries(Object.entries(change.cells ?? {}).map(([name, value]) => [name, Array.isArray(value) ? [value[0], value[1] - T0, body.sites[value[2]]] : value]));
  return { cl: change.cl, hlc: change.hlc - T0, site: body.sites[change.site], cells };
}

function receiver(): Receiver {
  const opened = openReceiver();
  servers.push(opened);
  return opened;
}

beforeAll(async () => {
  schema = (await get(receiver(), 'info')).body.schema as SchemaOf;
});
afterAll(() => servers.splice(0).forEach((server) => server.close()));

describe.each(PROTOCOLS)('protocol %i: cells with clocks of their own', (protocol) => {
  it("a clocked cell whose clock is the row's own (hlc and site) is the bare cell: no clock of its own is kept", async () => {
    const [clocked, bare] = [receiver(), receiver()];
    await apply(clocked, protocol, page(row('k1', 1, 10, 1, whole('a', 1, { title: [10, 1] }))));
    await apply(bare, protocol, page(row('k1', 1, 10, 1, whole('a', 1))));
    expect(await served(clocked, 'k1')).toEqual({ cl: 1, hlc: 10, site: SITES[1], cells: { title: 'a', n: 1, r: 0.5, b: null } });
    expect(await replicatedState(clocked)).toEqual(await replicatedState(bare));
    // (10, site 1), the birth's own clock, is not newer: it loses ('A' is not a greater value than 'a': see value-tie-break); (10, site 2) is newer: it wins.
    expect(await apply(clocked, protocol, page(row('k1', 1, 10, 1, [cell('title', 'A same clock', 10, 1), cell('n', 2, 10, 2)])))).toMatchObject({ applied: 1 });
    expect((await served(clocked, 'k1')).cells).toEqual({ title: 'a', n: [2, 10, SITES[2]], r: 0.5, b: null });
  });

  it('a page where one row has a clocked cell and the next has none keeps each its own clocks', async () => {
    const server = receiver();
    await apply(server, protocol, page(row('k1', 1, 10, 0, whole('a', 1, { title: [15, 2] })), row('k2', 1, 11, 0, whole('b', 2)), row('k3', 1, 12, 1, whole('c', 3, { n: [13, 0] }))));
    expect((await served(server, 'k1')).cells).toEqual({ title: ['a', 15, SITES[2]], n: 1, r: 0.5, b: null });
    expect((await served(server, 'k2')).cells).toEqual({ title: 'b', n: 2, r: 0.5, b: null });
    expect((await served(server, 'k3')).cells).toEqual({ title: 'c', n: [3, 13, SITES[0]], r: 0.5, b: null });
  });

  it('a row revived (higher odd cl) with a clocked cell takes every column, keeps that clock and drops the older life’s', async () => {
    const server = receiver();
    await apply(server, protocol, page(row('k1', 1, 10, 0, whole('a', 1, { title: [13, 0], n: [14, 1] }))));
    await apply(server, protocol, page(row('k1', 3, 20, 0, whole('revived', 7, { title: [22, 1] }))));
    expect(await served(server, 'k1')).toEqual({ cl: 3, hlc: 20, site: SITES[0], cells: { title: ['revived', 22, SITES[1]], n: 7, r: 0.5, b: null } });
    // Same life: title at (21, 2) is older than its own clock (22, 1) and loses; n at (21, 0) beats the birth (20, 0).
    expect(await apply(server, protocol, page(row('k1', 3, 20, 0, [cell('title', 'lost', 21, 2), cell('n', 8, 21, 0)])))).toMatchObject({ applied: 1 });
    expect((await served(server, 'k1')).cells).toEqual({ title: ['revived', 22, SITES[1]], n: [8, 21, SITES[0]], r: 0.5, b: null });
    // An older life's cells are ignored whatever their clocks.
    expect(await apply(server, protocol, page(row('k1', 1, 10, 0, [cell('title', 'old life', 90, 2)])))).toMatchObject({ applied: 0, ignored: 1 });
  });

  it('cell updates on a row the receiver holds: last writer wins on (hlc, site), a tie on hlc goes to the greater site id', async () => {
    const server = receiver();
    await apply(server, protocol, page(row('k1', 1, 10, 1, whole('a', 1))));
    expect(await apply(server, protocol, page(row('k1', 1, 10, 1, [cell('title', 'x', 12, 1), cell('n', 5, 11, 0)])))).toMatchObject({ applied: 1 });
    expect(await apply(server, protocol, page(row('k1', 1, 10, 1, [cell('title', 'loses', 12, 0), cell('n', 6, 11, 1), cell('r', 0.25, 10, 1)])))).toMatchObject({ applied: 1 }); // r: the birth's clock, a smaller value (a tie of clocks goes to the greater)
    expect((await served(server, 'k1')).cells).toEqual({ title: ['x', 12, SITES[1]], n: [6, 11, SITES[1]], r: 0.5, b: null });
    // The same pages again change nothing.
    expect(await apply(server, protocol, page(row('k1', 1, 10, 1, [cell('title', 'x', 12, 1), cell('n', 6, 11, 1)])))).toMatchObject({ applied: 0, ignored: 1 });
  });
});

it("protocol 1: a change's cells in another order than the table's columns land in their own columns", async () => {
  const [shuffled, ordered] = [receiver(), receiver()];
  const cells = whole('t', 7, { n: [12, 2] });
  await apply(shuffled, 1, page(row('k1', 1, 10, 0, [...cells].reverse())));
  await apply(ordered, 1, page(row('k1', 1, 10, 0, cells)));
  expect(tablesDump(shuffled)).toContain('notes text:6B31|text:74|integer:i:7|real:r:0.5|null:null');
  expect(await replicatedState(shuffled)).toEqual(await replicatedState(ordered));
  await apply(shuffled, 1, page(row('k1', 1, 10, 0, [cell('r', 1.5, 11, 0), cell('title', 'u', 11, 0)])));
  expect(tablesDump(shuffled)).toContain('notes text:6B31|text:75|integer:i:7|real:r:1.5|null:null');
});
