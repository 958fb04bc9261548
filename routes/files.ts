import { lstat, stat } from 'node:fs/promises';
import { Router, type Request, type Response } from 'express';
import { commitTempFile, removeSyncedFile, removeTempFile } from '../lib/files/atomic-file';
import { scanManifest } from '../lib/files/manifest';
import { resolveSyncPath } from '../lib/files/safe-path';
import { SyncError } from '../lib/sync-error';
import type { StoredUpload } from '../middleware/atomic-storage';
import { uploadGuard, uploadTargetOf } from '../middleware/upload-guard';
import { downloadFile } from './download';
import type { FilesConfig } from './files-config';
import { checkPrecondition, readPrecondition } from './file-state';

const SHA256_HEX = /^[0-9a-f]{64}$/;

/** `GET /files/checksums?path=<root>[/<folder>]`: the manifest of a root or of a folder in it. */
async function listChecksums(config: FilesConfig, req: Request, res: Response): Promise<void> {
  const target = await resolveSyncPath(config.roots, req.query.path, false);
  const clientPath = target.relative === '' ? target.root : `${target.root}/${target.relative}`;
  const stats = await stat(target.absolute).catch(() => undefined);
  if (stats === undefined) throw new SyncError('NOT_FOUND', 404, `${clientPath} does not exist`);
  if (!stats.isDirectory()) throw new SyncError('NOT_A_FOLDER', 400, `${clientPath} is a file; ask for the checksums of its folder`);
  const files = await scanManifest(target.rootDir, target.relative, { policy: config.policy, cache: config.cache });
  res.json({ root: target.root, path: target.relative, files });
}

/** The client's expected digest: multipart field `sha256` or query `sha256`, validated. */
function expectedDigest(req: Request): string | undefined {
  const body = req.body as Record<string, unknown> | undefined;
  const value = body?.sha256 ?? req.query.sha256;
  if (value === undefined || value === '') return undefined;
  if (typeof value !== 'string' || !SHA256_HEX.test(value.toLowerCase())) {
    throw new SyncError('BAD_SHA256', 400, '`sha256` must be 64 hexadecimal characters');
  }
  return value.toLowerCase();
}

async function checkNotDirectory(absolute: string, clientPath: string): Promise<boolean> {
  const existing = await lstat(absolute).catch(() => undefined);
  if (existing?.isDirectory() === true) throw new SyncError('PATH_CONFLICT', 409, `${clientPath} is a folder`);
  return existing !== undefined;
}

/** `POST /files/upload`: commits the temp file written by the upload guard, or removes it. */
async function commitUpload(config: FilesConfig, req: Request, res: Response): Promise<void> {
  const stored = req.file as (Express.Multer.File & StoredUpload) | undefined;
  if (stored === undefined) throw new SyncError('NO_FILE', 400, 'no file: send it as multipart/form-data in the field "file"');
  const target = uploadTargetOf(req);
  const clientPath = `${target.root}/${target.relative}`;
  try {
    const expected = expectedDigest(req);
    if (expected !== undefined && expected !== stored.sha256) {
      throw new SyncError('HASH_MISMATCH', 422, `the received file's sha256 is ${stored.sha256}, not ${expected}; nothing was written`);
    }
    const replaced = await checkNotDirectory(target.absolute, clientPath);
    await checkPrecondition(config.cache, target.absolute, clientPath, readPrecondition(req.query.if_match), stored.sha256);
    await commitTempFile(stored.path, target.absolute);
    res.status(replaced ? 200 : 201).json({ path: clientPath, size: stored.size, sha256: stored.sha256, replaced });
  } catch (error) {
    await removeTempFile(stored.path);
    throw error;
  }
}

/** `DELETE /files?path=<root>/<file>[&if_match=<sha256>]`: removes one file, optionally only if unchanged. */
async function deleteFile(config: FilesConfig, req: Request, res: Response): Promise<void> {
  const target = await resolveSyncPath(config.roots, req.query.path, true);
  const clientPath = `${target.root}/${target.relative}`;
  if (config.policy.isDatabaseName(target.relative)) {
    throw new SyncError('DB_FILE_REFUSED', 403, `${clientPath} is an SQLite database file name; databases sync as data, never as files`);
  }
  const precondition = readPrecondition(req.query.if_match);
  const existing = await lstat(target.absolute).catch(() => undefined);
  if (existing === undefined) throw new SyncError('NOT_FOUND', 404, `${clientPath} does not exist`);
  if (existing.isDirectory()) throw new SyncError('PATH_CONFLICT', 409, `${clientPath} is a folder; only files are deleted`);
  await checkPrecondition(config.cache, target.absolute, clientPath, precondition);
  await removeSyncedFile(target.absolute);
  res.json({ path: clientPath, deleted: true });
}

/** The file half of the sync router: checksums, upload and download. */
export function createFilesRouter(config: FilesConfig): Router {
  const router = Router();
  router.get('/checksums', (req, res) => listChecksums(config, req, res));
  router.post(
    '/upload',
    uploadGuard({
      roots: config.roots,
      uploadRoot: config.uploadRoot,
      policy: config.policy,
      maxFileBytes: config.maxUploadBytes,
      drain: config.drain,
    }),
    (req, res) => commitUpload(config, req, res),
  );
  router.get('/download', (req, res) => downloadFile(config, req, res));
  router.delete('/', (req, res) => deleteFile(config, req, res));
  return router;
}
