import request from 'supertest';
import { dbDigest } from '../helpers/data';
import { startSampleServer, type SampleServer } from '../helpers/sample-server';

/** Sends `body` as it is written (JSON text, escapes and all), as curl -d does. */
function sendRaw(server: SampleServer, method: 'post' | 'patch', route: string, body: string): request.Test {
  return request(server.url)[method](route).set('Content-Type', 'application/json').send(body);
}

describe('sample app JSON API: bodies that are not what a route takes', () => {
  let app: SampleServer;
  beforeEach(async () => {
    app = await startSampleServer();
  });
  afterEach(async () => {
    await app.close();
  });

  it.each([
    ['a lone high surrogate in kind', '{"kind":"\\ud800x"}'],
    ['a lone low surrogate in detail', '{"kind":"note","detail":"a\\udfffb"}'],
  ])('POST /api/events refuses %s with 400 BAD_FIELD and stores nothing', async (_what, body) => {
    const before = dbDigest(app.db);
    const response = await sendRaw(app, 'post', '/api/events', body);
    expect([response.status, response.body.error?.code]).toEqual([400, 'BAD_FIELD']);
    expect(app.db.prepare('SELECT count(*) FROM app_events').pluck().get()).toBe(0);
    expect(dbDigest(app.db)).toBe(before);
  });

  it('POST /api/events still takes a pair of surrogates (one character, with a UTF-8 form)', async () => {
    await sendRaw(app, 'post', '/api/events', '{"kind":"\\ud83d\\ude00","detail":"ok \\ud83e\\udd16"}').expect(201);
    expect(app.db.prepare("SELECT hex(kind), detail FROM app_events").raw(true).get()).toEqual(['F09F9880', 'ok \u{1F916}']);
  });

  const routes: readonly ['post' | 'patch', string][] = [
    ['post', '/api/teams'],
    ['post', '/api/matches'],
    ['post', '/api/reports'],
    ['patch', '/api/reports/some-id'],
    ['post', '/api/events'],
  ];
  const notObjects = ['5', 'true', 'null', '"x"', ' 5 ', '\n"x"'];

  it.each(routes)('%s %s: JSON that is not an object (a number, true, null, a string) is 400 BAD_FIELD, not MALFORMED_JSON', async (method, route) => {
    const before = dbDigest(app.db);
    for (const body of notObjects) {
      const response = await sendRaw(app, method, route, body);
      expect([body, response.status, response.body.error?.code]).toEqual([body, 400, 'BAD_FIELD']);
    }
    expect(dbDigest(app.db)).toBe(before);
  });

  it.each(routes)('%s %s: text that is not JSON is 400 MALFORMED_JSON', async (method, route) => {
    for (const body of ['{"name":', 'hello', '{"number": NaN}']) {
      const response = await sendRaw(app, method, route, body);
      expect([body, response.status, response.body.error?.code]).toEqual([body, 400, 'MALFORMED_JSON']);
    }
  });

  it('POST /api/matches takes starts_at as documented: text up to 10,000 characters or null, kept when the match is created again without it', async () => {
    const created = await request(app.url).post('/api/matches').send({ label: 'q1', starts_at: 'Saturday 10:15' });
    expect([created.status, created.body]).toEqual([201, expect.objectContaining({ label: 'Q1', starts_at: 'Saturday 10:15' })]);
    const again = await request(app.url).post('/api/matches').send({ label: 'Q1' });
    expect(again.body.starts_at).toBe('Saturday 10:15');
    const moved = await request(app.url).post('/api/matches').send({ label: 'Q1', starts_at: '2026-03-07T10:30' });
    expect(moved.body.starts_at).toBe('2026-03-07T10:30');
    const none = await request(app.url).post('/api/matches').send({ label: 'Q2', starts_at: null });
    expect([none.status, none.body.starts_at]).toEqual([201, null]);
    for (const starts_at of ['s'.repeat(10_001), 1700000000, '\ud800']) {
      const refused = await request(app.url).post('/api/matches').send({ label: 'Q3', starts_at });
      expect([refused.status, refused.body.error?.code]).toEqual([400, 'BAD_FIELD']);
    }
  });

  it('counts characters as a person does (an emoji is one), on every text field', async () => {
    const robots = '\u{1F916}'.repeat(60); // 60 characters, 120 UTF-16 units
    await request(app.url).post('/api/events').send({ kind: robots }).expect(201);
    await request(app.url).post('/api/teams').send({ number: 971, name: robots }).expect(201);
    await request(app.url).post('/api/matches').send({ label: robots }).expect(201);
    const tooMany = await request(app.url).post('/api/events').send({ kind: '\u{1F916}'.repeat(101) });
    expect([tooMany.status, tooMany.body.error?.code]).toEqual([400, 'BAD_FIELD']);
  });

  it('keeps a match label in NFC after upper-casing it, and at most 100 characters as kept', async () => {
    const created = await request(app.url).post('/api/matches').send({ label: '\u0390' }).expect(201);
    expect(created.body.label).toBe('\u0390'.toUpperCase().normalize('NFC'));
    expect(created.body.label.normalize('NFC')).toBe(created.body.label);
    const lengthened = await request(app.url).post('/api/matches').send({ label: '\u00df'.repeat(100) }); // upper case: 200 S
    expect([lengthened.status, lengthened.body.error?.code]).toEqual([400, 'BAD_FIELD']);
    await request(app.url).post('/api/matches').send({ label: '\u00df'.repeat(50) }).expect(201);
  });
});
