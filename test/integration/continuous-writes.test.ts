import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { rootDigests, tableDigests } from '../helpers/convergence';
import { put } from '../helpers/file-roots';
import { startPeers, type LivePeer } from '../helpers/peers';

const WRITE_FOR_MS = 10_000;

/**
 * The seed's failure scenario: one server writes all the time while the
 * others sync with it and with each other. Copying database files corrupted
 * them; syncing as data must leave every database intact and converged.
 */
describe('one server writes continuously while its peers sync for 10 s', () => {
  it('leaves every database passing integrity_check and all of them converged', async () => {
    const cluster = await startPeers(3, 'mesh');
    try {
      const [writer] = cluster.peers as [LivePeer, LivePeer, LivePeer];
      const db = writer.db;
      const team = db.prepare('INSERT INTO teams (id, number, name) VALUES (?, ?, ?)');
      const match = db.prepare('INSERT INTO matches (id, label) VALUES (?, ?)');
      const report = db.prepare(
        "INSERT INTO match_reports (id, match_id, team_id, scout, auto_points, teleop_points, updated_at) VALUES (?, ?, ?, ?, ?, ?, datetime('now'))",
      );
      const bump = db.prepare('UPDATE match_reports SET teleop_points = teleop_points + 1 WHERE id = ?');
      const drop = db.prepare('DELETE FROM match_reports WHERE id = ?');
      const reports: string[] = [];
      let writes = 0;

      for (const peer of cluster.peers) peer.sync.start(150);
      const started = Date.now();
      let round = 0;
      // 10 s of writes, and at least 101 transactions however slow the machine (the syncs run in this process too).
      while (Date.now() - started < WRITE_FOR_MS || writes <= 100) {
        db.transaction(() => {
          const teamId = randomUUID();
          const matchId = randomUUID();
          team.run(teamId, 9000 + round, `team ${round}`);
          match.run(matchId, `M${round}`);
          for (let i = 0; i < 5; i += 1) {
            const id = randomUUID();
            report.run(id, matchId, teamId, `scout ${i}`, i, round);
            reports.push(id);
          }
          const someone = reports[Math.floor(Math.random() * reports.length)];
          if (someone !== undefined) bump.run(someone);
          if (round % 7 === 0 && reports.length > 10) drop.run(reports.splice(0, 1)[0]);
        })();
        writes += 1;
        if (round % 20 === 0) put(path.join(writer.dataDir, 'config'), 'live.json', JSON.stringify({ round }));
        round += 1;
        await new Promise((resolve) => setTimeout(resolve, 2));
      }
      await Promise.all(cluster.peers.map((peer) => peer.sync.stop()));
      expect(writes).toBeGreaterThan(100);

      for (let final = 0; final < 2; final += 1) {
        for (const peer of cluster.peers) for (const result of await peer.sync.syncNow()) expect(result.ok).toBe(true);
      }
      const expected = tableDigests(writer.db);
      for (const peer of cluster.peers) {
        expect(peer.db.pragma('integrity_check', { simple: true })).toBe('ok');
        expect(peer.db.pragma('foreign_key_check')).toEqual([]);
        expect(tableDigests(peer.db)).toEqual(expected);
        expect(rootDigests(peer.dataDir)).toEqual(rootDigests(writer.dataDir));
        const ok = peer.sync.client?.peerStatuses().every((status) => status.lastSuccessAt !== null);
        expect(ok).toBe(true);
      }
    } finally {
      await cluster.close();
    }
  }, 120_000);
});
