import type { CheckedChangeset, DecodedChange } from './changeset';
import { newer } from './clock-order';
import type { MetaReader } from './meta-reader';
import type { SiteRegistry } from './site-registry';
import { boundedCl } from './wire-schema';

/**
 * True when a change holds a part written under this site's id that this
 * database does not hold. Every write of this database is in its clock
 * tables, and a clock there never goes back, so a part of its own is always
 * held at least as new: a row it never saw, a later life of a row, a second
 * birth of one life, or a cell newer than the cell's clock here was written
 * by another process under this site's id (a copy of this database).
 */
function lacksOwnPart(change: DecodedChange, meta: MetaReader, sites: SiteRegistry): boolean {
  const own = sites.local;
  const row = meta.row(change.table.table.id, change.metaKey);
  if (change.site === own) {
    if (row === undefined) return true;
    const cl = boundedCl(row.cl);
    if (change.cl > cl || (change.cl === cl && sites.siteOf(row.site) === own && row.hlc !== change.hlc)) return true;
  }
  const cells = change.cells.filter((cell) => cell.site === own);
  if (cells.length === 0) return false;
  if (row === undefined) return true;
  const clocks = meta.cells(row.tbl, change.metaKey);
  return cells.some((cell) => {
    const clock = clocks.get(cell.column.id);
    return newer(cell.hlc, cell.site, clock?.hlc ?? row.hlc, sites.siteOf(clock?.site ?? row.site));
  });
}

/**
 * True when a page carries a change, or a cell, written under this site's id
 * that this database does not hold (see {@link lacksOwnPart}): a page that only
 * a copy of this database that kept its site id (a clone) can have written.
 * A page this database wrote holds nothing it lacks, whenever it is read again.
 */
export function lacksOwnChanges(checked: CheckedChangeset, meta: MetaReader, sites: SiteRegistry): boolean {
  for (const change of checked.changes()) if (lacksOwnPart(change, meta, sites)) return true;
  return false;
}
