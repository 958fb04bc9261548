import request from 'supertest';
import { scoutingCounts, startSampleServer, type SampleServer } from '../helpers/sample-server';

/** A character that takes the most URL-encoded bytes per UTF-16 unit (9: `%E6%97%A5`) of any a browser's maxlength counts. */
const WIDE = '日';

describe('sample app: the form body limit takes all the form lets a browser send', () => {
  let server: SampleServer;
  beforeEach(async () => {
    server = await startSampleServer();
  });
  afterEach(async () => {
    await server.close();
  });

  it('every text field filled to its maxlength with wide characters: the form again listing the problems (400) with the text kept, not a 413 page that loses it', async () => {
    const page = await request(server.url).get('/reports/new').expect(200);
    const full: Record<string, string> = { team_number: '254', auto_points: '1', teleop_points: '2' };
    for (const [, name, max] of page.text.matchAll(/name="(\w+)"[^>]* maxlength="(\d+)"/g)) full[name ?? ''] = WIDE.repeat(Number(max));
    expect(Object.keys(full).sort()).toEqual(['auto_points', 'match_label', 'notes', 'scout', 'team_name', 'team_number', 'teleop_points']);
    const response = await request(server.url).post('/reports/new').type('form').send(full);
    expect(response.status).toBe(400);
    expect(response.text).toContain('Notes is longer than 10000 characters.');
    expect(response.text).toContain(WIDE.repeat(20_000));
    expect(scoutingCounts(server.db)).toEqual({ teams: 0, matches: 0, match_reports: 0 });
  });
});
