import request from 'supertest';
import { scoutingCounts, startSampleServer, type SampleServer } from '../helpers/sample-server';

const REPORT = { team_number: '254', team_name: 'The Cheesy Poofs', match_label: 'Q1', scout: 'Ada', auto_points: '12', teleop_points: '30', notes: '' };

describe('sample app: the report form and the JSON API keep the same limits', () => {
  let server: SampleServer;
  beforeEach(async () => {
    server = await startSampleServer();
  });
  afterEach(async () => {
    await server.close();
  });

  it.each([0, 100_000])('POST /api/teams refuses team number %i, which the form refuses (1 to 99999)', async (number) => {
    const response = await request(server.url).post('/api/teams').send({ number, name: 'Robots' });
    expect(response.status).toBe(400);
    expect(response.body).toEqual({ error: { code: 'BAD_FIELD', message: '`number` has a bad value' } });
    expect(scoutingCounts(server.db)).toEqual({ teams: 0, matches: 0, match_reports: 0 });
  });

  it.each([1, 99_999])('POST /api/teams takes team number %i', async (number) => {
    const response = await request(server.url).post('/api/teams').send({ number, name: 'Robots' });
    expect(response.status).toBe(201);
    expect(response.body).toMatchObject({ number, name: 'Robots' });
  });

  it.each(['   ', '\t\n'])('POST /api/teams refuses a name of spaces only (%j), as the form does', async (name) => {
    const response = await request(server.url).post('/api/teams').send({ number: 971, name });
    expect(response.status).toBe(400);
    expect(response.body).toEqual({ error: { code: 'BAD_FIELD', message: '`name` has a bad value' } });
    expect(scoutingCounts(server.db)).toEqual({ teams: 0, matches: 0, match_reports: 0 });
  });

  it('POST /api/reports refuses a scout of spaces only, as the form does', async () => {
    const team = await request(server.url).post('/api/teams').send({ number: 971, name: 'Spartan Robotics' });
    const match = await request(server.url).post('/api/matches').send({ label: 'Q2' });
    const response = await request(server.url).post('/api/reports').send({ match_id: match.body.id, team_id: team.body.id, scout: '  ', auto_points: 1, teleop_points: 2, notes: null });
    expect(response.status).toBe(400);
    expect(response.body).toEqual({ error: { code: 'BAD_FIELD', message: '`scout` has a bad value' } });
    expect(scoutingCounts(server.db)).toEqual({ teams: 1, matches: 1, match_reports: 0 });
  });

  it('the form refuses a match label longer than 100 characters in upper case (ß is SS), as POST /api/matches does', async () => {
    const label = 'ß'.repeat(100);
    const api = await request(server.url).post('/api/matches').send({ label });
    expect(api.status).toBe(400);
    const form = await request(server.url).post('/reports/new').type('form').send({ ...REPORT, match_label: label });
    expect(form.status).toBe(400);
    expect(form.text).toContain('Match is longer than 100 characters in upper case.');
    expect(scoutingCounts(server.db)).toEqual({ teams: 0, matches: 0, match_reports: 0 });
  });

  it('the form says a field sent twice was sent twice, not that it is missing', async () => {
    const body = new URLSearchParams({ ...REPORT });
    body.append('scout', 'Bo');
    const form = await request(server.url).post('/reports/new').type('form').send(body.toString());
    expect(form.status).toBe(400);
    expect(form.text).toContain('Scout was sent more than once; send it once.');
    expect(form.text).not.toContain('Scout is required.');
    expect(scoutingCounts(server.db)).toEqual({ teams: 0, matches: 0, match_reports: 0 });
  });

  it('the form takes a match label of 100 characters in upper case', async () => {
    const form = await request(server.url).post('/reports/new').type('form').send({ ...REPORT, match_label: 'ß'.repeat(50) });
    expect(form.status).toBe(303);
    expect(server.db.prepare('SELECT label FROM matches').pluck().all()).toEqual(['SS'.repeat(50)]);
  });
});

describe('sample app: a refused GET of a photo', () => {
  let server: SampleServer;
  beforeEach(async () => {
    server = await startSampleServer();
  });
  afterEach(async () => {
    await server.close();
  });

  it('is not called "Not saved" nor asks to rename an upload: nothing was being saved', async () => {
    const response = await request(server.url).get('/photos/file/..%2F..%2Finstance%2Fapp.db');
    expect(response.status).toBe(400);
    expect(response.text).toContain('<h1>Cannot show this</h1>');
    expect(response.text).not.toContain('Not saved');
    expect(response.text).not.toContain('rename the file');
    expect(response.text).toContain('BAD_PATH');
  });
});
