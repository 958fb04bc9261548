import { readdirSync } from 'node:fs';
import path from 'node:path';
import express from 'express';
import request from 'supertest';
import { createFilePolicy, saveGuardedUpload, uploadGuard, type FilePolicy } from '../../../index';
import { tempDir } from '../../helpers/temp';

function appWith(guard: express.RequestHandler): express.Express {
  const app = express();
  app.post('/photos', guard, async (req, res) => {
    const saved = await saveGuardedUpload(req);
    res.status(201).json({ sha256: saved.sha256 });
  });
  return app;
}

describe('uploadGuard used on its own, as docs/API.md shows it', () => {
  it('answers a refusal itself as JSON (no error middleware needed), writes nothing, and saves a good file', async () => {
    const dir = tempDir('ess-guard-');
    try {
      const app = appWith(uploadGuard({ roots: { pit: dir.dir } }));
      const refused = await request(app).post('/photos').attach('file', Buffer.from('x'), 'app.db');
      expect(refused.status).toBe(403);
      expect(refused.type).toBe('application/json');
      expect(refused.body.error.code).toBe('DB_FILE_REFUSED');
      expect(refused.text).not.toMatch(/at .*\.js:\d+/);
      const missing = await request(app).post('/photos').field('other', 'x');
      expect(missing.status).toBe(400);
      expect(missing.body.error.code).toBe('NO_FILE');
      for (const name of ['..', '.']) {
        const unnamed = await request(app).post('/photos').attach('file', Buffer.from('x'), name);
        expect(unnamed.status).toBe(400);
        expect(unnamed.body.error.message).toMatch(/file name|\.\./);
      }
      expect(readdirSync(dir.dir)).toEqual([]);
      const saved = await request(app).post('/photos').attach('file', Buffer.from('photo'), 'robot.jpg');
      expect(saved.status).toBe(201);
      expect(readdirSync(dir.dir)).toEqual(['robot.jpg']);
    } finally {
      dir.cleanup();
    }
  });

  it('refuses a ?path= whose bytes are not UTF-8 (the app’s query parser made them U+FFFD) and leaves the app’s own parameters alone', async () => {
    const dir = tempDir('ess-guard-');
    try {
      const app = appWith(uploadGuard({ roots: { pit: dir.dir } }));
      const refused = await request(app).post('/photos?path=pit/%E0%A4.jpg').attach('file', Buffer.from('x'), 'x.jpg');
      expect([refused.status, refused.body.error?.code]).toEqual([400, 'BAD_PATH']);
      expect(readdirSync(dir.dir)).toEqual([]);
      await request(app).post('/photos?album=%E0%A4&path=pit/%C3%A9t%C3%A9.jpg').attach('file', Buffer.from('x'), 'x.jpg').expect(201);
      expect(readdirSync(dir.dir)).toEqual(['\u00e9t\u00e9.jpg']);
    } finally {
      dir.cleanup();
    }
  });

  it('with passErrors, hands the refusal to the app’s error middleware', async () => {
    const dir = tempDir('ess-guard-');
    try {
      const app = appWith(uploadGuard({ roots: { pit: dir.dir }, passErrors: true }));
      app.use((error: { code?: string }, _req: express.Request, res: express.Response, _next: express.NextFunction) => {
        res.status(418).json({ seen: error.code });
      });
      const refused = await request(app).post('/photos').attach('file', Buffer.from('x'), 'app.db');
      expect([refused.status, refused.body]).toEqual([418, { seen: 'DB_FILE_REFUSED' }]);
    } finally {
      dir.cleanup();
    }
  });

  it('refuses a policy that is not one, and unknown options, when built; a policy that throws is a JSON 500, not a dead process', async () => {
    const dir = tempDir('ess-guard-');
    try {
      expect(() => uploadGuard({ roots: { pit: dir.dir }, policy: {} as FilePolicy })).toThrow(/`policy` must be a file policy/);
      expect(() => uploadGuard({ roots: { pit: dir.dir }, maxUploadByte: 5 } as never)).toThrow(/unknown option\(s\) maxUploadByte for uploadGuard/);
      const throwing: FilePolicy = {
        isDatabaseName: () => {
          throw new Error('policy bug');
        },
        isDatabaseContent: createFilePolicy().isDatabaseContent,
      };
      const app = appWith(uploadGuard({ roots: { pit: dir.dir }, policy: throwing }));
      const answer = await request(app).post('/photos').attach('file', Buffer.from('x'), 'a.jpg');
      expect(answer.status).toBe(500);
      expect(answer.body).toEqual({ error: { code: 'INTERNAL', message: 'internal error' } });
      const again = await request(app).post('/photos').attach('file', Buffer.from('x'), 'a.jpg');
      expect(again.status).toBe(500);
      expect(readdirSync(path.join(dir.dir))).toEqual([]);
    } finally {
      dir.cleanup();
    }
  });
});
