import type { MetaReader } from './meta-reader';
import type { SiteRegistry } from './site-registry';
import type { TableStatements } from './table-statements';
import type { SqlValue } from './values';

/** A row's claim on its UNIQUE values: the newest clock among its UNIQUE cells, and its key to break ties. */
export interface Claim {
  readonly hlc: number;
  readonly site: string;
  /** The JSON text of the row's wire key. */
  readonly key: string;
}

/** Orders claims: earlier clock first, then site id, then key text. */
export function compareClaims(a: Claim, b: Claim): number {
  if (a.hlc !== b.hlc) return a.hlc < b.hlc ? -1 : 1;
  if (a.site !== b.site) return a.site < b.site ? -1 : 1;
  if (a.key !== b.key) return a.key < b.key ? -1 : 1;
  return 0;
}

/**
 * Reads claims from the clock tables: a row's claim is the greatest `(hlc,
 * site)` among its cells in UNIQUE columns (a cell without its own clock has
 * the row's birth clock). A row the metadata does not know (written while
 * capture was off) claims first.
 */
export class ClaimReader {
  readonly #meta: MetaReader;
  readonly #sites: SiteRegistry;

  /** @param meta - the clock tables; @param sites - site numbers to ids */
  constructor(meta: MetaReader, sites: SiteRegistry) {
    this.#meta = meta;
    this.#sites = sites;
  }

  /** The claim of the row with this key. */
  claimOf(statements: TableStatements, key: readonly SqlValue[]): Claim {
    const { table } = statements;
    const keyText = JSON.stringify(statements.wireKey(key));
    const metaKey = statements.metaKey(key);
    const row = this.#meta.row(table.id, metaKey);
    if (row === undefined) return { hlc: -1, site: '', key: keyText };
    let best = { hlc: row.hlc, site: this.#sites.siteOf(row.site) };
    if (table.claimColumnIds.size === 0) return { ...best, key: keyText };
    for (const cell of this.#meta.cells(table.id, metaKey).values()) {
      if (!table.claimColumnIds.has(cell.col)) continue;
      const site = this.#sites.siteOf(cell.site);
      if (cell.hlc > best.hlc || (cell.hlc === best.hlc && site > best.site)) best = { hlc: cell.hlc, site };
    }
    return { ...best, key: keyText };
  }
}
