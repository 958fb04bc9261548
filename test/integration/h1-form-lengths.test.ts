import request from 'supertest';
import { scoutingCounts, startSampleServer, type SampleServer } from '../helpers/sample-server';

const FORM = { team_number: '254', team_name: 'The Cheesy Poofs', match_label: 'Q1', scout: 'Ann', auto_points: '1', teleop_points: '2', notes: '' };
const ROBOT = '\u{1F916}'; // one character, two UTF-16 units

/** The form's text fields and the most characters each keeps. */
const LIMITS = [
  ['team_name', 200],
  ['match_label', 100],
  ['scout', 100],
  ['notes', 10_000],
] as const;

describe('sample app: the form counts characters as the JSON API does (an emoji is one)', () => {
  let server: SampleServer;
  beforeEach(async () => {
    server = await startSampleServer();
  });
  afterEach(async () => {
    await server.close();
  });

  it.each(LIMITS)('the form takes %s of %i emoji, as the API does', async (field, max) => {
    await request(server.url).post('/reports/new').type('form').send({ ...FORM, [field]: ROBOT.repeat(max) }).expect(303);
    expect(scoutingCounts(server.db)).toEqual({ teams: 1, matches: 1, match_reports: 1 });
  });

  it.each(LIMITS)('the form refuses %s of one emoji more than %i, as the API does', async (field, max) => {
    const response = await request(server.url).post('/reports/new').type('form').send({ ...FORM, [field]: ROBOT.repeat(max + 1) });
    expect(response.status).toBe(400);
    expect(response.text).toContain(`is longer than ${max} characters.`);
    expect(scoutingCounts(server.db)).toEqual({ teams: 0, matches: 0, match_reports: 0 });
  });

  it('the API takes the same longest values', async () => {
    const team = await request(server.url).post('/api/teams').send({ number: 254, name: ROBOT.repeat(200) }).expect(201);
    const match = await request(server.url).post('/api/matches').send({ label: ROBOT.repeat(100) }).expect(201);
    await request(server.url).post('/api/reports').send({ match_id: match.body.id, team_id: team.body.id, scout: ROBOT.repeat(100), notes: ROBOT.repeat(10_000) }).expect(201);
    const over = await request(server.url).post('/api/reports').send({ match_id: match.body.id, team_id: team.body.id, scout: ROBOT.repeat(101) });
    expect([over.status, over.body.error?.code]).toEqual([400, 'BAD_FIELD']);
  });

  it("the page's maxlength (UTF-16 units, as browsers count) never stops what the server takes: twice the characters", async () => {
    const page = await request(server.url).get('/reports/new').expect(200);
    for (const [field, max] of LIMITS) {
      const attribute = new RegExp(`name="${field}"[^>]* maxlength="(\\d+)"`).exec(page.text);
      expect([field, Number(attribute?.[1])]).toEqual([field, ROBOT.repeat(max).length]);
    }
  });
});
