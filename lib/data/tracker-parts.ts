import type Database from 'better-sqlite3';
import { ChangeMerger } from './change-merger';
import { ChangeReader } from './change-reader';
import { ClaimReader } from './claims';
import { ConflictList } from './conflict-list';
import { ConflictResolver } from './conflict-resolver';
import { EchoRanges } from './echo-ranges';
import { ForeignKeySettler } from './foreign-key-settler';
import { LogFolder } from './log-folder';
import { MetaReader } from './meta-reader';
import { ParkedRows } from './parked-rows';
import { PeerCursors } from './peer-cursors';
import { PagesAhead } from './pages-ahead';
import { PullingPeers } from './pulling-peers';
import { PushesInFlight } from './pushes-in-flight';
import { StoredForms } from './stored-form';
import { RowPlacer } from './row-placer';
import { RowProbes } from './row-probes';
import type { TableParts } from './settle-batch';
import { SiteGuard } from './site-guard';
import { SiteRegistry } from './site-registry';
import { TableStatements } from './table-statements';
import { TransportCursors } from './transport-cursors';
import type { TrackedTable } from './tracked-table';
import { UniqueSettler } from './unique-settler';
import { VisibleState } from './visible-state';

/** What a tracker is made of, built once by {@link buildParts}. */
export interface TrackerParts {
  readonly byName: ReadonlyMap<string, TableStatements>;
  readonly tables: ReadonlyMap<number, TableParts>;
  readonly folder: LogFolder;
  readonly sites: SiteRegistry;
  /** Reads the clock tables. */
  readonly meta: MetaReader;
  readonly reader: ChangeReader;
  readonly merger: ChangeMerger;
  readonly visible: VisibleState;
  readonly conflicts: ConflictList;
  readonly resolver: ConflictResolver;
  readonly cursors: PeerCursors;
  readonly transportCursors: TransportCursors;
  readonly guard: SiteGuard;
  /** Windows of local seqs that merging a sender's changesets wrote: not sent back to it. */
  readonly echo: EchoRanges;
  /** Peers pulling pages from this server right now: a push to them gives way. */
  readonly pulling: PullingPeers;
  /** This server's push pages on their way to peers: a pull by such a peer waits for them. */
  readonly pushes: PushesInFlight;
  /** Pages applied here ahead of their sender's pull cursor: the cursor moves past them once it reaches them. */
  readonly ahead: PagesAhead;
}

/** Builds a tracker's parts over one connection: every statement is prepared here, once. */
export function buildParts(db: Database.Database, tables: readonly TrackedTable[]): TrackerParts {
  const statements = tables.map((table) => new TableStatements(db, table));
  const stored = new StoredForms(db);
  const homes = new Map(statements.map((entry) => [entry.table.id, { statements: entry, parked: new ParkedRows(db, entry, stored) }]));
  const meta = new MetaReader(db);
  const sites = new SiteRegistry(db);
  const cursors = new PeerCursors(db);
  const probes = new RowProbes(statements);
  const folder = new LogFolder(db);
  const conflicts = new ConflictList([...homes.values()], probes);
  const unique = new UniqueSettler(db, new ClaimReader(meta, sites), probes);
  const foreignKeys = new ForeignKeySettler(probes, new Map([...homes.values()].map((parts) => [parts.statements.table.name, parts])));
  return {
    byName: new Map(statements.map((entry) => [entry.table.name, entry])),
    tables: homes,
    folder,
    sites,
    meta,
    reader: new ChangeReader(db, homes, meta, sites),
    merger: new ChangeMerger(db, meta, sites, new RowPlacer(probes, stored), cursors, homes),
    visible: new VisibleState(db, { folder, probes, unique, foreignKeys, conflicts, tables: homes }),
    conflicts,
    resolver: new ConflictResolver(db, conflicts),
    cursors,
    transportCursors: new TransportCursors(db),
    guard: new SiteGuard(db, () => sites.local),
    echo: new EchoRanges(db),
    pulling: new PullingPeers(),
    pushes: new PushesInFlight(),
    ahead: new PagesAhead(),
  };
}

