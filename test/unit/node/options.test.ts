import path from 'node:path';
import express from 'express';
import request from 'supertest';
import { silentLogger } from '../../../lib/logger';
import { createSyncNode } from '../../../node/create-sync-node';
import { createSyncRouter } from '../../../node/create-sync-router';
import type { SyncRouterOptions } from '../../../node/options';
import { tempDir } from '../../helpers/temp';

const TOKEN = 'a-long-enough-token-123';

describe('createSyncRouter options', () => {
  let temp: ReturnType<typeof tempDir>;
  beforeEach(() => {
    temp = tempDir();
  });
  afterEach(() => temp.cleanup());

  const roots = (): Record<string, string> => ({ uploads: path.join(temp.dir, 'uploads') });

  it('refuses to start without a token, naming the fix', () => {
    expect(() => createSyncRouter({ roots: roots(), logger: silentLogger })).toThrow(/allowUnauthenticatedPeers/);
  });

  it('accepts a short token, warning once that it can be guessed', async () => {
    const warnings: { detail: object; message: string }[] = [];
    const logger = { ...silentLogger, warn: (detail: object, message: string) => warnings.push({ detail, message }) };
    const app = express().use('/api/sync', createSyncRouter({ token: 'secret', roots: roots(), logger }));
    expect(warnings).toEqual([{ detail: { event: 'token.short' }, message: expect.stringMatching(/token #0 has 6 characters; .*at least 16/) }]);
    expect((await request(app).get('/api/sync/files/checksums?path=uploads').set('Authorization', 'Bearer secret')).status).toBe(200);
    expect((await request(app).get('/api/sync/files/checksums?path=uploads').set('Authorization', 'Bearer secreT')).status).toBe(401);
  });

  it('accepts a token wrapped in quotes, warning once that an env file may have kept them', async () => {
    const warnings: { detail: object; message: string }[] = [];
    const logger = { ...silentLogger, warn: (detail: object, message: string) => warnings.push({ detail, message }) };
    const quoted = '"0123456789abcdef0123"';
    const app = express().use('/api/sync', createSyncRouter({ token: ['plain-token-0123456789', quoted], roots: roots(), logger }));
    expect(warnings).toEqual([{ detail: { event: 'token.quoted' }, message: expect.stringMatching(/token #1 starts and ends with "; if the quotes are not part of the secret .* remove them/) }]);
    // The quotes are part of the token as given: only the quoted form is accepted.
    expect((await request(app).get('/api/sync/files/checksums?path=uploads').set('Authorization', `Bearer ${quoted}`)).status).toBe(200);
    expect((await request(app).get('/api/sync/files/checksums?path=uploads').set('Authorization', 'Bearer 0123456789abcdef0123')).status).toBe(401);
  });

  it.each([["'single-quoted-0123456789'", true], ['`backticks-0123456789abc`', true], ['"only-at-the-start-0123456', false], ['"mismatched-0123456789\'', false], ['has"quotes"inside-0123456', false]])(
    'tells a token wrapped in one pair of quotes (%s: %s)',
    (token, warned) => {
      const warnings: object[] = [];
      const logger = { ...silentLogger, warn: (detail: object) => warnings.push(detail) };
      createSyncRouter({ token, roots: roots(), logger });
      expect(warnings).toEqual(warned ? [{ event: 'token.quoted' }] : []);
    },
  );

  it('runs without a token only with the explicit opt-out', async () => {
    const app = express().use('/api/sync', createSyncRouter({ roots: roots(), allowUnauthenticatedPeers: true, logger: silentLogger }));
    const response = await request(app).get('/api/sync/files/checksums?path=uploads');
    expect(response.status).toBe(200);
  });

  it.each<[string, SyncRouterOptions, ErrorConstructor, RegExp]>([
    ['an empty token', { token: '' }, RangeError, /token #0 is empty/],
    ['a numeric token', { token: 42 as unknown as string }, TypeError, /token #0/],
    ['a token with a space (no header can carry it)', { token: 'has space in the token here' }, RangeError, /token #0 holds a space/],
    ['a token with a character outside ASCII', { token: 'the-shared-token-\u20ac-1234' }, RangeError, /outside ASCII/],
    ['extra database patterns that are not a list, by their own name', { token: TOKEN, extraDatabasePatterns: [5] as unknown as string[] }, TypeError, /`extraDatabasePatterns` must be an array/],
    ['a name with a terminal escape', { token: TOKEN, name: 'pit\u001b[2J laptop' }, RangeError, /control characters/],
    ['a logger without warn and error', { token: TOKEN, logger: {} as unknown as SyncRouterOptions['logger'] }, TypeError, /`logger` must have info, warn and error functions/],
    ['an empty token list', { token: [] }, TypeError, /empty/],
    ['a typo in an option', { token: TOKEN, allowUnauthenticatedPeer: true } as SyncRouterOptions, TypeError, /unknown option.*allowUnauthenticatedPeer/],
    ['a string opt-out', { allowUnauthenticatedPeers: 'yes' as unknown as boolean }, TypeError, /allowUnauthenticatedPeers/],
    ['a negative upload limit', { token: TOKEN, maxUploadBytes: -1 }, RangeError, /maxUploadBytes/],
    ['a string upload limit', { token: TOKEN, maxUploadBytes: '1mb' as unknown as number }, TypeError, /maxUploadBytes/],
    ['an unknown upload root', { token: TOKEN, uploadRoot: 'photos' }, RangeError, /uploadRoot/],
    ['a bad root name', { token: TOKEN, roots: { '../x': '/tmp/x' } }, RangeError, /root name/],
    ['bad database names', { token: TOKEN, databaseFileNames: 'app.db' as unknown as string[] }, TypeError, /databaseFileNames/],
    ['a string watchDirectories', { token: TOKEN, watchDirectories: 'no' as unknown as boolean }, TypeError, /watchDirectories/],
  ])('refuses %s', (_label, options, type, message) => {
    const withRoots = { roots: roots(), logger: silentLogger, ...options };
    expect(() => createSyncRouter(withRoots)).toThrow(type);
    expect(() => createSyncRouter(withRoots)).toThrow(message);
  });

  it.each([' info', 'loud'])('refuses LOG_LEVEL=%j for its default logger, naming LOG_LEVEL', (level) => {
    const before = process.env.LOG_LEVEL;
    process.env.LOG_LEVEL = level;
    try {
      expect(() => createSyncRouter({ roots: roots(), token: TOKEN })).toThrow(/LOG_LEVEL must be one of trace, debug, info/);
    } finally {
      if (before === undefined) delete process.env.LOG_LEVEL;
      else process.env.LOG_LEVEL = before;
    }
  });

  it('explains app.use(createSyncRouter) without the call', async () => {
    const app = express();
    app.use('/api/sync', createSyncRouter as unknown as express.RequestHandler);
    app.use((error: Error, _req: express.Request, res: express.Response, _next: express.NextFunction) => {
      res.status(500).json({ message: error.message });
    });
    const response = await request(app).get('/api/sync/files/checksums');
    expect((response.body as { message: string }).message).toMatch(/createSyncRouter is a factory/);
  });

  it('accepts several tokens for rotation and compares them all', async () => {
    const app = express().use('/api/sync', createSyncRouter({ roots: roots(), token: [TOKEN, 'the-next-token-456789'], logger: silentLogger }));
    for (const token of [TOKEN, 'the-next-token-456789']) {
      const response = await request(app).get('/api/sync/files/checksums?path=uploads').set('Authorization', `Bearer ${token}`);
      expect(response.status).toBe(200);
    }
    const wrong = await request(app).get('/api/sync/files/checksums?path=uploads').set('Authorization', `Bearer ${TOKEN}x`);
    expect(wrong.status).toBe(401);
    expect(wrong.headers['www-authenticate']).toMatch(/^Bearer/);
  });
});

describe('createSyncNode without peers still checks the sync client options at start', () => {
  let temp: ReturnType<typeof tempDir>;
  beforeEach(() => {
    temp = tempDir();
  });
  afterEach(() => temp.cleanup());

  it.each<[string, Record<string, unknown>, ErrorConstructor, RegExp]>([
    ['maxDeletePercent NaN', { maxDeletePercent: Number.NaN }, RangeError, /maxDeletePercent/],
    ['a coding no peer speaks', { peerCompression: 'zstd' }, TypeError, /peerCompression/],
    ['joinBySnapshot as text', { joinBySnapshot: 'yes' }, TypeError, /joinBySnapshot/],
    ['a zero syncPageSize', { syncPageSize: 0 }, RangeError, /syncPageSize/],
  ])('refuses %s with no peer configured', (_label, extra, type, message) => {
    const options = { token: TOKEN, logger: silentLogger, roots: { uploads: path.join(temp.dir, 'uploads') }, stateDir: path.join(temp.dir, 'state'), ...extra };
    expect(() => createSyncNode(options)).toThrow(type);
    expect(() => createSyncNode(options)).toThrow(message);
  });

  it('refuses peers with nothing to sync, naming its own options (database, roots)', () => {
    const options = { token: TOKEN, logger: silentLogger, roots: {}, peers: ['http://127.0.0.1:1/api/sync'], stateDir: path.join(temp.dir, 'state') };
    expect(() => createSyncNode(options)).toThrow(/`peers` but nothing to sync: give `database` \(with `tables`\), `roots`, or both/);
  });

  it('refuses a NATS transport with nothing to sync, naming `transport.nats` (not peers it was not given)', () => {
    const options = { token: TOKEN, logger: silentLogger, transport: { nats: { servers: 'nats://127.0.0.1:4222' } } };
    expect(() => createSyncNode(options)).toThrow(/`transport.nats` carries data: it needs `database` and `tables`/);
  });
});
