import { conflictId, type StoredParkedRow } from './parked-rows';
import { RowProbes } from './row-probes';
import type { TableParts } from './settle-batch';
import type { TableStatements } from './table-statements';
import { encodeValue, type SqlValue, type WireValue } from './values';
import type { ConflictEntry, ConflictReason, ConflictReport } from './wire-schema';

/** A row (values in column order) as conflicts show it: column name to wire value. */
export function rowObject(statements: TableStatements, values: readonly SqlValue[]): Record<string, WireValue> {
  const { table } = statements;
  return Object.fromEntries(table.columns.map((column, index) => [column.name, encodeValue(values[index] ?? null, `${table.name}.${column.name}`)]));
}

type Holder = ConflictEntry['holder'];

/**
 * The most bytes of JSON a page of `GET /data/conflicts` holds (1 MiB), besides
 * a single conflict larger than that, which comes alone (docs/PROTOCOL.md).
 */
export const CONFLICTS_PAGE_BYTES = 1024 * 1024;

/** A page of conflicts, and whether more follow its last one (read them with `after` = its last id). */
export interface ConflictPage {
  readonly conflicts: ConflictEntry[];
  readonly more: boolean;
}

/**
 * Lists the conflicts — the parked rows of every tracked table — in id order,
 * each with what keeps it out: the admitted row holding its UNIQUE values, or
 * the parent it points at and that is missing. Messages are built from the
 * replicated state only, so every server shows the same list.
 */
export class ConflictList {
  readonly #parts: readonly TableParts[];
  readonly #probes: RowProbes;

  /** @param parts - every tracked table's homes; @param probes - the visible tables' probes */
  constructor(parts: readonly TableParts[], probes: RowProbes) {
    this.#parts = parts;
    this.#probes = probes;
  }

  /** How many rows are parked, over every table. */
  count(): number {
    return this.#parts.reduce((total, parts) => total + parts.parked.count(), 0);
  }

  /** Conflicts with an id after `afterId` (`''`: from the first), at most `limit`, in id order. */
  list(afterId: string, limit: number): ConflictEntry[] {
    return this.page(afterId, limit, Number.POSITIVE_INFINITY).conflicts;
  }

  /**
   * A page of conflicts after `afterId`, in id order: at most `limit`, and
   * stopped before their JSON passes `maxBytes` (but never empty while
   * conflicts follow: a single larger one comes alone). Rows are read one at a
   * time, so a page of big cells is never held whole before it is cut.
   */
  page(afterId: string, limit: number, maxBytes: number): ConflictPage {
    const ids: { parts: TableParts; id: string }[] = [];
    for (const parts of this.#parts) for (const id of parts.parked.ids(afterId, limit + 1)) ids.push({ parts, id });
    ids.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    const conflicts: ConflictEntry[] = [];
    let bytes = 64; // the answer around them: {"conflicts":[…],"more":true}
    for (const { parts, id } of ids.slice(0, limit)) {
      const row = parts.parked.row(id);
      if (row === undefined) continue;
      const entry = this.#entry(parts, row);
      bytes += Buffer.byteLength(JSON.stringify(entry)) + 1;
      if (conflicts.length > 0 && bytes > maxBytes) break;
      conflicts.push(entry);
    }
    return { conflicts, more: ids.length > conflicts.length };
  }

  /** The conflict with this id, or undefined. */
  find(id: string): { readonly parts: TableParts; readonly key: SqlValue[] } | undefined {
    for (const parts of this.#parts) {
      const key = parts.parked.byId(id);
      if (key !== undefined) return { parts, key };
    }
    return undefined;
  }

  /** The report of a row an apply parked (what `POST /data/changes` answers). */
  report(parts: TableParts, key: readonly SqlValue[]): ConflictReport {
    const wireKey = parts.statements.wireKey(key);
    const reason = parts.parked.reason(key) ?? 'UNIQUE';
    const { message } = this.#explain(parts, reason, key, parts.parked.select(key) ?? []);
    return { id: conflictId(parts.statements.table.name, wireKey), table: parts.statements.table.name, key: wireKey, reason, message };
  }

  #entry(parts: TableParts, row: StoredParkedRow): ConflictEntry {
    const { statements } = parts;
    const { holder, message } = this.#explain(parts, row.reason, row.key, row.values);
    const keyColumns = statements.table.key.map((column) => column.name);
    return { id: row.id, table: statements.table.name, key: statements.wireKey(row.key), reason: row.reason, message, parked: rowObject(statements, row.values), holder, at: row.at, keyColumns };
  }

  #explain(parts: TableParts, reason: ConflictReason, key: readonly SqlValue[], values: readonly SqlValue[]): { holder: Holder; message: string } {
    const { statements } = parts;
    const name = statements.table.name;
    if (reason === 'FOREIGN_KEY') {
      for (const fk of statements.table.foreignKeys) {
        const reference = RowProbes.pick(values, fk.fromColumns);
        if (reference.some((value) => value === null) || this.#probes.parentVisible(statements, fk, reference)) continue;
        const wire = reference.map((value) => encodeValue(value, `${name}.${fk.from.join(',')}`));
        return { holder: { table: fk.parent, key: wire }, message: `FOREIGN KEY: this ${name} row points at ${fk.parent} ${JSON.stringify(wire)}, which is not there` };
      }
      return { holder: null, message: `FOREIGN KEY: this ${name} row waits for a parent row` };
    }
    if (reason === 'CHECK') return { holder: null, message: `CHECK: the merged values of this ${name} row break a CHECK constraint of the table` };
    for (const unique of statements.table.uniques) {
      const claimed = RowProbes.pick(values, unique.columns);
      if (claimed.some((value) => value === null)) continue;
      const holderKey = this.#probes.holders(statements, unique, claimed)[0] ?? parts.parked.claimants(unique, claimed, 'FOREIGN_KEY')[0];
      if (holderKey === undefined || JSON.stringify(statements.wireKey(holderKey)) === JSON.stringify(statements.wireKey(key))) continue;
      const holderRow = statements.select(holderKey) ?? parts.parked.select(holderKey) ?? [];
      return { holder: rowObject(statements, holderRow), message: `${unique.label}: ${name} ${JSON.stringify(statements.wireKey(holderKey))} holds these values by an earlier claim` };
    }
    return { holder: null, message: `UNIQUE: another ${name} row holds these values by an earlier claim` };
  }
}
