import type Database from 'better-sqlite3';
import request from 'supertest';
import type { ChangeTracker } from '../../lib/data/change-tracker';
import { dbDigest } from './data';
import { TEST_TOKEN } from './server';

/**
 * POSTs a hostile changes page (an object, or raw JSON text) to a server's
 * `/api/sync/data/changes` and checks the refusal: the status, the error code,
 * a message without a stack trace, and a database that did not change.
 */
export async function expectPageRefused(url: string, target: { readonly db: Database.Database; readonly tracker: ChangeTracker }, payload: unknown, status: number, code: string): Promise<void> {
  target.tracker.fold();
  const before = dbDigest(target.db);
  const response = await request(url)
    .post('/api/sync/data/changes')
    .set('Authorization', `Bearer ${TEST_TOKEN}`)
    .set('Content-Type', 'application/json')
    .send(typeof payload === 'string' ? payload : JSON.stringify(payload));
  expect(response.status).toBe(status);
  expect(response.body.error.code).toBe(code);
  expect(typeof response.body.error.message).toBe('string');
  expect(response.body.error.message).not.toMatch(/\n\s+at /); // no stack trace
  expect(dbDigest(target.db)).toBe(before);
}
