import request from 'supertest';
import type { FleetServer } from '../integration/convergence-fleet';

/** Adds team `number` through the sample app's API of a fleet server (201 expected). */
export async function addTeam(server: FleetServer, number: number): Promise<void> {
  await request(server.url).post('/api/teams').send({ number, name: `Team ${number}` }).expect(201);
}

/** The team numbers a fleet server's database holds, in order. */
export function teamNumbers(server: FleetServer): number[] {
  return server.db.prepare('SELECT number FROM teams ORDER BY number').pluck().safeIntegers(false).all() as number[];
}

/** The site id a fleet server's database holds now, read from its metadata. */
export function siteOf(server: FleetServer): string {
  return server.db.prepare('SELECT site FROM _sync_sites WHERE id = 0').pluck().get() as string;
}

/** What `holder` stored as its pull cursor of `of` (the seq of `of` up to which it has every change), if any. */
export function pullCursorOf(holder: FleetServer, of: FleetServer): number | undefined {
  return holder.db.prepare('SELECT seq FROM _sync_peers WHERE site = ?').pluck().get(siteOf(of)) as number | undefined;
}

/** What `holder` stored as its push cursor to `to` (its seq up to which `to` applied its changes), if any. */
export function pushCursorOf(holder: FleetServer, to: FleetServer): number | undefined {
  return holder.db.prepare('SELECT seq FROM _sync_pushed WHERE site = ?').pluck().get(siteOf(to)) as number | undefined;
}
