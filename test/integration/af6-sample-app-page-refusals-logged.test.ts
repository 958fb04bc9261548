import request from 'supertest';
import { LEVEL } from '../helpers/log';
import { startLoggedSampleApp, type LoggedSampleApp } from '../helpers/logged-sample-app';

const SQLITE_HEADER = Buffer.concat([Buffer.from('SQLite format 3\0'), Buffer.alloc(100)]);

// Found by review af6: 74b06e9 mounted logRefusals after the pages router, but the pages router ends
// with its own error page (createPages), so a refusal of a page's own (a photo over the 20 MiB limit,
// a photo that is an SQLite database) was answered as a page and never reached it: no request.refused
// line, though the commit and its test name "a photo over the limit" among what is now logged.
describe('af6: the sample app logs the refusals of its pages too', () => {
  let app: LoggedSampleApp;

  beforeEach(async () => {
    app = await startLoggedSampleApp('ess-af6-page-refusals-');
  });
  afterEach(() => app.close());

  it.each([
    ['a photo over the limit', () => request(app.server.url).post('/photos').attach('file', Buffer.alloc(21 * 1024 * 1024), 'robot.jpg'), 413, 'FILE_TOO_LARGE'],
    ['a photo that is an SQLite database', () => request(app.server.url).post('/photos').attach('file', SQLITE_HEADER, 'robot.jpg'), 403, 'DB_CONTENT_REFUSED'],
  ] as const)('%s: the error page, and one request.refused line at warn', async (_name, send, status, code) => {
    const answer = await send();
    expect(answer.status).toBe(status);
    expect(answer.type).toBe('text/html');
    expect(app.log.events('request.refused')).toEqual([expect.objectContaining({ level: LEVEL.warn, status, code, method: 'POST', path: '/photos', from: '127.0.0.1' })]);
  });

  it('a page that is not there is no refusal line (404)', async () => {
    await request(app.server.url).get('/photos/file/nothing.jpg').expect(404);
    expect(app.log.events('request.refused')).toEqual([]);
  });
});
