import type Database from 'better-sqlite3';
import express from 'express';
import request from 'supertest';
import { silentLogger } from '../../../lib/logger';
import { createSyncRouter } from '../../../node/create-sync-router';
import { tempDb, type TempDb } from '../../helpers/data';
import { TEST_TOKEN } from '../../helpers/server';
import type { WireChange } from '../../../lib/data/changeset';
import { HOSTILE_SCHEMA, HOSTILE_TABLE_NAMES } from './schema';

/** A receiving server: its database and its app (the sync router, which holds the only tracker of the database). */
export interface Receiver {
  readonly temp: TempDb;
  readonly db: Database.Database;
  readonly app: express.Express;
  close(): void;
}

/** A fresh receiver: a database with the schema, and the sync router mounted at `/api/sync`. */
export function openReceiver(): Receiver {
  const temp = tempDb(HOSTILE_SCHEMA);
  temp.db.pragma('synchronous = OFF'); // a throwaway file: no fsync per commit keeps the runs within the time bound
  const app = express();
  app.use('/api/sync', createSyncRouter({ token: TEST_TOKEN, logger: silentLogger, database: temp.db, tables: [...HOSTILE_TABLE_NAMES] }));
  return { temp, db: temp.db, app, close: () => temp.cleanup() };
}

/** An answer to a POST, as a test compares it. */
export interface Answer {
  readonly status: number;
  readonly body: unknown;
}

/** POSTs JSON text to the receiver's `/data/changes`. */
export async function post(receiver: Receiver, text: string): Promise<Answer> {
  const response = await request(receiver.app).post('/api/sync/data/changes').set('Authorization', `Bearer ${TEST_TOKEN}`).set('Content-Type', 'application/json').send(text);
  return { status: response.status, body: response.body as unknown };
}

/** Problems with an answer: anything but a 2xx apply result or a 4xx `{ error: { code, message } }` (never a 5xx). */
export function answerProblems(answer: Answer): string[] {
  const { status, body } = answer;
  if (status >= 200 && status < 300) return typeof body === 'object' && body !== null && 'applied' in body ? [] : [`a ${status} without a result: ${JSON.stringify(body)}`];
  if (status < 400 || status >= 500) return [`status ${status}: ${JSON.stringify(body)}`];
  const error = (body as { error?: { code?: unknown; message?: unknown } } | null)?.error;
  const keys = typeof body === 'object' && body !== null ? Object.keys(body) : [];
  const shaped = keys.length === 1 && typeof error?.code === 'string' && /^[A-Z_]+$/.test(error.code) && typeof error.message === 'string' && !/\n\s+at /.test(error.message);
  return shaped ? [] : [`a ${status} that is not {error:{code,message}}: ${JSON.stringify(body)}`];
}

function exactValue(value: unknown): string {
  if (typeof value === 'number') return Object.is(value, -0) ? 'r:-0' : `r:${value}`;
  if (typeof value === 'bigint') return `i:${value}`;
  if (Buffer.isBuffer(value)) return `b:${value.toString('hex')}`;
  return value === null ? 'null' : `t:${String(value)}`;
}

/**
 * Every row of every table, `_sync_` ones included, byte for byte: storage
 * class, the sign of a zero, TEXT by its bytes; and the schema. Equal dumps mean nothing changed.
 */
export function exactDump(db: Database.Database): string[] {
  const lines = (db.prepare('SELECT type, name, sql FROM sqlite_schema ORDER BY name').raw(true).all() as unknown[][]).map((entry) => `S ${entry.join('|')}`);
  const tables = db.prepare("SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name").pluck().all() as string[];
  for (const table of tables) {
    const quoted = `"${table.replaceAll('"', '""')}"`;
    const columns = (db.prepare(`SELECT name FROM pragma_table_info(?)`).pluck().all(table) as string[]).map((name) => `"${name.replaceAll('"', '""')}"`);
    const select = columns.map((column) => `${column}, typeof(${column}), CASE typeof(${column}) WHEN 'text' THEN hex(${column}) END`).join(', ');
    const rows = db.prepare(`SELECT ${select} FROM ${quoted}`).raw(true).safeIntegers(true).all() as unknown[][];
    const texts = rows.map((row) => columns.map((_, index) => `${String(row[index * 3 + 1])}:${row[index * 3 + 2] === null ? exactValue(row[index * 3]) : String(row[index * 3 + 2])}`).join('|'));
    lines.push(...texts.sort().map((text) => `${table} ${text}`));
  }
  return lines;
}

/** The tracked tables' rows, byte for byte. */
export function tablesDump(receiver: Receiver): string[] {
  return exactDump(receiver.db).filter((line) => HOSTILE_TABLE_NAMES.some((name) => line.startsWith(`${name} `)));
}

/** A GET of the receiver's data routes (`changes?…`, `conflicts?…`). */
export function get(receiver: Receiver, path: string): request.Test {
  return request(receiver.app).get(`/api/sync/data/${path}`).set('Authorization', `Bearer ${TEST_TOKEN}`);
}

/** What two servers that received the same changes must hold alike: the tables, the replicated state as a page reads it, the conflicts. */
export async function replicatedState(receiver: Receiver): Promise<unknown> {
  const dump = tablesDump(receiver);
  const page = (await get(receiver, 'changes?since=0&limit=5000')).body as { changes: WireChange[]; sites: string[] };
  const listed = (await get(receiver, 'conflicts?limit=1000')).body as { conflicts: { at?: string }[] };
  const conflicts = listed.conflicts.map(({ at: _at, ...entry }) => entry);
  return { dump, changes: page.changes.map((change) => withSiteIds(change as WireChange, page.sites)).sort(), conflicts };
}

/** A change as JSON text, its site indexes replaced by the site ids (pages of two servers order their sites and rows as they wrote them). */
function withSiteIds(change: WireChange, sites: readonly string[]): string {
  const cells = Object.entries(change.cells ?? {}).map(([name, cell]) => [name, Array.isArray(cell) ? [cell[0], cell[1], sites[cell[2]]] : cell]);
  return JSON.stringify({ ...change, site: sites[change.site], cells });
}
