import { comparable, expectSentWhole, postChecked } from './hostile/checks';
import { baselinePage, protocol1, protocol2, SITES, T0, type Page, type PageRow, type SchemaOf } from './hostile/page';
import { get, openReceiver, post, replicatedState } from './hostile/receiver';
import { HOSTILE_KEYS, HOSTILE_TABLES, HOSTILE_VALUES, rawJson, VALUES } from './hostile/schema';

/*
 * Every hostile value of hostile/schema.ts in every cell (bare and clocked)
 * and every key position of every table, one row per page, sent in both
 * protocols to a pair of long-lived servers: never a 5xx, a refusal changes no
 * byte, an applied page applied again changes nothing, both protocols answer
 * alike and the two servers end alike; what they serve rebuilds their tables.
 */
describe('hostile values everywhere, both protocols', () => {
  let schema: SchemaOf;

  beforeAll(async () => {
    const probe = openReceiver();
    try {
      schema = (await get(probe, 'info')).body.schema as SchemaOf;
    } finally {
      probe.close();
    }
  });

  it('every hostile value in every cell (bare and clocked) and every key of every table: both protocols answer and end alike', async () => {
    const [compact, objects] = [openReceiver(), openReceiver()];
    try {
      for (const receiver of [compact, objects]) expect((await post(receiver, rawJson(protocol1(baselinePage(), schema)))).status).toBe(200);
      const rows: PageRow[] = [];
      for (const table of HOSTILE_TABLES) {
        const cells = table.columns.map((column) => ({ name: column.name, value: VALUES[column.kind][0] }));
        table.columns.forEach((target, index) =>
          HOSTILE_VALUES.forEach((value, pick) => {
            const hlc = T0 + 100 + rows.length;
            // `[]` bare is a cell not sent on a compact page (a protocol 1 change refuses it): sent clocked, both refuse it.
            const own = pick % 2 === 0 && !(Array.isArray(value) && value.length === 0) ? { value } : { value, hlc: hlc + 1, site: 1 };
            rows.push({ table: table.name, key: table.keys[pick % 5] as unknown[], cl: 1, hlc, site: 0, cells: cells.map((cell, at) => (at === index ? { name: target.name, ...own } : cell)) });
          }),
        );
        table.key.forEach((_, position) =>
          HOSTILE_KEYS.forEach((value) => rows.push({ table: table.name, key: (table.keys[4] as unknown[]).map((part, at) => (at === position ? value : part)), cl: 1, hlc: T0 + 100 + rows.length, site: 0, cells })),
        );
      }
      for (const [index, row] of rows.entries()) {
        const page: Page = { sites: SITES, rows: [row] };
        const label = `row ${index}: ${rawJson(row)}`;
        const two = await postChecked(compact, rawJson(protocol2(page, schema)), `protocol 2, ${label}`);
        const one = await postChecked(objects, rawJson(protocol1(page, schema)), `protocol 1, ${label}`);
        expect({ label, two: comparable(two) }).toEqual({ label, two: comparable(one) });
      }
      expect(await replicatedState(compact)).toEqual(await replicatedState(objects));
      await expectSentWhole(compact, 'protocol 2');
    } finally {
      compact.close();
      objects.close();
    }
  }, 240_000);
});
