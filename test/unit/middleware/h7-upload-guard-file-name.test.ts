import { readdirSync } from 'node:fs';
import express from 'express';
import request from 'supertest';
import { saveGuardedUpload, SyncError, uploadGuard } from '../../../index';
import { multipart } from '../../helpers/multipart';
import { tempDir } from '../../helpers/temp';

function appWith(guard: express.RequestHandler): express.Express {
  const app = express();
  app.post('/photos', guard, async (req, res) => {
    const saved = await saveGuardedUpload(req);
    res.status(201).json({ sha256: saved.sha256 });
  });
  return app;
}

/** Posts `filename` exactly as given. */
function upload(app: express.Express, filename: string, url = '/photos'): request.Test {
  const { body, contentType } = multipart([{ name: 'file', filename, content: 'photo bytes' }]);
  return request(app).post(url).set('Content-Type', contentType).send(body);
}

/** The name an app keeps files under: no character a path may not hold. */
const safeName = (name: string): string => name.replace(/[^A-Za-z0-9.]+/g, '-');

describe('uploadGuard `fileName`: the name an upload without ?path= is stored under', () => {
  let dir: ReturnType<typeof tempDir>;
  beforeEach(() => {
    dir = tempDir('ess-guard-name-');
  });
  afterEach(() => {
    dir.cleanup();
  });

  it('checks and stores the file under the name the app makes of it, not the name as sent', async () => {
    const app = appWith(uploadGuard({ roots: { pit: dir.dir }, fileName: safeName }));
    await upload(app, 'Pit 10:15?.jpg').expect(201);
    expect(readdirSync(dir.dir)).toEqual(['Pit-10-15-.jpg']);
  });

  it('without it, a name a path may not hold is still refused as sent (400 BAD_PATH), nothing stored', async () => {
    const app = appWith(uploadGuard({ roots: { pit: dir.dir } }));
    const refused = await upload(app, 'Pit 10:15?.jpg');
    expect([refused.status, refused.body.error?.code]).toEqual([400, 'BAD_PATH']);
    expect(readdirSync(dir.dir)).toEqual([]);
  });

  it('refuses a database by the name as sent, whatever fileName makes of it', async () => {
    const app = appWith(uploadGuard({ roots: { pit: dir.dir }, fileName: () => 'harmless.jpg' }));
    const refused = await upload(app, 'app.db');
    expect([refused.status, refused.body.error?.code]).toEqual([403, 'DB_FILE_REFUSED']);
    expect(readdirSync(dir.dir)).toEqual([]);
  });

  it('answers the SyncError fileName throws, storing nothing', async () => {
    const fileName = (name: string): string => {
      throw new SyncError('NOT_A_PHOTO', 415, `${name} is not a photo`);
    };
    const app = appWith(uploadGuard({ roots: { pit: dir.dir }, fileName }));
    const refused = await upload(app, 'x.svg');
    expect([refused.status, refused.body]).toEqual([415, { error: { code: 'NOT_A_PHOTO', message: 'x.svg is not a photo' } }]);
    expect(readdirSync(dir.dir)).toEqual([]);
  });

  it('is not used for an upload with ?path=, which names its target itself', async () => {
    const app = appWith(uploadGuard({ roots: { pit: dir.dir }, fileName: () => 'renamed.jpg' }));
    await upload(app, 'robot.jpg', '/photos?path=pit/given.jpg').expect(201);
    expect(readdirSync(dir.dir)).toEqual(['given.jpg']);
  });

  it('is refused when built with a value that is no function', () => {
    expect(() => uploadGuard({ roots: { pit: dir.dir }, fileName: 'photo.jpg' as never })).toThrow(/`fileName` must be a function/);
  });
});
