import request from 'supertest';
import { dbDigest } from '../helpers/data';
import { scoutingCounts, startSampleServer, type SampleServer } from '../helpers/sample-server';

const FORM = { team_number: '254', team_name: 'The Cheesy Poofs', match_label: 'Q1', scout: 'Ann', auto_points: '1', teleop_points: '2', notes: '' };

/** Control characters no field takes (Unicode Cc but tab, LF and CR). */
const CONTROLS: readonly (readonly [string, string])[] = ['\u0000', '\u0007', '\u001b', '\u007f', '\u0085', '\u009f'].map((control) => [
  `U+${control.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}`,
  control,
]);

describe('sample app: control characters are refused alike by the form and the JSON API', () => {
  let server: SampleServer;
  beforeEach(async () => {
    server = await startSampleServer();
  });
  afterEach(async () => {
    await server.close();
  });

  it.each(CONTROLS.flatMap(([name, control]) => (['team_name', 'match_label', 'scout', 'notes'] as const).map((field) => [field, name, control] as const)))(
    'the form refuses %s holding %s with the form again (400), and writes nothing',
    async (field, _name, control) => {
      const response = await request(server.url).post('/reports/new').type('form').send({ ...FORM, [field]: `a${control}b` });
      expect(response.status).toBe(400);
      expect(response.text).toContain('The report was not saved');
      expect(response.text).toContain('control character');
      expect(response.text).toContain(`id="field-${field}"`);
      expect(scoutingCounts(server.db)).toEqual({ teams: 0, matches: 0, match_reports: 0 });
    },
  );

  it('the form takes tabs and line breaks in the notes', async () => {
    await request(server.url).post('/reports/new').type('form').send({ ...FORM, notes: 'fast\tauto\r\nslow climb' }).expect(303);
    expect(server.db.prepare('SELECT notes FROM match_reports').pluck().get()).toBe('fast\tauto\nslow climb');
  });

  it.each(CONTROLS)('the JSON API refuses %s in every text field with 400 BAD_FIELD, and writes nothing', async (_name, control) => {
    const text = `a${control}b`;
    await request(server.url).post('/api/teams').send({ number: 1, name: 'Team' }).expect(201);
    const match = await request(server.url).post('/api/matches').send({ label: 'Q1' }).expect(201);
    const report = await request(server.url).post('/api/reports').send({ match_id: match.body.id, team_id: server.db.prepare('SELECT id FROM teams').pluck().get(), scout: 'Ann' }).expect(201);
    const before = dbDigest(server.db);
    const refused: readonly (readonly ['post' | 'patch', string, Record<string, unknown>])[] = [
      ['post', '/api/teams', { number: 2, name: text }],
      ['post', '/api/matches', { label: text }],
      ['post', '/api/matches', { label: 'Q2', starts_at: text }],
      ['post', '/api/reports', { match_id: match.body.id, team_id: report.body.team_id, scout: text }],
      ['post', '/api/reports', { match_id: match.body.id, team_id: report.body.team_id, scout: 'Bob', notes: text }],
      ['patch', `/api/reports/${report.body.id as string}`, { scout: text }],
      ['patch', `/api/reports/${report.body.id as string}`, { notes: text }],
      ['post', '/api/events', { kind: text }],
      ['post', '/api/events', { kind: 'note', detail: text }],
    ];
    for (const [method, route, body] of refused) {
      const response = await request(server.url)[method](route).send(body);
      expect([route, body, response.status, response.body.error?.code]).toEqual([route, body, 400, 'BAD_FIELD']);
    }
    expect(dbDigest(server.db)).toBe(before);
  });

  it('a line break or a tab around a name or a label is dropped, not refused, by the form and the API alike', async () => {
    await request(server.url).post('/reports/new').type('form').send({ ...FORM, team_name: '\tTeam\r\n', match_label: 'q1\n', scout: 'Ann\t' }).expect(303);
    const team = await request(server.url).post('/api/teams').send({ number: 254, name: '\tTeam\r\n' }).expect(201);
    const match = await request(server.url).post('/api/matches').send({ label: 'q1\n' }).expect(201);
    const duplicate = await request(server.url).post('/api/reports').send({ match_id: match.body.id, team_id: team.body.id, scout: 'Ann\t' });
    expect([duplicate.status, duplicate.body.error?.code]).toEqual([409, 'DUPLICATE']);
    expect(server.db.prepare('SELECT name FROM teams UNION ALL SELECT label FROM matches').pluck().all()).toEqual(['Team', 'Q1']);
  });

  it('the JSON API takes tabs and line breaks in notes, starts_at and an event detail', async () => {
    const match = await request(server.url).post('/api/matches').send({ label: 'Q1', starts_at: 'Saturday\n10:15' }).expect(201);
    const team = await request(server.url).post('/api/teams').send({ number: 1, name: 'Team' }).expect(201);
    await request(server.url).post('/api/reports').send({ match_id: match.body.id, team_id: team.body.id, scout: 'Ann', notes: 'a\tb\r\nc' }).expect(201);
    await request(server.url).post('/api/events').send({ kind: 'note', detail: 'a\tb\nc' }).expect(201);
  });
});
