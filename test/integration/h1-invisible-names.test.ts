import request from 'supertest';
import { dbDigest } from '../helpers/data';
import { scoutingCounts, startSampleServer, type SampleServer } from '../helpers/sample-server';

const FORM = { team_number: '254', team_name: 'The Cheesy Poofs', match_label: 'Q1', scout: 'Ann', auto_points: '1', teleop_points: '2', notes: '' };

/** Names that show nothing: a zero-width space, a word joiner and a soft hyphen, a combining grapheme joiner, a no-break space. */
const INVISIBLE: readonly (readonly [string, string])[] = [
  ['a zero-width space', '\u200b'],
  ['a word joiner and a soft hyphen', '\u2060\u00ad'],
  ['a combining grapheme joiner', '\u034f'],
  ['no-break spaces', '\u00a0\u00a0'],
];

describe('sample app: a name with nothing visible in it is refused as blank, by the form and the JSON API alike', () => {
  let server: SampleServer;
  beforeEach(async () => {
    server = await startSampleServer();
  });
  afterEach(async () => {
    await server.close();
  });

  it.each(INVISIBLE.flatMap(([what, text]) => (['team_name', 'match_label', 'scout'] as const).map((field) => [field, what, text] as const)))(
    'the form refuses %s of %s (400), and writes nothing',
    async (field, _what, text) => {
      const response = await request(server.url).post('/reports/new').type('form').send({ ...FORM, [field]: text });
      expect(response.status).toBe(400);
      expect(response.text).toContain('is required');
      expect(scoutingCounts(server.db)).toEqual({ teams: 0, matches: 0, match_reports: 0 });
    },
  );

  it.each(INVISIBLE)('the API refuses a name, a scout, a label or an event kind of %s with 400 BAD_FIELD', async (_what, text) => {
    const team = await request(server.url).post('/api/teams').send({ number: 1, name: 'Team' }).expect(201);
    const match = await request(server.url).post('/api/matches').send({ label: 'Q1' }).expect(201);
    const before = dbDigest(server.db);
    const refused: readonly (readonly [string, Record<string, unknown>])[] = [
      ['/api/teams', { number: 2, name: text }],
      ['/api/matches', { label: text }],
      ['/api/reports', { match_id: match.body.id, team_id: team.body.id, scout: text }],
      ['/api/events', { kind: text }],
    ];
    for (const [route, body] of refused) {
      const response = await request(server.url).post(route).send(body);
      expect([route, response.status, response.body.error?.code]).toEqual([route, 400, 'BAD_FIELD']);
    }
    expect(dbDigest(server.db)).toBe(before);
  });

  it('a name of an emoji, a sign or a single letter with its accent is visible, and taken', async () => {
    await request(server.url).post('/reports/new').type('form').send({ ...FORM, team_name: '\u{1F916}', match_label: '#', scout: 'e\u0301' }).expect(303);
    const team = await request(server.url).post('/api/teams').send({ number: 2, name: '+' }).expect(201);
    const match = await request(server.url).post('/api/matches').send({ label: '\u{1F916}' }).expect(201);
    await request(server.url).post('/api/reports').send({ match_id: match.body.id, team_id: team.body.id, scout: '\u{1F916}' }).expect(201);
  });
});
