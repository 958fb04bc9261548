import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { callApi, create, uploadPhoto } from './client';
import type { DemoServer } from './cluster';

/** Ids the scenario's later steps and checks need. */
export interface SeededRows {
  /** The report every server edits at the same time. */
  readonly sharedReport: string;
  /** The report deleted on the first server while the last one edits it. */
  readonly racedReport: string;
}

/** Writes a file into a root of a server's data directory, as an operator or another program would. */
export function writeRootFile(server: DemoServer, root: string, relative: string, content: string): void {
  const file = path.join(server.dataDir, root, relative);
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, content);
}

/** On the first server: a team, a match, two reports, and the event's config file. */
export async function seed(first: DemoServer): Promise<SeededRows> {
  const team = await create(first, '/api/teams', { number: 254, name: 'The Cheesy Poofs' });
  const match = await create(first, '/api/matches', { label: 'Q1' });
  const sharedReport = await create(first, '/api/reports', { match_id: match, team_id: team, scout: 'ana', auto_points: 3, teleop_points: 9 });
  const racedReport = await create(first, '/api/reports', { match_id: match, team_id: team, scout: 'ben', auto_points: 1 });
  writeRootFile(first, 'config', 'event.json', `${JSON.stringify({ event: 'Practice day', fields: 1 })}\n`);
  return { sharedReport, racedReport };
}

/** What one server does on its own: its rows, an edit of the shared report, a photo, a config file. */
async function editOn(server: DemoServer, index: number, seeded: SeededRows): Promise<void> {
  const team = await create(server, '/api/teams', { number: 1000 + index, name: `Robots of ${server.name}` });
  const match = await create(server, '/api/matches', { label: `Q${10 + index}` });
  await create(server, '/api/reports', { match_id: match, team_id: team, scout: `scout-${server.name}`, auto_points: index, teleop_points: 7 });
  await callApi(server, 'PATCH', `/api/reports/${seeded.sharedReport}`, { notes: `edited on ${server.name}`, teleop_points: 10 + index }, 200);
  await uploadPhoto(server, `robot-${server.name}.jpg`, Buffer.from(`pit photo taken at server ${server.name}\n`));
  writeRootFile(server, 'config', `server-${server.name}.json`, `${JSON.stringify({ name: server.name })}\n`);
}

/**
 * Concurrent and conflicting edits on every server, none synced yet: own
 * rows, the shared report edited everywhere, the raced report deleted on the
 * first server while the last edits it, a photo and a config file on each,
 * and `config/event.json` changed on the first two.
 */
export async function editEverywhere(servers: readonly DemoServer[], seeded: SeededRows): Promise<void> {
  const first = servers[0];
  const second = servers[1];
  const last = servers[servers.length - 1];
  if (first === undefined || second === undefined || last === undefined) throw new Error('the demo needs at least two servers');
  await Promise.all([
    ...servers.map((server, index) => editOn(server, index, seeded)),
    callApi(first, 'DELETE', `/api/reports/${seeded.racedReport}`, undefined, 204),
    callApi(last, 'PATCH', `/api/reports/${seeded.racedReport}`, { notes: `edited on ${last.name} while ${first.name} deletes it` }, 200),
  ]);
  writeRootFile(first, 'config', 'event.json', `${JSON.stringify({ event: 'Practice day', fields: 2, changedOn: first.name })}\n`);
  writeRootFile(second, 'config', 'event.json', `${JSON.stringify({ event: 'Qualifications', fields: 1, changedOn: second.name })}\n`);
}
