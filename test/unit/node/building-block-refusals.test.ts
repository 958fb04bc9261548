import { existsSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import express from 'express';
import request from 'supertest';
import { bearerAuth, createSyncNode, createSyncRouter, enableCapture, normalizePeerUrl, SyncClient } from '../../../index';
import { silentLogger } from '../../../lib/logger';
import { tempDb } from '../../helpers/data';
import { captureLog } from '../../helpers/log';
import { tempDir } from '../../helpers/temp';

const TOKEN = 'a-long-enough-token-123';

function syncObjects(db: Database.Database): number {
  return db.prepare("SELECT count(*) FROM sqlite_master WHERE name LIKE '\\_sync\\_%' ESCAPE '\\'").pluck().get() as number;
}

describe('building blocks check their options when built, and a refused creation leaves nothing behind', () => {
  it('enableCapture: an unknown option, a read-only connection and a table name spelled in another case are refused clearly', () => {
    const temp = tempDb('CREATE TABLE Teams (id TEXT PRIMARY KEY NOT NULL, name TEXT)');
    const readonly = new Database(temp.file, { readonly: true });
    try {
      expect(() => enableCapture(temp.db, { tables: ['Teams'], maxClockSkew: 5 } as never)).toThrow(/unknown option\(s\) maxClockSkew for enableCapture/);
      expect(() => enableCapture(readonly, { tables: ['Teams'] })).toThrow(/read-only.*open it read-write/);
      expect(() => enableCapture(temp.db, { tables: ['teams'] })).toThrow(/the table is "Teams": write its name as it was created/);
      expect(syncObjects(temp.db)).toBe(0);
    } finally {
      readonly.close();
      temp.cleanup();
    }
  });

  it('bearerAuth accepts a short token with a process warning that it can be guessed', async () => {
    const emitted = jest.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
    try {
      const app = express().get('/x', bearerAuth({ tokens: ['pit-crew'] }), (_req, res) => res.json({ ok: true }));
      expect(emitted).toHaveBeenCalledWith(expect.stringMatching(/token #0 has 8 characters; .*at least 16/), 'ExpressSqliteSyncWarning');
      expect((await request(app).get('/x').set('Authorization', 'Bearer pit-crew')).body).toEqual({ ok: true });
    } finally {
      emitted.mockRestore();
    }
  });

  it('bearerAuth: missing or wrong-typed tokens and unknown options are TypeErrors; a token with a space is told apart from a missing header', async () => {
    expect(() => bearerAuth(undefined as never)).toThrow(/bearerAuth needs an options object/);
    expect(() => bearerAuth({} as never)).toThrow(/`tokens` must be an array/);
    expect(() => bearerAuth({ tokens: TOKEN } as never)).toThrow(/`tokens` must be an array/);
    expect(() => bearerAuth({ tokens: [TOKEN], tokn: 1 } as never)).toThrow(/unknown option\(s\) tokn/);
    expect(() => bearerAuth({ tokens: [] })).toThrow(TypeError);
    expect(() => bearerAuth({ tokens: [] })).toThrow(/bearerAuth `tokens` is empty/); // its option is `tokens`, not the router's `token`
    const app = express().get('/x', bearerAuth({ tokens: [TOKEN] }), (_req, res) => res.json({ ok: true }));
    app.use(((error, _req, res, _next) => res.status(error.status).json({ message: error.message })) as express.ErrorRequestHandler);
    expect((await request(app).get('/x')).body.message).toMatch(/missing `Authorization: Bearer <token>` header/);
    expect((await request(app).get('/x').set('Authorization', 'Bearer two words')).body.message).toMatch(/is not `Bearer <token>` \(a token is one word: no spaces\)/);
    expect((await request(app).get('/x').set('Authorization', `Bearer ${TOKEN}`)).body).toEqual({ ok: true });
  });

  it('SyncClient: `data` and `files` of the wrong kind, and unknown options, are refused in the constructor', () => {
    const peers = ['http://127.0.0.1:9'];
    expect(() => new SyncClient({ peers, data: {} as never, logger: silentLogger })).toThrow(/`data` must be the tracker enableCapture/);
    expect(() => new SyncClient({ peers, files: {} as never, logger: silentLogger })).toThrow(/`files` must be \{ roots, policy, cache \}/);
    const temp = tempDb('CREATE TABLE teams (id TEXT PRIMARY KEY NOT NULL)');
    try {
      const data = enableCapture(temp.db, { tables: ['teams'] });
      expect(() => new SyncClient({ peers, data, peerTimeout: 5 } as never)).toThrow(/unknown option\(s\) peerTimeout for SyncClient/);
    } finally {
      temp.cleanup();
    }
  });

  it('a peer URL with a user name or password is refused, and the password is never repeated', () => {
    for (const url of ['http://admin:hunter2secret@127.0.0.1:1', 'http://admin:hunter2secret@127.0.0.1:1/?x=1', 'admin:hunter2secret@127.0.0.1:80', 'http://hunter2secret@127.0.0.1:1/api/sync', 'hunter2secret@127.0.0.1']) {
      let message = '';
      try {
        normalizePeerUrl(url);
      } catch (error) {
        message = (error as Error).message;
      }
      expect(message).toMatch(/user name or password|query|http or https|not a URL/);
      expect(message).not.toContain('hunter2secret');
    }
    expect(() => normalizePeerUrl('ftp://u:pw-secret@host')).toThrow(/must use http or https/);
    expect(() => normalizePeerUrl('ftp://u:pw-secret@host')).not.toThrow(/pw-secret/);
  });

  it('createSyncNode with a bad peer installs no trigger; createSyncRouter with a bad token makes no root folder', () => {
    const temp = tempDb('CREATE TABLE teams (id TEXT PRIMARY KEY NOT NULL)');
    const dir = tempDir();
    try {
      const uploads = path.join(dir.dir, 'uploads');
      expect(() => createSyncNode({ token: TOKEN, database: temp.db, tables: ['teams'], peers: ['10.0.0.2:5000'], logger: silentLogger })).toThrow(/is not a URL/);
      expect(syncObjects(temp.db)).toBe(0);
      expect(() => createSyncRouter({ token: 'has a space', roots: { uploads }, logger: silentLogger })).toThrow(/holds a space/);
      expect(() => createSyncNode({ token: TOKEN, roots: { uploads }, stateDir: path.join(dir.dir, 'state'), peers: ['http://127.0.0.1:9'], peerTimeoutMs: -1, logger: silentLogger })).toThrow(/peerTimeoutMs/);
      expect(() => createSyncNode({ token: TOKEN, roots: { uploads }, database: temp.db, tables: ['teams'], transport: { nats: { servers: 'nats://127.0.0.1:4222', streem: 'X' } } as never, logger: silentLogger })).toThrow(/streem/);
      expect(() => createSyncRouter({ token: TOKEN, roots: { uploads }, uploadRoot: 'photos', logger: silentLogger })).toThrow(/`uploadRoot` "photos" is not one of the roots/);
      expect(existsSync(uploads)).toBe(false);
    } finally {
      dir.cleanup();
      temp.cleanup();
    }
  });
});

describe('the router mounted at the root', () => {
  it('answers its own paths and passes every other request on to the app, untouched', async () => {
    const dir = tempDir();
    try {
      const app = express();
      app.use(createSyncRouter({ token: TOKEN, roots: { uploads: path.join(dir.dir, 'uploads') }, logger: silentLogger }));
      app.get('/', (_req, res) => res.send('home'));
      app.get('/teams', (_req, res) => res.json(['971']));
      expect((await request(app).get('/')).text).toBe('home');
      expect((await request(app).get('/teams')).body).toEqual(['971']);
      expect((await request(app).get('/status')).status).toBe(401);
      expect((await request(app).get('/status').set('Authorization', `Bearer ${TOKEN}`)).status).toBe(200);
      expect((await request(app).get('/files/nothing-here').set('Authorization', `Bearer ${TOKEN}`)).body.error.code).toBe('NOT_FOUND');
      // Under a prefix, everything below it stays the router's: a JSON 404.
      const prefixed = express().use('/api/sync', createSyncRouter({ token: TOKEN, logger: silentLogger }));
      const unknown = await request(prefixed).get('/api/sync/teams').set('Authorization', `Bearer ${TOKEN}`);
      expect([unknown.status, unknown.body.error.code]).toEqual([404, 'NOT_FOUND']);
    } finally {
      dir.cleanup();
    }
  });
});

describe('createSyncRouter refuses what would be silently ignored', () => {
  it.each<[string, Record<string, unknown>, RegExp]>([
    ['data options without a database', { maxClockSkewMs: 1000 }, /`maxClockSkewMs` needs `database`/],
    ['serveSnapshots without a database', { serveSnapshots: false }, /`serveSnapshots` needs `database`/],
    ['roots: null', { roots: null }, /`roots` must be an object/],
    ['a name with a text-direction override', { name: 'pit \u202elaptop' }, /control characters, invisible or text-direction marks/],
  ])('%s', (_name, extra, message) => {
    expect(() => createSyncRouter({ token: TOKEN, logger: silentLogger, ...extra })).toThrow(message);
  });
});

describe('a router over tables with foreign keys on a connection that does not enforce them', () => {
  it('warns once at creation, naming the tables and the fix', () => {
    const temp = tempDb('CREATE TABLE teams (id TEXT PRIMARY KEY NOT NULL); CREATE TABLE reports (id TEXT PRIMARY KEY NOT NULL, team_id TEXT REFERENCES teams (id))');
    try {
      temp.db.pragma('foreign_keys = OFF');
      const log = captureLog();
      createSyncRouter({ token: TOKEN, database: temp.db, tables: ['teams', 'reports'], logger: log.logger });
      expect(log.events('foreign_keys.off')).toEqual([expect.objectContaining({ tables: ['reports'], msg: expect.stringMatching(/foreign_keys = ON/) })]);
      temp.db.pragma('foreign_keys = ON');
      const quiet = captureLog();
      createSyncRouter({ token: TOKEN, database: temp.db, tables: ['teams', 'reports'], logger: quiet.logger });
      expect(quiet.events('foreign_keys.off')).toEqual([]);
    } finally {
      temp.cleanup();
    }
  });
});

describe('a router on a connection that ignores CHECK constraints', () => {
  it('warns once at creation, naming the tables and the fix', () => {
    const temp = tempDb('CREATE TABLE spans (id TEXT PRIMARY KEY NOT NULL, lo INTEGER, hi INTEGER, CHECK (lo < hi))');
    try {
      temp.db.pragma('ignore_check_constraints = ON');
      const log = captureLog();
      createSyncRouter({ token: TOKEN, database: temp.db, tables: ['spans'], logger: log.logger });
      expect(log.events('check_constraints.ignored')).toEqual([expect.objectContaining({ tables: ['spans'], msg: expect.stringMatching(/ignore_check_constraints = OFF/) })]);
      temp.db.pragma('ignore_check_constraints = OFF');
      const quiet = captureLog();
      createSyncRouter({ token: TOKEN, database: temp.db, tables: ['spans'], logger: quiet.logger });
      expect(quiet.events('check_constraints.ignored')).toEqual([]);
    } finally {
      temp.cleanup();
    }
  });
});
