import type { WireChange } from '../../../lib/data/changeset';
import type { Page, PageRow } from './page';
import { tableNamed } from './schema';

/** A clock: hlc and site id. */
type Clock = readonly [number, string];

/** A row's replicated state as the merge rule of docs/PROTOCOL.md makes it: its life and the clock of every cell. */
interface RowState {
  readonly cl: number;
  readonly clock: Clock;
  readonly cells: ReadonlyMap<string, Clock>;
}

/** The replicated clocks of every row, by `[table, key]` as JSON. */
export type ClockState = Map<string, RowState>;

const newer = (a: Clock, b: Clock): boolean => a[0] > b[0] || (a[0] === b[0] && a[1] > b[1]);
const idOf = (row: { readonly table: string; readonly key: readonly unknown[] }): string => JSON.stringify([row.table, row.key]);
const keyIsText = (value: unknown): boolean => typeof value === 'object' && value !== null && '$text' in value;

function cellClock(row: PageRow, sites: readonly string[], name: string): Clock {
  const cell = row.cells.find((candidate) => candidate.name === name);
  if (cell?.hlc === undefined) return [row.hlc as number, sites[row.site as number] as string];
  return [cell.hlc as number, sites[cell.site as number] as string];
}

/**
 * Merges an honest page's rows into `state` by the merge rule alone (causal
 * length, then per-cell last-writer-wins on (hlc, site), a life keeping its
 * earliest birth); constraints never
 * change clocks. Returns the refusal of the first row that meets one (a `$text`
 * key, a dead row with cells, a cell clock older than its row's, a row created
 * or revived without every column), or undefined; rows are taken in page order,
 * and on an early page a row one change of which is passed over is passed over
 * for the rest of the page,
 * as protocol 1 decodes and merges them.
 */
export function mergeModel(state: ClockState, page: Page, early: boolean): string | undefined {
  // On an early page, a row one of whose changes was passed over is passed over for the rest of the page.
  const passedOver = new Set<string>();
  for (const row of page.rows) {
    const table = tableNamed(row.table);
    const id = idOf(row);
    const local = state.get(id);
    const cl = row.cl as number;
    const clock: Clock = [row.hlc as number, page.sites[row.site as number] as string];
    if (row.key.some(keyIsText)) return 'INVALID_VALUE';
    if (cl % 2 === 0 && row.cells.length > 0) return 'INVALID_CHANGESET';
    if (row.cells.some((cell) => newer(clock, cellClock(row, page.sites, cell.name)))) return 'INVALID_CHANGESET';
    // Passed over after the checks: every change of a page is decoded (and refused) whether or not it is merged.
    if (passedOver.has(id)) continue;
    const localCl = local?.cl ?? 0;
    if (cl < localCl || (cl === localCl && (cl % 2 === 0 || local === undefined))) continue;
    if (cl > localCl && cl % 2 === 0) {
      state.set(id, { cl, clock, cells: new Map() });
      continue;
    }
    if (cl > localCl) {
      if (row.cells.length < table.columns.length) {
        if (early) {
          passedOver.add(id);
          continue;
        }
        return 'INCOMPLETE_ROW';
      }
      state.set(id, { cl, clock, cells: new Map(table.columns.map((column) => [column.name, cellClock(row, page.sites, column.name)])) });
      continue;
    }
    const cells = new Map((local as RowState).cells);
    for (const cell of row.cells) {
      const incoming = cellClock(row, page.sites, cell.name);
      const held = cells.get(cell.name) as Clock;
      if (newer(incoming, held)) cells.set(cell.name, incoming);
    }
    // A row's life keeps its earliest birth: the cells keep their clocks (the local birth's included).
    const held = (local as RowState).clock;
    state.set(id, { ...(local as RowState), clock: newer(held, clock) ? clock : held, cells });
  }
  return undefined;
}

/** The clocks a receiver serves (its whole page): life and row clock, and each cell's clock or `row` for the row's own. */
export function servedClocks(changes: readonly WireChange[], sites: readonly string[]): Record<string, unknown> {
  return Object.fromEntries(
    changes.map((change) => {
      const cells = Object.entries(change.cells ?? {}).map(([name, cell]) => [name, Array.isArray(cell) ? [cell[1], sites[cell[2]]] : 'row']);
      return [idOf(change), { cl: change.cl, clock: [change.hlc, sites[change.site]], cells: Object.fromEntries(cells) }];
    }),
  );
}

/** The model's state written as {@link servedClocks} writes a receiver's. */
export function modelClocks(state: ClockState): Record<string, unknown> {
  return Object.fromEntries(
    [...state].map(([id, row]) => {
      const cells = [...row.cells].map(([name, clock]) => [name, clock[0] === row.clock[0] && clock[1] === row.clock[1] ? 'row' : [...clock]]);
      return [id, { cl: row.cl, clock: [...row.clock], cells: Object.fromEntries(cells) }];
    }),
  );
}
