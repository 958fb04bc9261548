import request from 'supertest';
import { startSampleServer, type SampleServer } from '../helpers/sample-server';

const FORM = { team_number: '254', team_name: 'The Cheesy Poofs', match_label: 'Q1', auto_points: '1', teleop_points: '2' };

/** 5,000 lines of one character: 9,999 characters with LF line breaks, 14,998 UTF-16 units with CRLF. */
const MANY_LINES = Array.from({ length: 5000 }, () => 'x').join('\r\n');

describe('sample app: a report\'s notes are kept alike by the form and the JSON API', () => {
  let server: SampleServer;
  beforeEach(async () => {
    server = await startSampleServer();
  });
  afterEach(async () => {
    await server.close();
  });

  /** Files a report by `scout` with `notes` through the form, then one by `scout`-api through the API; the two notes as kept. */
  async function bothWays(scout: string, notes: string): Promise<readonly [unknown, unknown]> {
    await request(server.url).post('/reports/new').type('form').send({ ...FORM, scout, notes }).expect(303);
    const [team_id, match_id] = [server.db.prepare('SELECT id FROM teams').pluck().get(), server.db.prepare('SELECT id FROM matches').pluck().get()];
    const api = await request(server.url).post('/api/reports').send({ team_id, match_id, scout: `${scout}-api`, notes });
    expect([api.status, api.body.error]).toEqual([201, undefined]);
    const kept = server.db.prepare('SELECT notes FROM match_reports WHERE scout = ?').pluck();
    return [kept.get(scout), kept.get(`${scout}-api`)];
  }

  it.each([
    ['CRLF line breaks and spaces around', '  fast auto\r\nslow climb \r\n', 'fast auto\nslow climb'],
    ['CR line breaks', 'a\rb', 'a\nb'],
    ['nothing but spaces', '  \r\n ', null],
    ['nothing', '', null],
  ])('notes with %s are kept the same both ways', async (_what, notes, kept) => {
    expect(await bothWays('ann', notes)).toEqual([kept, kept]);
  });

  it('a line break counts once against the 10,000 characters in the API too, as on the form', async () => {
    const [form, api] = await bothWays('ann', MANY_LINES);
    expect([form, api]).toEqual([MANY_LINES.replace(/\r\n/g, '\n'), MANY_LINES.replace(/\r\n/g, '\n')]);
  });

  it('PATCH keeps notes the same way', async () => {
    const [team_id, match_id] = await Promise.all([
      request(server.url).post('/api/teams').send({ number: 1, name: 'T' }),
      request(server.url).post('/api/matches').send({ label: 'Q9' }),
    ]).then(([team, match]) => [team.body.id, match.body.id]);
    const report = await request(server.url).post('/api/reports').send({ team_id, match_id, scout: 'bob', notes: 'x' }).expect(201);
    const patched = await request(server.url).patch(`/api/reports/${report.body.id as string}`).send({ notes: ' a\r\nb ' }).expect(200);
    expect(patched.body.notes).toBe('a\nb');
    const emptied = await request(server.url).patch(`/api/reports/${report.body.id as string}`).send({ notes: ' ' }).expect(200);
    expect(emptied.body.notes).toBeNull();
  });
});
