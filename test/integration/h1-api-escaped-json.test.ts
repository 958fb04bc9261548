import request from 'supertest';
import { startSampleServer, type SampleServer } from '../helpers/sample-server';

/** JSON as Python's `json.dumps` writes it by default (`ensure_ascii`): every character past ASCII as `\uXXXX`, an emoji as two. */
function asciiJson(value: unknown): string {
  return JSON.stringify(value).replace(/[^\x20-\x7e]/g, (unit) => `\\u${unit.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

const LONGEST_NOTES = '\u{1F916}'.repeat(10_000); // 10,000 characters, the most a report's notes hold

describe('sample app JSON API: the longest values it takes fit its body limit however the JSON is escaped', () => {
  let server: SampleServer;
  beforeEach(async () => {
    server = await startSampleServer();
  });
  afterEach(async () => {
    await server.close();
  });

  function send(method: 'post' | 'patch', route: string, body: unknown): request.Test {
    return request(server.url)[method](route).set('Content-Type', 'application/json').send(asciiJson(body));
  }

  it('a report, a match and an event of the longest text, each character escaped (12 bytes an emoji), are taken', async () => {
    const team = await send('post', '/api/teams', { number: 254, name: '\u{1F916}'.repeat(200) }).expect(201);
    const match = await send('post', '/api/matches', { label: '\u{1F916}'.repeat(100), starts_at: LONGEST_NOTES }).expect(201);
    const report = await send('post', '/api/reports', { match_id: match.body.id, team_id: team.body.id, scout: '\u{1F916}'.repeat(100), notes: LONGEST_NOTES });
    expect([report.status, report.body.error]).toEqual([201, undefined]);
    expect(report.body.notes).toBe(LONGEST_NOTES);
    await send('patch', `/api/reports/${report.body.id as string}`, { notes: `${LONGEST_NOTES.slice(2)}!`, scout: '\u{1F916}'.repeat(99) }).expect(200);
    await send('post', '/api/events', { kind: '\u{1F916}'.repeat(100), detail: LONGEST_NOTES }).expect(201);
  });
});
