import type { TableStatements } from './table-statements';
import type { WireValue } from './values';
import type { CompactRow, CompactTable } from './compact-schema';
import { boundedCl, type WireCell, type WireChange } from './wire-schema';

/** One slot per non-key column of a table, in its order: a bare value, `[value, hlc, site]`, or undefined (not sent). */
export type PageCells = (WireCell | undefined)[];

/**
 * Where the reader puts the changes of a page, one row at a time. Two shapes:
 * protocol 1's objects ({@link ObjectPage}) and protocol 2's compact tables
 * ({@link CompactPage}). `cells` is the reader's scratch array: copy what you keep.
 */
export interface PageSink {
  /** One row: its key, causal length, birth clock and site index; `cells` undefined for a deleted row. */
  add(table: TableStatements, key: WireValue[], cl: number, hlc: number, site: number, cells: Readonly<PageCells> | undefined): void;
}
// Both sinks send `boundedCl(cl)`: a database holding a larger cl (from before MAX_CL) still sends pages every peer accepts.

/** Protocol 1: one object per change, cells named in each (docs/PROTOCOL.md, "The changeset"). */
export class ObjectPage implements PageSink {
  /** The changes, in the order they were read. */
  readonly changes: WireChange[] = [];

  /** Adds one change. */
  add(table: TableStatements, key: WireValue[], cl: number, hlc: number, site: number, cells: Readonly<PageCells> | undefined): void {
    const sent = boundedCl(cl);
    if (cells === undefined) {
      this.changes.push({ table: table.table.name, key, cl: sent, hlc, site });
      return;
    }
    const named: Record<string, WireCell> = {};
    const { values } = table.table;
    for (let index = 0; index < values.length; index += 1) {
      const cell = cells[index];
      if (cell === undefined) continue;
      const { name } = values[index] as { name: string };
      // A column named `__proto__` is an own property, as JSON.parse makes it on the other side (an assignment would set the prototype).
      if (name === '__proto__') Object.defineProperty(named, name, { value: cell, enumerable: true, writable: true, configurable: true });
      else named[name] = cell;
    }
    this.changes.push({ table: table.table.name, key, cl: sent, hlc, site, cells: named });
  }
}

/** The marker of a column a compact row does not send (values are never arrays, clocked cells have three items). */
const NOT_SENT: [] = [];

/**
 * Protocol 2: per table, the non-key columns named once and each row an array
 * `[key, cl, hlc, site, cell…]` (docs/PROTOCOL.md, "The compact page"): the key
 * bare for a one-column key, an array otherwise; `[]` for a column not sent;
 * trailing columns not sent left out.
 */
export class CompactPage implements PageSink {
  /** The tables of the page, in the order their first row was read. */
  readonly tables: CompactTable[] = [];
  readonly #byId = new Map<number, CompactTable>();

  /** Adds one row to its table's list. */
  add(table: TableStatements, key: WireValue[], cl: number, hlc: number, site: number, cells: Readonly<PageCells> | undefined): void {
    const { id, name, values } = table.table;
    let entry = this.#byId.get(id);
    if (entry === undefined) {
      entry = { table: name, columns: values.map((column) => column.name), rows: [] };
      this.#byId.set(id, entry);
      this.tables.push(entry);
    }
    const row: CompactRow = [key.length === 1 ? (key[0] as WireValue) : key, boundedCl(cl), hlc, site];
    if (cells !== undefined) {
      let last = values.length - 1;
      while (last >= 0 && cells[last] === undefined) last -= 1;
      for (let index = 0; index <= last; index += 1) {
        const cell = cells[index];
        row.push(cell === undefined ? NOT_SENT : cell);
      }
    }
    entry.rows.push(row);
  }
}
