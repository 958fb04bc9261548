import request from 'supertest';
import { startSampleServer, scoutingCounts, type SampleServer } from '../helpers/sample-server';

const GOOD_REPORT = {
  team_number: '254',
  team_name: 'The Cheesy Poofs',
  match_label: 'Q1',
  scout: 'ana',
  auto_points: '12',
  teleop_points: '30',
  notes: 'fast intake',
};

function postReport(server: SampleServer, fields: Readonly<Record<string, string>>): request.Test {
  return request(server.url).post('/reports/new').type('form').send(fields);
}

describe('sample app pages', () => {
  let server: SampleServer;

  beforeEach(async () => {
    server = await startSampleServer();
  });
  afterEach(async () => {
    await server.close();
  });

  it.each(['/', '/reports', '/reports/new', '/photos'])('%s is HTML with helmet headers, no script, and a link to the sync status page', async (page) => {
    const response = await request(server.url).get(page);
    expect(response.status).toBe(200);
    expect(response.type).toBe('text/html');
    expect(response.text).toContain('href="/api/sync/ui"');
    expect(response.text).toContain('href="/assets/app.css"');
    expect(response.text).not.toMatch(/<script|\son[a-z]+=/i);
    const csp = response.headers['content-security-policy'] ?? '';
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("form-action 'self'");
    // Plain HTTP on a LAN must keep working: no upgrade to https for the style sheet or the forms.
    expect(csp).not.toContain('upgrade-insecure-requests');
    expect(response.headers['x-content-type-options']).toBe('nosniff');
  });

  it('the sync status page has the same CSP, so it too works over plain HTTP on a LAN', async () => {
    const response = await request(server.url).get('/api/sync/ui');
    expect(response.status).toBe(200);
    const csp = response.headers['content-security-policy'] ?? '';
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain('upgrade-insecure-requests');
  });

  it.each([['/api/sync/ui', 'status'], ['/api/sync/ui/', '../status']])('%s without JavaScript points at the status JSON route (%s) and the CLI', async (page, href) => {
    const response = await request(server.url).get(page);
    const noscript = /<noscript>([\s\S]*?)<\/noscript>/.exec(response.text)?.[1] ?? '';
    expect(noscript).toContain(`<a href="${href}">`);
    expect(new URL(href, `${server.url}${page}`).pathname).toBe('/api/sync/status');
    expect(noscript).toContain('npx express-sqlite-sync status --url');
  });

  it.each(['/nope', '/reports/%', '/photos/nope/deeper'])('%s, a page that does not exist, is the app\'s readable 404 with a way back', async (page) => {
    const response = await request(server.url).get(page);
    expect(response.status).toBe(404);
    expect(response.type).toBe('text/html');
    expect(response.text).toMatch(/<a href="\/[a-z]*">Back/);
  });

  it.each([
    ['a page that does not exist', 'get', '/nope'],
    ['a cross-site form post', 'post', '/reports/new'],
  ] as const)('%s is answered with helmet\'s headers too', async (_what, method, page) => {
    const response = await request(server.url)[method](page).set('Sec-Fetch-Site', 'cross-site').type('form').send('a=1');
    expect(response.status).toBeGreaterThanOrEqual(400);
    expect(response.headers['content-security-policy'] ?? '').toContain("default-src 'self'");
    expect(response.headers['x-content-type-options']).toBe('nosniff');
    expect(response.headers['x-frame-options']).toBeDefined();
  });

  it('home links to every page', async () => {
    const response = await request(server.url).get('/');
    for (const href of ['/reports', '/reports/new', '/photos', '/api/sync/ui']) expect(response.text).toContain(`href="${href}"`);
  });

  it('serves the style sheet as a file', async () => {
    const response = await request(server.url).get('/assets/app.css');
    expect(response.status).toBe(200);
    expect(response.type).toBe('text/css');
  });

  it('saves a report, creating its team and match, and redirects to the list', async () => {
    const response = await postReport(server, GOOD_REPORT);
    expect(response.status).toBe(303);
    expect(response.headers.location).toBe('/reports');
    expect(server.db.prepare('SELECT number, name FROM teams').all()).toEqual([{ number: 254, name: 'The Cheesy Poofs' }]);
    expect(server.db.prepare('SELECT label FROM matches').pluck().all()).toEqual(['Q1']);
    expect(server.db.prepare('SELECT scout, auto_points, teleop_points, notes FROM match_reports').all()).toEqual([
      { scout: 'ana', auto_points: 12, teleop_points: 30, notes: 'fast intake' },
    ]);
    const list = await request(server.url).get('/reports');
    expect(list.text).toMatch(/<td>Q1<\/td><td>254 The Cheesy Poofs<\/td><td>ana<\/td>\s*<td class="num">12<\/td><td class="num">30<\/td><td>fast intake<\/td>/);
  });

  it('reuses an existing team (by number) and match (by label)', async () => {
    await postReport(server, GOOD_REPORT).expect(303);
    await postReport(server, { ...GOOD_REPORT, scout: 'ben', team_name: 'another spelling' }).expect(303);
    await postReport(server, { ...GOOD_REPORT, scout: 'ben', match_label: 'Q2' }).expect(303);
    expect(scoutingCounts(server.db)).toEqual({ teams: 1, matches: 2, match_reports: 3 });
    expect(server.db.prepare('SELECT name FROM teams').pluck().get()).toBe('The Cheesy Poofs');
  });

  it('lists reports newest first', async () => {
    await postReport(server, { ...GOOD_REPORT, scout: 'older' }).expect(303);
    await postReport(server, { ...GOOD_REPORT, scout: 'newer' }).expect(303);
    // Both may share a millisecond: set the times so the order is certain.
    server.db.prepare("UPDATE match_reports SET updated_at = CASE scout WHEN 'older' THEN '2026-01-01T10:00:00.000Z' ELSE '2026-01-01T11:00:00.000Z' END").run();
    const list = await request(server.url).get('/reports');
    expect(list.text.indexOf('<td>newer</td>')).toBeGreaterThan(0);
    expect(list.text.indexOf('<td>newer</td>')).toBeLessThan(list.text.indexOf('<td>older</td>'));
  });

  it.each<[string, Record<string, string>, string]>([
    ['no team number', { team_number: '' }, 'Team number must be a whole number from 1 to 99999.'],
    ['a team number that is not a number', { team_number: '25a' }, 'Team number must be a whole number'],
    ['team number 0', { team_number: '0' }, 'Team number must be a whole number'],
    ['a negative team number', { team_number: '-5' }, 'Team number must be a whole number'],
    ['a fractional score', { auto_points: '1.5' }, 'Auto points must be a whole number from 0 to 100000.'],
    ['a score above the limit', { teleop_points: '100001' }, 'Teleop points must be a whole number'],
    ['a blank team name', { team_name: '   ' }, 'Team name is required.'],
    ['no match', { match_label: '' }, 'Match is required.'],
    ['no scout', { scout: '' }, 'Scout is required.'],
    ['a scout name too long', { scout: 'x'.repeat(101) }, 'Scout is longer than 100 characters.'],
    ['notes too long', { notes: 'n'.repeat(10_001) }, 'Notes is longer than 10000 characters.'],
  ])('refuses %s with 400, a clear message and the form filled again; nothing is written', async (_name, change, message) => {
    const before = scoutingCounts(server.db);
    const response = await postReport(server, { ...GOOD_REPORT, ...change });
    expect(response.status).toBe(400);
    expect(response.type).toBe('text/html');
    expect(response.text).toContain('The report was not saved');
    expect(response.text).toContain(message);
    expect(response.text).toContain('aria-invalid="true"');
    const kept = 'match_label' in change ? 'value="ana"' : 'value="Q1"';
    expect(response.text).toContain(kept);
    expect(scoutingCounts(server.db)).toEqual(before);
  });

  it('saves notes of 10,000 characters that are not ASCII (the form\'s limit), whatever they take URL-encoded', async () => {
    const notes = '日'.repeat(10_000);
    const response = await postReport(server, { ...GOOD_REPORT, notes });
    expect(response.status).toBe(303);
    expect(server.db.prepare('SELECT notes FROM match_reports').pluck().get()).toBe(notes);
  });

  it('refuses a form with more than 20 fields as malformed (400), writing nothing', async () => {
    const fields = Object.fromEntries(Array.from({ length: 25 }, (_, i) => [`f${i}`, 'x']));
    const response = await request(server.url).post('/reports/new').type('form').send({ ...GOOD_REPORT, ...fields });
    expect(response.status).toBe(400);
    expect(scoutingCounts(server.db)).toEqual({ teams: 0, matches: 0, match_reports: 0 });
  });

  it('refuses a body with a field missing altogether', async () => {
    const response = await request(server.url).post('/reports/new').type('form').send({ team_number: '254' });
    expect(response.status).toBe(400);
    expect(response.text).toContain('Scout is required.');
    expect(scoutingCounts(server.db)).toEqual({ teams: 0, matches: 0, match_reports: 0 });
  });

  it('says so (409) when the scout already reported the team in the match; nothing more is written', async () => {
    await postReport(server, GOOD_REPORT).expect(303);
    const before = scoutingCounts(server.db);
    const response = await postReport(server, { ...GOOD_REPORT, auto_points: '99' });
    expect(response.status).toBe(409);
    expect(response.text).toContain('ana has already reported team 254 in match Q1');
    expect(response.text).toContain('value="99"');
    expect(scoutingCounts(server.db)).toEqual(before);
  });

  it('escapes everything it shows', async () => {
    const hostile = {
      ...GOOD_REPORT,
      team_name: '"><img src=x onerror=alert(1)>',
      match_label: '<b>Q1</b>',
      scout: "o'hara & <script>alert(2)</script>",
      notes: '</td></tr></table><script>alert(3)</script>',
    };
    await postReport(server, hostile).expect(303);
    const list = await request(server.url).get('/reports');
    expect(list.text).not.toMatch(/<script|<img|<b>/);
    expect(list.text).toContain('254 &quot;&gt;&lt;img src=x onerror=alert(1)&gt;');
    expect(list.text).toContain('o&#39;hara &amp; &lt;script&gt;alert(2)&lt;/script&gt;');
    const again = await postReport(server, { ...hostile, team_number: 'x' });
    expect(again.text).not.toMatch(/<script|<img|<b>/);
    expect(again.text).toContain('value="&quot;&gt;&lt;img src=x onerror=alert(1)&gt;"');
  });

  it('leaves the JSON API and the sync API as they were', async () => {
    await request(server.url).get('/api/reports').expect(200).expect('Content-Type', /json/);
    const sync = await request(server.url).get('/api/sync/status');
    expect(sync.status).toBe(401);
    expect(sync.type).toBe('application/json');
  });
});
