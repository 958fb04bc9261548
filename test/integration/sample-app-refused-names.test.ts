import request from 'supertest';
import { dbDigest } from '../helpers/data';
import { scoutingCounts, startSampleServer, type SampleServer } from '../helpers/sample-server';

const FORM = { team_number: '254', team_name: 'The Cheesy Poofs', match_label: 'Q1', scout: 'Ann', auto_points: '1', teleop_points: '2', notes: '' };

/** A kind of name the sample app refuses, the words its form answers with, and samples of it. */
interface RefusedKind {
  readonly kind: string;
  readonly formSays: string;
  readonly samples: readonly (readonly [string, string])[];
}

const REFUSED: readonly RefusedKind[] = [
  {
    // Names that show nothing are blank.
    kind: 'nothing visible',
    formSays: 'is required',
    samples: [
      ['a zero-width space', '\u200b'],
      ['a word joiner and a soft hyphen', '\u2060\u00ad'],
      ['a combining grapheme joiner', '\u034f'],
      ['no-break spaces', '\u00a0\u00a0'],
    ],
  },
  {
    // Text-direction overrides, embeddings and isolates: `\u202e` + `nnA` shows as `Ann`, another scout's name.
    kind: 'a text-direction control',
    formSays: 'text-direction control',
    samples: [
      ['U+202E (right-to-left override)', '\u202ennA'],
      ['U+202D (left-to-right override)', 'A\u202dnn'],
      ['U+202B (right-to-left embedding)', 'Ann\u202b'],
      ['U+2067 (right-to-left isolate)', '\u2067Ann'],
      ['U+2069 (pop directional isolate)', 'Ann\u2069'],
    ],
  },
];

const FORM_CASES = REFUSED.flatMap(({ kind, formSays, samples }) =>
  samples.flatMap(([what, text]) => (['team_name', 'match_label', 'scout'] as const).map((field) => [kind, field, what, text, formSays] as const)),
);
const API_CASES = REFUSED.flatMap(({ kind, samples }) => samples.map(([what, text]) => [kind, what, text] as const));

describe('sample app: a name with nothing visible, or with a text-direction control (it can show as another name), is refused alike by the form and the JSON API', () => {
  let server: SampleServer;
  beforeEach(async () => {
    server = await startSampleServer();
  });
  afterEach(async () => {
    await server.close();
  });

  it.each(FORM_CASES)('%s: the form refuses %s of %s (400), and writes nothing', async (_kind, field, _what, text, formSays) => {
    const response = await request(server.url).post('/reports/new').type('form').send({ ...FORM, [field]: text });
    expect(response.status).toBe(400);
    expect(response.text).toContain(formSays);
    expect(scoutingCounts(server.db)).toEqual({ teams: 0, matches: 0, match_reports: 0 });
  });

  it.each(API_CASES)('%s: the API refuses a name, a scout, a label or an event kind of %s with 400 BAD_FIELD', async (_kind, _what, text) => {
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

  it('right-to-left names, and the marks that set a direction without overriding it (U+200E, U+200F), are taken', async () => {
    await request(server.url).post('/reports/new').type('form').send({ ...FORM, team_name: 'רובוטים', scout: 'שרה\u200f' }).expect(303);
    const team = await request(server.url).post('/api/teams').send({ number: 2, name: 'فريق\u200e 2' }).expect(201);
    const match = await request(server.url).post('/api/matches').send({ label: 'Q2' }).expect(201);
    await request(server.url).post('/api/reports').send({ match_id: match.body.id, team_id: team.body.id, scout: 'سارة', notes: 'a \u202eb\u202c c' }).expect(201);
  });
});
