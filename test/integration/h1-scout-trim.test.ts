import request from 'supertest';
import { scoutingCounts, startSampleServer, type SampleServer } from '../helpers/sample-server';

const FORM = { team_number: '254', team_name: 'The Cheesy Poofs', match_label: 'Q1', scout: 'Ann', auto_points: '1', teleop_points: '2', notes: '' };

describe('sample app: the form and the JSON API keep a scout (and a team name) as the same text', () => {
  let server: SampleServer;
  beforeEach(async () => {
    server = await startSampleServer();
  });
  afterEach(async () => {
    await server.close();
  });

  /** The ids of the team and match the form created. */
  function ids(): { team_id: string; match_id: string } {
    const team_id = server.db.prepare('SELECT id FROM teams').pluck().get() as string;
    const match_id = server.db.prepare('SELECT id FROM matches').pluck().get() as string;
    return { team_id, match_id };
  }

  it.each([
    ['spaces around it', 'Ann', ' Ann '],
    ['a tab and a line break after it', 'Ann', 'Ann\t\n'],
    ['é composed on the form, decomposed in the API', 'Jos\u00e9', 'Jose\u0301'],
    ['é decomposed on the form, composed in the API', 'Jose\u0301', 'Jos\u00e9'],
  ])('a scout with %s is the same scout: the API answers 409 DUPLICATE, one report is kept', async (_what, onForm, inApi) => {
    await request(server.url).post('/reports/new').type('form').send({ ...FORM, scout: onForm }).expect(303);
    const response = await request(server.url).post('/api/reports').send({ ...ids(), scout: inApi });
    expect([response.status, response.body.error?.code]).toEqual([409, 'DUPLICATE']);
    expect(scoutingCounts(server.db)).toEqual({ teams: 1, matches: 1, match_reports: 1 });
  });

  it('the API keeps a scout trimmed and in NFC, so the form then finds the duplicate', async () => {
    await request(server.url).post('/reports/new').type('form').send({ ...FORM, scout: 'Someone else' }).expect(303);
    const created = await request(server.url).post('/api/reports').send({ ...ids(), scout: '  Jose\u0301 ' });
    expect([created.status, created.body.scout]).toEqual([201, 'Jos\u00e9']);
    const form = await request(server.url).post('/reports/new').type('form').send({ ...FORM, scout: 'Jose\u0301' });
    expect(form.status).toBe(409);
    expect(scoutingCounts(server.db)).toEqual({ teams: 1, matches: 1, match_reports: 2 });
  });

  it('PATCH keeps a scout trimmed and in NFC too', async () => {
    await request(server.url).post('/reports/new').type('form').send(FORM).expect(303);
    const other = await request(server.url).post('/api/reports').send({ ...ids(), scout: 'Bob' }).expect(201);
    const renamed = await request(server.url).patch(`/api/reports/${other.body.id as string}`).send({ scout: ' Ann ' });
    expect([renamed.status, renamed.body.error?.code]).toEqual([409, 'DUPLICATE']);
    const kept = await request(server.url).patch(`/api/reports/${other.body.id as string}`).send({ scout: ' Bo\u0308b ' });
    expect([kept.status, kept.body.scout]).toEqual([200, 'B\u00f6b']);
  });

  it('a team name is kept trimmed and in NFC by the API, as the form keeps it', async () => {
    const created = await request(server.url).post('/api/teams').send({ number: 971, name: ' Spartan Robotique\u0301 ' });
    expect([created.status, created.body.name]).toEqual([201, 'Spartan Robotiqu\u00e9']);
    expect(server.db.prepare('SELECT name FROM teams').pluck().get()).toBe('Spartan Robotiqu\u00e9');
    await request(server.url).post('/reports/new').type('form').send({ ...FORM, team_number: '972', team_name: ' Ze\u0301bra ' }).expect(303);
    expect(server.db.prepare('SELECT name FROM teams WHERE number = 972').pluck().get()).toBe('Z\u00e9bra');
  });
});
