import type Database from 'better-sqlite3';
import type { DecodedChange } from './decoded-change';
import { keyFormsMayDiffer } from './key-affinity';
import { rewriteKeyForm } from './key-forms';
import type { MetaReader, RowMeta } from './meta-reader';
import { numbers } from './prepared';
import { rowRef } from './row-ref';
import type { TableParts } from './settle-batch';
import type { SiteRegistry } from './site-registry';
import type { SqlValue } from './values';
import { newer } from './clock-order';

/** A row whose earlier birth was taken in, waiting for its seq: its metadata key. */
interface Pending {
  readonly tbl: number;
  readonly pk: SqlValue;
}

/**
 * A row's life keeps its earliest birth by (hlc, site) on every server. Two servers may create one row
 * at once (a natural key): each then holds its own birth, and what is stamped relative to a birth would
 * differ between them — a cell without a clock of its own has its row's birth clock (a column added
 * since: a value a migration fills into it is stamped just after the birth, and a later birth would
 * drop it; a UNIQUE claim). An incoming birth earlier than the local one is taken in: the cells that
 * had the local birth's clock keep it as a clock of their own, and the row gets a new seq after the
 * page's own, so the birth reaches every server (the sender lacks this server's cells, so it is no
 * echo of the sender). In a table whose key keeps INTEGER 1 and REAL 1.0 apart in storage (a key
 * column without affinity; the INTEGER and REAL -2^63 in one with INTEGER or NUMERIC affinity) while
 * naming one row, the key also takes the form that birth wrote, so every server ends with the same
 * stored key whatever reached it first.
 */
export class EarlierBirths {
  readonly #meta: MetaReader;
  readonly #sites: SiteRegistry;
  readonly #putCell: Database.Statement;
  readonly #putBirth: Database.Statement;
  readonly #rowSeq: Database.Statement;
  readonly #cellSeq: Database.Statement;
  readonly #pending = new Map<string, Pending>();

  /** Prepares the statements. */
  constructor(db: Database.Database, meta: MetaReader, sites: SiteRegistry) {
    this.#meta = meta;
    this.#sites = sites;
    this.#putCell = numbers(db, 'INSERT INTO _sync_cells (tbl, pk, col, hlc, site, seq) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (tbl, pk, col) DO UPDATE SET hlc = excluded.hlc, site = excluded.site, seq = excluded.seq');
    this.#putBirth = numbers(db, 'UPDATE _sync_rows SET hlc = ?, site = ? WHERE tbl = ? AND pk = ?');
    this.#rowSeq = numbers(db, 'UPDATE _sync_rows SET born = ? WHERE tbl = ? AND pk = ?');
    this.#cellSeq = numbers(db, 'UPDATE _sync_cells SET seq = ? WHERE tbl = ? AND pk = ?');
  }

  /**
   * Takes in the birth of a change at the row's causal length when it is earlier than the local one.
   * @returns the row's metadata afterwards, or undefined when nothing changed
   */
  takeIn(change: DecodedChange, local: RowMeta, parts: TableParts): RowMeta | undefined {
    const table = change.table.table;
    if (!newer(local.hlc, this.#sites.siteOf(local.site), change.hlc, change.site)) return undefined;
    const own = this.#meta.cells(table.id, change.metaKey);
    const cols = table.values.filter((column) => !own.has(column.id)).map((column) => column.id);
    for (const col of cols) this.#putCell.run(table.id, change.metaKey, col, local.hlc, local.site, local.born);
    const site = this.#sites.idOf(change.site);
    this.#putBirth.run(change.hlc, site, table.id, change.metaKey);
    if (formsMayDiffer(change)) rewriteKeyForm(parts, change.key);
    const ref = rowRef(table.id, [change.metaKey]);
    this.#pending.set(ref, { tbl: table.id, pk: change.metaKey });
    return { ...local, hlc: change.hlc, site };
  }

  /**
   * Forgets the rows taken in by a merge that did not reach {@link sequence}: its page was refused
   * part-way and its transaction rolled back their births. Left waiting, they were given a seq by the
   * next merge, so a refused page still re-sent a row to every peer.
   */
  forget(): void {
    this.#pending.clear();
  }

  /**
   * Gives each row taken in since the last call a seq, after `seq` (the page's last).
   * @returns the last seq given, or `seq` when none was
   */
  sequence(seq: number): number {
    let last = seq;
    for (const { tbl, pk } of this.#pending.values()) {
      last += 1;
      this.#rowSeq.run(last, tbl, pk);
      // Every cell, not only those given a clock: no cell may come before its row's birth in seq order (a page
      // cut between them would carry the cell of a row its receiver never saw born).
      this.#cellSeq.run(last, tbl, pk);
    }
    this.#pending.clear();
    return last;
  }
}

/** True when the row's key has a value two servers may store in two forms (see {@link keyFormsMayDiffer}). */
export function formsMayDiffer(change: DecodedChange): boolean {
  return change.table.table.key.some((column, index) => keyFormsMayDiffer(column, change.key[index]));
}
