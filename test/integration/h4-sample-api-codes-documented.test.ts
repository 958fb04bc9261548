import { readFileSync } from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import { startSampleServer, type SampleServer } from '../helpers/sample-server';

const DOCS = path.resolve(__dirname, '..', '..', 'docs');
/** The "Codes:" paragraph of docs/SAMPLE-APP.md's JSON API section. */
const SAMPLE_CODES = (/^Codes: [\s\S]*?\n\n/m.exec(readFileSync(path.join(DOCS, 'SAMPLE-APP.md'), 'utf8'))?.[0] ?? '').replace(/\s+/g, ' ');
/** API.md's paragraph on the codes the sample app adds. */
const API_SAMPLE_CODES = /^The sample app adds [\s\S]*?\n\n/m.exec(readFileSync(path.join(DOCS, 'API.md'), 'utf8'))?.[0] ?? '';

/**
 * Every code the sample JSON API answers is in SAMPLE-APP.md's list of its
 * codes, with its status, and in API.md's paragraph on the codes the sample
 * app adds. `415 UNSUPPORTED_MEDIA_TYPE` was missing from the first,
 * `DUPLICATE` from the second.
 */
describe('the sample JSON API answers only the codes its docs list', () => {
  let app: SampleServer;
  beforeEach(async () => {
    app = await startSampleServer();
  });
  afterEach(async () => {
    await app.close();
  });

  it('415 UNSUPPORTED_MEDIA_TYPE, 409 DUPLICATE, 422 UNKNOWN_REFERENCE, 400 BAD_FIELD and MALFORMED_JSON', async () => {
    const api = request(app.url);
    const answers: { status: number; code: unknown }[] = [];
    const note = (res: request.Response): void => void answers.push({ status: res.status, code: (res.body as { error?: { code?: unknown } }).error?.code });
    note(await api.post('/api/teams').set('Content-Type', 'text/plain').send('{"number":1,"name":"x"}'));
    note(await api.post('/api/teams').set('Content-Type', 'application/json').send('{'));
    note(await api.post('/api/teams').send({ number: 0, name: 'x' }));
    const team = (await api.post('/api/teams').send({ number: 971, name: 'Spartan' }).expect(201)).body as { id: string };
    const match = (await api.post('/api/matches').send({ label: 'Q2' }).expect(201)).body as { id: string };
    note(await api.post('/api/reports').send({ match_id: 'no-such-match', team_id: team.id, scout: 'sam' }));
    await api.post('/api/reports').send({ match_id: match.id, team_id: team.id, scout: 'sam' }).expect(201);
    note(await api.post('/api/reports').send({ match_id: match.id, team_id: team.id, scout: 'sam' }));
    expect(answers).toEqual([
      { status: 415, code: 'UNSUPPORTED_MEDIA_TYPE' },
      { status: 400, code: 'MALFORMED_JSON' },
      { status: 400, code: 'BAD_FIELD' },
      { status: 422, code: 'UNKNOWN_REFERENCE' },
      { status: 409, code: 'DUPLICATE' },
    ]);
    for (const { status, code } of answers) expect(SAMPLE_CODES).toContain(`${status} \`${String(code)}\``);
    for (const code of ['BAD_FIELD', 'UNKNOWN_REFERENCE', 'DUPLICATE']) expect(API_SAMPLE_CODES).toContain(`\`${code}\``);
  });
});
