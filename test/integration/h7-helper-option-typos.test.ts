import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import express from 'express';
import request from 'supertest';
import { backupDatabase, createFilePolicy, createSyncNode, createSyncRouter, ManifestCache, refuseCrossSiteWrites, restoreDatabase, saveGuardedUpload, scanManifest, SyncClient, uploadGuard } from '../../index';
import { tempDir } from '../helpers/temp';

/**
 * Issue 8: "Unknown keys are refused" (docs/ARCHITECTURE.md, "Options: one
 * path"). The public helpers an app calls itself took any key: a typo in
 * `saveGuardedUpload`'s options (`destinaton`, `expectedSHA256`) saved the
 * file at the guard's target, or skipped the hash check, without a word;
 * `refuseCrossSiteWrites({ mesage })` kept the router's words; `scanManifest`
 * without a `cache` failed deep inside with "Cannot read properties of
 * undefined"; `backupDatabase(…, { overwite: true })` answered that the
 * target exists. Each now throws a TypeError naming the key, and does nothing.
 */
describe('public helpers refuse an option they do not know, naming it', () => {
  let temp: ReturnType<typeof tempDir>;
  beforeEach(() => {
    temp = tempDir('ess-h7-typos-');
  });
  afterEach(() => temp.cleanup());

  /** An app saving each upload with `options`, answering what saveGuardedUpload threw as `{ name, message }`. */
  function uploadApp(root: string, options: Record<string, unknown>): express.Express {
    return express().post('/photos', uploadGuard({ roots: { pit: root } }), async (req, res) => {
      try {
        const saved = await saveGuardedUpload(req, options);
        res.status(201).json({ absolute: saved.absolute });
      } catch (error) {
        res.status(418).json({ name: (error as Error).name, message: (error as Error).message });
      }
    });
  }

  it.each([
    ['destinaton', (dir: string) => ({ destinaton: path.join(dir, 'chosen', 'robot.jpg') })],
    ['expectedSHA256', () => ({ expectedSHA256: '0'.repeat(64) })],
  ])('saveGuardedUpload with %s: a TypeError naming it, nothing written, no temp file left', async (key, options) => {
    const root = path.join(temp.dir, 'pit');
    mkdirSync(path.join(temp.dir, 'chosen'), { recursive: true });
    mkdirSync(root);
    const answer = await request(uploadApp(root, options(temp.dir))).post('/photos').attach('file', Buffer.from('photo bytes'), 'robot.jpg');
    expect(answer.status).toBe(418);
    expect(answer.body.name).toBe('TypeError');
    expect(answer.body.message).toContain(key);
    expect(answer.body.message).toMatch(/unknown option/);
    expect(readdirSync(root)).toEqual([]);
    expect(readdirSync(path.join(temp.dir, 'chosen'))).toEqual([]);
  });

  it('saveGuardedUpload with its documented options still saves (the control)', async () => {
    const root = path.join(temp.dir, 'pit');
    mkdirSync(root);
    const chosen = path.join(temp.dir, 'robot.jpg');
    const answer = await request(uploadApp(root, { destination: chosen, expectedSha256: undefined, beforeCommit: () => undefined }))
      .post('/photos')
      .attach('file', Buffer.from('photo bytes'), 'robot.jpg');
    expect(answer.status).toBe(201);
    expect(existsSync(chosen)).toBe(true);
  });

  it('refuseCrossSiteWrites: an unknown key, or options that are not an object, is a TypeError naming it', () => {
    expect(() => refuseCrossSiteWrites({ mesage: () => 'no' } as never)).toThrow(/unknown option\(s\) mesage for refuseCrossSiteWrites/);
    expect(() => refuseCrossSiteWrites('words' as never)).toThrow(TypeError);
    expect(() => refuseCrossSiteWrites({ message: (what) => `refused (${what})` })).not.toThrow();
  });

  it('scanManifest: no cache, no policy or an unknown key is a TypeError naming it', async () => {
    const root = path.join(temp.dir, 'root');
    mkdirSync(root);
    const policy = createFilePolicy();
    const cache = new ManifestCache({ watchDirectories: false });
    try {
      await expect(scanManifest(root, '', { policy } as never)).rejects.toThrow(/`cache` of scanManifest must be a ManifestCache/);
      await expect(scanManifest(root, '', { cache } as never)).rejects.toThrow(/`policy` of scanManifest must be a FilePolicy/);
      await expect(scanManifest(root, '', undefined as never)).rejects.toThrow(/scanManifest needs an options object/);
      await expect(scanManifest(root, '', { policy, cache, rootname: 'root' } as never)).rejects.toThrow(/unknown option\(s\) rootname for scanManifest/);
      await expect(scanManifest(root, '', { policy, cache, rootName: 'root' })).resolves.toEqual([]);
    } finally {
      cache.close();
    }
  });

  it('backupDatabase and restoreDatabase: an unknown key is a TypeError naming it, and nothing is written', async () => {
    const dbPath = path.join(temp.dir, 'app.db');
    new Database(dbPath).exec('CREATE TABLE t (id INTEGER PRIMARY KEY)').close();
    const out = path.join(temp.dir, 'backup.db');
    await expect(backupDatabase(dbPath, out, { overwite: true } as never)).rejects.toThrow(/unknown option\(s\) overwite for backupDatabase/);
    expect(existsSync(out)).toBe(false);
    await backupDatabase(dbPath, out);
    const restored = path.join(temp.dir, 'new', 'app.db');
    await expect(restoreDatabase(out, restored, { onProgres: () => undefined } as never)).rejects.toThrow(/unknown option\(s\) onProgres for restoreDatabase/);
    expect(existsSync(path.join(temp.dir, 'new'))).toBe(false);
    await expect(restoreDatabase(out, restored, { overwrite: false })).resolves.toBeDefined();
  });

  it('the factories given their options inside an array say they need an options object, not that the token is missing', () => {
    const options = { token: 'test-token-0123456789abcdef', roots: { pit: temp.dir } };
    expect(() => createSyncRouter([options] as never)).toThrow(/createSyncRouter needs an options object/);
    expect(() => createSyncNode([options] as never)).toThrow(/createSyncNode needs an options object/);
    expect(() => new SyncClient([options] as never)).toThrow(/SyncClient needs an options object/);
  });
});
