import path from 'node:path';
import type express from 'express';
import Database from 'better-sqlite3';
import { SnapshotSource } from '../../lib/data/snapshot-source';
import { joinFromPeer } from '../../lib/peers/snapshot-join';
import { sendSnapshot } from '../../routes/snapshot';
import { joinServersPerTest } from '../helpers/join-servers';
import { addTeams, TABLES } from '../helpers/snapshot';
import { TEST_TOKEN } from '../helpers/server';
import { tempDir } from '../helpers/temp';

const TEAMS = 50;
/** The joiner's timeout: ms without a byte before it gives up on the peer. */
const TIMEOUT_MS = 1000;
/** How long the peer's build takes here: three of the joiner's timeouts (a large database's VACUUM INTO). */
const BUILD_MS = 3 * TIMEOUT_MS;

/**
 * A peer builds its snapshot (VACUUM INTO a temp folder, fold, hash) before it can send the first
 * header of its answer; for a large database that takes minutes. The joiner's `peerTimeoutMs`
 * counts time without a byte, so a join from a peer that was working failed as PEER_TIMEOUT
 * ("no answer for 30000 ms"). The peer now sends `102 Processing` while it builds: the join
 * waits for a working peer, and still gives up on one that sends nothing (ah4-timeout-fix-named).
 */
describe('a snapshot that takes longer to build than the joiner’s timeout', () => {
  const servers = joinServersPerTest('ess-aj3-slow-build-');
  let temp: ReturnType<typeof tempDir>;
  beforeEach(() => {
    temp = tempDir('ess-aj3-slow-join-');
  });
  afterEach(() => temp.cleanup());

  it('is waited for: the join succeeds, with the peer’s rows', async () => {
    const late: { route?: express.RequestHandler } = {}; // A's own route until A's slow one is made
    const a = await servers.start('a', { before: [['/data/snapshot', (req, res, next) => (late.route === undefined ? next() : late.route(req, res, next))]] });
    addTeams(a.data.db, TEAMS, 'a');
    const tracker = a.node.tracker;
    if (tracker === undefined) throw new Error('A has no tracker');
    const source = new SnapshotSource(a.data.db, TABLES);
    /** A's snapshots, each built only after BUILD_MS: as slow as a large database's. */
    const slow = {
      acquire: async () => {
        await new Promise((resolve) => setTimeout(resolve, BUILD_MS));
        return source.acquire();
      },
    };
    late.route = (req, res) => sendSnapshot({ snapshots: slow, tracker, buildKeepAliveMs: 50 }, req, res);

    const db = path.join(temp.dir, 'new', 'app.db');
    const result = await joinFromPeer({ url: a.syncUrl, token: TEST_TOKEN, db, peerTimeoutMs: TIMEOUT_MS });
    expect(result).toMatchObject({ peerSite: tracker.siteId, pullError: undefined });
    const joined = new Database(db, { readonly: true });
    try {
      expect(joined.prepare('SELECT count(*) FROM teams').pluck().get()).toBe(TEAMS);
    } finally {
      joined.close();
    }
  }, 30_000);
});
