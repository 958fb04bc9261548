import request from 'supertest';
import { scoutingCounts, startSampleServer, type SampleServer } from '../helpers/sample-server';

const REPORT = { team_number: '118', team_name: 'Robonauts', match_label: 'Q9', scout: 'Ada', auto_points: '4', teleop_points: '20' };

/** Notes of 10,000 characters as a textarea counts them (each line break one): 100 lines, 99 line breaks. */
const NOTES = `${Array.from({ length: 100 }, () => 'x'.repeat(99)).join('\n')}x`;

/** The notes as a browser posts them: every line break as CRLF. */
const posted = (notes: string): string => notes.replace(/\n/g, '\r\n');

describe('sample app: the report form counts a line break as the browser does', () => {
  let server: SampleServer;
  beforeEach(async () => {
    server = await startSampleServer();
  });
  afterEach(async () => {
    await server.close();
  });

  it('saves notes the textarea took (10,000 characters, 99 line breaks sent as CRLF), kept with LF', async () => {
    const notes = NOTES;
    expect(notes).toHaveLength(10_000);
    expect(notes.split('\n')).toHaveLength(100);
    const response = await request(server.url).post('/reports/new').type('form').send({ ...REPORT, notes: posted(notes) });
    expect(response.status).toBe(303);
    expect(server.db.prepare('SELECT notes FROM match_reports').pluck().all()).toEqual([notes]);
  });

  it('still refuses notes over 10,000 characters, line breaks counted once', async () => {
    const response = await request(server.url).post('/reports/new').type('form').send({ ...REPORT, notes: posted(`${NOTES}y`) });
    expect(response.status).toBe(400);
    expect(response.text).toContain('Notes is longer than 10000 characters.');
    expect(scoutingCounts(server.db)).toEqual({ teams: 0, matches: 0, match_reports: 0 });
  });
});
