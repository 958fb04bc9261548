import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import { tempFilesUnder } from '../helpers/file-roots';
import { multipart, type Part } from '../helpers/multipart';
import { TEST_TOKEN, type TestServer } from '../helpers/server';
import { startFilesServer, type FilesServer } from '../helpers/files-server';

const AUTH = { Authorization: `Bearer ${TEST_TOKEN}` };
const RACERS = 12;

const sha = (text: string): string => createHash('sha256').update(text).digest('hex');

async function upload(server: TestServer, query: string, parts: readonly Part[]): Promise<{ status: number; body: unknown }> {
  const { body, contentType } = multipart(parts);
  const response = await request(server.url).post(`/api/sync/files/upload${query}`).set(AUTH).set('Content-Type', contentType).send(body);
  return { status: response.status, body: response.body as unknown };
}

const file = (content: string): Part => ({ name: 'file', filename: 'notes.txt', content });

describe('upload and delete preconditions hold under concurrency, as a query parameter or a multipart field', () => {
  let fixture: FilesServer;
  let uploads: string;
  let server: TestServer;

  beforeEach(async () => {
    fixture = await startFilesServer({ 'notes.txt': 'base' });
    ({ uploads, server } = fixture);
  });

  afterEach(() => fixture.close());

  it(`${RACERS} uploads made on the same base: exactly one replaces it, the others get 412, and the file is the winner's`, async () => {
    const answers = await Promise.all(
      Array.from({ length: RACERS }, (_, i) => upload(server, `?path=uploads/notes.txt&if_match=${sha('base')}`, [file(`edit ${i}`)])),
    );
    const winners = answers.flatMap((answer, i) => (answer.status === 200 ? [i] : []));
    expect(winners).toHaveLength(1);
    expect(answers.filter((answer) => answer.status === 412)).toHaveLength(RACERS - 1);
    for (const answer of answers.filter((a) => a.status === 412)) expect(answer.body).toEqual({ error: { code: 'PRECONDITION_FAILED', message: expect.any(String) } });
    expect(readFileSync(path.join(uploads, 'notes.txt'), 'utf8')).toBe(`edit ${winners[0] ?? -1}`);
    expect(tempFilesUnder(fixture.dir)).toEqual([]);
  });

  it(`${RACERS} uploads of a new file with if_match=none: exactly one creates it`, async () => {
    const answers = await Promise.all(Array.from({ length: RACERS }, (_, i) => upload(server, '?path=uploads/new.txt&if_match=none', [file(`new ${i}`)])));
    expect(answers.filter((answer) => answer.status === 201)).toHaveLength(1);
    expect(answers.filter((answer) => answer.status === 412)).toHaveLength(RACERS - 1);
  });

  it(`${RACERS} uploads of a new file with if_match=none and the same bytes: exactly one creates it`, async () => {
    const answers = await Promise.all(Array.from({ length: RACERS }, () => upload(server, '?path=uploads/same.txt&if_match=none', [file('same bytes')])));
    expect(answers.map((answer) => answer.status).sort()).toEqual([201, ...Array<number>(RACERS - 1).fill(412)]);
  });

  it('a stale if_match is 412 even when the bytes sent are already there', async () => {
    const answer = await upload(server, `?path=uploads/notes.txt&if_match=${sha('older')}`, [file('base')]);
    expect(answer).toEqual({ status: 412, body: { error: { code: 'PRECONDITION_FAILED', message: expect.any(String) } } });
  });

  it('an upload and a delete made on the same base: exactly one of them happens', async () => {
    const [uploaded, deleted] = await Promise.all([
      upload(server, `?path=uploads/notes.txt&if_match=${sha('base')}`, [file('edited')]),
      request(server.url).delete(`/api/sync/files?path=uploads/notes.txt&if_match=${sha('base')}`).set(AUTH),
    ]);
    expect([uploaded.status, deleted.status].sort()).toEqual([200, 412]);
  });

  it.each<[string, readonly Part[]]>([
    ['before the file part', [{ name: 'if_match', content: 'none' }, file('overwrite')]],
    ['after the file part', [file('overwrite'), { name: 'if_match', content: 'none' }]],
  ])('if_match=none as a multipart field %s keeps an existing file (412)', async (_where, parts) => {
    const answer = await upload(server, '?path=uploads/notes.txt', parts);
    expect(answer).toEqual({ status: 412, body: { error: { code: 'PRECONDITION_FAILED', message: expect.any(String) } } });
    expect(readFileSync(path.join(uploads, 'notes.txt'), 'utf8')).toBe('base');
  });

  it('if_match as a multipart field with the current sha256 replaces the file', async () => {
    const answer = await upload(server, '?path=uploads/notes.txt', [{ name: 'if_match', content: sha('base') }, file('next')]);
    expect(answer.status).toBe(200);
    expect(readFileSync(path.join(uploads, 'notes.txt'), 'utf8')).toBe('next');
  });

  it.each<[string, string, readonly Part[]]>([
    ['a malformed field', '', [{ name: 'if_match', content: 'yesterday' }, file('x')]],
    ['a field and a query parameter that differ', `&if_match=${sha('base')}`, [{ name: 'if_match', content: 'none' }, file('x')]],
  ])('%s is 400 BAD_PRECONDITION and writes nothing', async (_name, query, parts) => {
    const answer = await upload(server, `?path=uploads/notes.txt${query}`, parts);
    expect(answer).toEqual({ status: 400, body: { error: { code: 'BAD_PRECONDITION', message: expect.any(String) } } });
    expect(readFileSync(path.join(uploads, 'notes.txt'), 'utf8')).toBe('base');
    expect(tempFilesUnder(fixture.dir)).toEqual([]);
  });
});
