import request from 'supertest';
import { dbDigest } from '../helpers/data';
import { scoutingCounts, startSampleServer, type SampleServer } from '../helpers/sample-server';

const FORM = { team_number: '254', team_name: 'The Cheesy Poofs', match_label: 'Q1', scout: 'Ann', auto_points: '1', teleop_points: '2', notes: '' };

/** Text-direction overrides, embeddings and isolates: `\u202e` + `nnA` shows as `Ann`, another scout's name. */
const DIRECTION_CONTROLS: readonly (readonly [string, string])[] = [
  ['U+202E (right-to-left override)', '\u202ennA'],
  ['U+202D (left-to-right override)', 'A\u202dnn'],
  ['U+202B (right-to-left embedding)', 'Ann\u202b'],
  ['U+2067 (right-to-left isolate)', '\u2067Ann'],
  ['U+2069 (pop directional isolate)', 'Ann\u2069'],
];

describe('sample app: a name with a text-direction control (it can show as another name) is refused alike by the form and the API', () => {
  let server: SampleServer;
  beforeEach(async () => {
    server = await startSampleServer();
  });
  afterEach(async () => {
    await server.close();
  });

  it.each(DIRECTION_CONTROLS.flatMap(([what, text]) => (['team_name', 'match_label', 'scout'] as const).map((field) => [field, what, text] as const)))(
    'the form refuses %s holding %s (400), and writes nothing',
    async (field, _what, text) => {
      const response = await request(server.url).post('/reports/new').type('form').send({ ...FORM, [field]: text });
      expect(response.status).toBe(400);
      expect(response.text).toContain('text-direction control');
      expect(scoutingCounts(server.db)).toEqual({ teams: 0, matches: 0, match_reports: 0 });
    },
  );

  it.each(DIRECTION_CONTROLS)('the API refuses a name, a scout, a label or an event kind holding %s with 400 BAD_FIELD', async (_what, text) => {
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

  it('right-to-left names, and the marks that set a direction without overriding it (U+200E, U+200F), are taken', async () => {
    await request(server.url).post('/reports/new').type('form').send({ ...FORM, team_name: 'רובוטים', scout: 'שרה\u200f' }).expect(303);
    const team = await request(server.url).post('/api/teams').send({ number: 2, name: 'فريق\u200e 2' }).expect(201);
    const match = await request(server.url).post('/api/matches').send({ label: 'Q2' }).expect(201);
    await request(server.url).post('/api/reports').send({ match_id: match.body.id, team_id: team.body.id, scout: 'سارة', notes: 'a \u202eb\u202c c' }).expect(201);
  });
});
