import path from 'node:path';
import express, { type RequestHandler } from 'express';
import request from 'supertest';
import { silentLogger } from '../../lib/logger';
import { createSyncRouter } from '../../node/create-sync-router';
import { trackedDb } from '../helpers/data';
import { makeRoots, tempFilesUnder } from '../helpers/file-roots';
import { startServer, TEST_TOKEN, type TestServer } from '../helpers/server';
import { tempDir } from '../helpers/temp';

const auth = { Authorization: `Bearer ${TEST_TOKEN}` };

/** Reads the body to its end and keeps nothing, as a hand-written logger or signature check might. */
const swallowBody: RequestHandler = (req, _res, next) => {
  req.on('end', () => next());
  req.resume();
};

const APP_PARSERS: readonly [string, RequestHandler][] = [
  ['express.raw({ type: "*/*" })', express.raw({ type: '*/*', limit: '1gb' })],
  ['express.text({ type: "*/*" })', express.text({ type: '*/*', limit: '1gb' })],
  ['a middleware that reads the stream and keeps nothing', swallowBody],
];

describe('a body parser of the app in front of the sync router', () => {
  let temp: ReturnType<typeof tempDir>;
  let source: ReturnType<typeof trackedDb>;
  let server: TestServer | undefined;
  let uploads: string;

  async function serve(parser: RequestHandler): Promise<TestServer> {
    const roots = makeRoots(path.join(temp.dir, 'data'));
    uploads = roots.uploads ?? '';
    const app = express();
    app.use(parser);
    app.use('/api/sync', createSyncRouter({ token: TEST_TOKEN, logger: silentLogger, roots, database: source.db, tables: ['teams', 'reports'] }));
    server = await startServer(app);
    return server;
  }

  beforeEach(() => {
    temp = tempDir();
    source = trackedDb();
  });
  afterEach(async () => {
    await server?.close();
    server = undefined;
    source.cleanup();
    temp.cleanup();
  });

  describe.each(APP_PARSERS)('%s', (_label, parser) => {
    it('makes POST /data/changes answer 500 BODY_ALREADY_READ, saying how to mount the router', async () => {
      const { url } = await serve(parser);
      const peer = trackedDb();
      try {
        peer.db.exec("INSERT INTO teams VALUES ('t9', 'Late', 9, NULL, NULL)");
        const response = await request(url).post('/api/sync/data/changes').set(auth).send(peer.tracker.readChanges(0, 100));
        expect(response.status).toBe(500);
        expect(response.body.error.code).toBe('BODY_ALREADY_READ');
        expect(response.body.error.message).toContain('mount the sync router before app.use(express.json()/raw()/text())');
      } finally {
        peer.cleanup();
      }
    });

    it('makes POST /data/conflicts/:id/resolve answer 500 BODY_ALREADY_READ', async () => {
      const { url } = await serve(parser);
      const response = await request(url).post('/api/sync/data/conflicts/0123456789abcdef/resolve').set(auth).send({ action: 'discard' });
      expect(response.status).toBe(500);
      expect(response.body.error.code).toBe('BODY_ALREADY_READ');
    });

    it('makes POST /deletions/confirm answer 500 BODY_ALREADY_READ, confirming nothing', async () => {
      const { url } = await serve(parser);
      const response = await request(url).post('/api/sync/deletions/confirm').set(auth).send({ peer: 'http://10.0.0.3:5000' });
      expect(response.status).toBe(500);
      expect(response.body.error.code).toBe('BODY_ALREADY_READ');
    });

    it('makes an upload answer 500 BODY_ALREADY_READ, and stores nothing', async () => {
      const { url } = await serve(parser);
      const response = await request(url).post('/api/sync/files/upload?path=uploads/a.txt').set(auth).attach('file', Buffer.from('hello'), 'a.txt');
      expect(response.status).toBe(500);
      expect(response.body.error.code).toBe('BODY_ALREADY_READ');
      expect(tempFilesUnder(uploads)).toEqual([]);
    });
  });

  it('a global express.json() with a large enough limit keeps working for a push', async () => {
    const { url } = await serve(express.json({ limit: '50mb' }));
    const peer = trackedDb();
    try {
      peer.db.exec("INSERT INTO teams VALUES ('t9', 'Late', 9, NULL, NULL)");
      const response = await request(url).post('/api/sync/data/changes').set(auth).send(peer.tracker.readChanges(0, 100));
      expect(response.status).toBe(200);
      expect(source.db.prepare("SELECT name FROM teams WHERE id = 't9'").get()).toEqual({ name: 'Late' });
      const upload = await request(url).post('/api/sync/files/upload?path=uploads/a.txt').set(auth).attach('file', Buffer.from('hello'), 'a.txt');
      expect(upload.status).toBe(201);
    } finally {
      peer.cleanup();
    }
  });
});
