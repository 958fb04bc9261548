import type Database from 'better-sqlite3';
import { numbers } from './prepared';

/**
 * The two cursors this server keeps per peer site, both seqs:
 * - the **pull cursor** (`_sync_peers`): the peer's seq up to which its
 *   changes are applied here, saved by the merge in the same transaction as
 *   the page that moved it;
 * - the **push cursor** (`_sync_pushed`): our seq up to which the peer has
 *   applied our changes, saved after the peer answered.
 * Both tables are created with the rest of the metadata (`META_DDL`).
 */
export class PeerCursors {
  readonly #pull: Database.Statement;
  readonly #pullMark: Database.Statement;
  readonly #savePull: Database.Statement;
  readonly #saveView: Database.Statement;
  readonly #push: Database.Statement;
  readonly #savePush: Database.Statement;
  readonly #forget: (site: string) => void;

  /** Prepares the statements (the metadata must exist). */
  constructor(db: Database.Database) {
    this.#pull = numbers(db, 'SELECT seq FROM _sync_peers WHERE site = ?').pluck();
    // The pull cursor, or the view kept when this server last took a new id, whichever is further (the cursor on a tie).
    this.#pullMark = numbers(
      db,
      `SELECT seq, mark FROM (SELECT seq, mark, 1 AS rank FROM _sync_peers WHERE site = ? UNION ALL SELECT seq, mark, 0 FROM _sync_peer_views WHERE site = ?)
       ORDER BY seq DESC, rank DESC LIMIT 1`,
    );
    this.#savePull = numbers(db, 'INSERT INTO _sync_peers (site, seq, mark) VALUES (?, ?, ?) ON CONFLICT (site) DO UPDATE SET seq = excluded.seq, mark = excluded.mark');
    this.#saveView = numbers(
      db,
      'INSERT INTO _sync_peer_views (site, seq, mark) VALUES (?, ?, ?) ON CONFLICT (site) DO UPDATE SET seq = excluded.seq, mark = excluded.mark WHERE excluded.seq > _sync_peer_views.seq',
    );
    this.#push = numbers(db, 'SELECT seq FROM _sync_pushed WHERE site = ?').pluck();
    this.#savePush = numbers(db, 'INSERT INTO _sync_pushed (site, seq) VALUES (?, ?) ON CONFLICT (site) DO UPDATE SET seq = max(seq, excluded.seq)');
    const keepView = numbers(
      db,
      `INSERT INTO _sync_peer_views (site, seq, mark) SELECT site, seq, mark FROM _sync_peers WHERE site = ?
       ON CONFLICT (site) DO UPDATE SET seq = excluded.seq, mark = excluded.mark WHERE excluded.seq >= _sync_peer_views.seq`,
    );
    const dropPull = numbers(db, 'DELETE FROM _sync_peers WHERE site = ?');
    const dropPush = numbers(db, 'DELETE FROM _sync_pushed WHERE site = ?');
    this.#forget = db.transaction((site: string) => {
      keepView.run(site);
      dropPull.run(site);
      dropPush.run(site);
    });
  }

  /** The peer's seq up to which its changes are applied here; 0 when none. */
  pull(site: string): number {
    return (this.#pull.get(site) as number | undefined) ?? 0;
  }

  /** The pull cursor of `site` with the mark its page carried there (see docs/PROTOCOL.md, "Identity"); null mark when none came. */
  pullWithMark(site: string): { readonly seq: number; readonly mark: string | null } {
    return (this.#pullMark.get(site, site) as { seq: number; mark: string | null } | undefined) ?? { seq: 0, mark: null };
  }

  /** Moves the pull cursor of `site` (inside the transaction that applied the page), with the mark the page carried. */
  savePull(site: string, seq: number, mark: string | undefined): void {
    this.#savePull.run(site, seq, mark ?? null);
  }

  /**
   * Keeps what a page of `site` that moves no pull cursor told of its history: its `next` and mark, as this
   * server's view of that site (never moved back). A page pushed after seqs its sender passed over (windows
   * that held only this server's own changes) starts past the pull cursor, so the cursor stays; a server
   * that only receives pushes would then hold an old view of the sender, which a rewound sender's history
   * still matches. The view is evidence only: it is what `/data/info` tells the sender (see {@link pullWithMark}),
   * never where a pull starts.
   */
  saveView(site: string, seq: number, mark: string | undefined): void {
    this.#saveView.run(site, seq, mark ?? null);
  }

  /** Our seq up to which `site` has every change of ours; 0 when never pushed. */
  push(site: string): number {
    return (this.#push.get(site) as number | undefined) ?? 0;
  }

  /** Records that `site` applied our changes up to `seq` (never moves back). */
  savePush(site: string, seq: number): void {
    this.#savePush.run(site, seq);
  }

  /**
   * Forgets both cursors of `site`, as a new site id forgets every peer's (see {@link clearPullCursors}): it is
   * pulled from its start again and receives every change of ours again (applying is idempotent: nothing is lost).
   * What the pull cursor said is kept as this server's view of `site`, for its identity checks. For a site id two
   * servers answer (`DUPLICATE_SITE_ID`): either may have moved these cursors, and neither can be trusted for the other.
   */
  forget(site: string): void {
    this.#forget(site);
  }
}

/** Forgets every push cursor, so peers receive everything again (after a new site id). */
export function clearPushCursors(db: Database.Database): void {
  const exists = numbers(db, "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = '_sync_pushed'").get() !== undefined;
  if (exists) numbers(db, 'DELETE FROM _sync_pushed').run();
}

/**
 * Forgets every pull cursor, so every peer is pulled from its start again (after a new site id: the changes
 * this database passed over as its own under the old id, those of a copy that shared it, are then received).
 * What each cursor said is kept as this server's view of that peer (`_sync_peer_views`: seq and mark), which
 * `/data/info` and the handshake still show until a new cursor passes it: the only evidence a peer has that it
 * was rewound or copied is what other servers hold of it, so a new id here must not erase it.
 */
export function clearPullCursors(db: Database.Database): void {
  const exists = numbers(db, "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = '_sync_peers'").get() !== undefined;
  if (!exists) return;
  db.exec('CREATE TABLE IF NOT EXISTS _sync_peer_views (site TEXT PRIMARY KEY, seq INTEGER NOT NULL, mark TEXT) WITHOUT ROWID');
  numbers(
    db,
    `INSERT INTO _sync_peer_views (site, seq, mark) SELECT site, seq, mark FROM _sync_peers WHERE true
     ON CONFLICT (site) DO UPDATE SET seq = excluded.seq, mark = excluded.mark WHERE excluded.seq >= _sync_peer_views.seq`,
  ).run();
  numbers(db, 'DELETE FROM _sync_peers').run();
}
