import { randomUUID } from 'node:crypto';
import type Database from 'better-sqlite3';

/** Writes `count` match reports by `scout`, with 40 new teams and the matches they need, in one transaction: `count + 40 + ceil(count / 40)` rows. */
export function writeReports(db: Database.Database, count: number, scout: string): void {
  const team = db.prepare('INSERT INTO teams (id, number, name) VALUES (?, ?, ?)');
  const match = db.prepare('INSERT INTO matches (id, label) VALUES (?, ?)');
  const report = db.prepare('INSERT INTO match_reports (id, match_id, team_id, scout, auto_points, teleop_points, notes, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)');
  db.transaction(() => {
    const teams = Array.from({ length: 40 }, (_, i) => {
      const id = randomUUID();
      team.run(id, i + 1, `${scout} team ${i}`);
      return id;
    });
    const matches = Array.from({ length: Math.ceil(count / teams.length) }, (_, i) => {
      const id = randomUUID();
      match.run(id, `${scout} Q${i}`);
      return id;
    });
    for (let i = 0; i < count; i += 1) report.run(randomUUID(), matches[Math.floor(i / teams.length)], teams[i % teams.length], scout, i % 20, i % 50, `note ${i}`, new Date().toISOString());
  })();
}
