import { stat } from 'node:fs/promises';
import { Router, type NextFunction, type Request, type Response } from 'express';
import { describeNotWritable, describeStoreError, removeSyncedFile } from '../lib/files/atomic-file';
import { databaseSideFolderOn, isDatabaseOnDisk } from '../lib/files/database-file';
import { databaseContentRefused, nameRefusal, resolveSyncPathOrDatabaseName } from '../lib/files/database-refusal';
import { withFileLock } from '../lib/files/file-locks';
import { listManifest } from '../lib/files/manifest';
import { readFileQuery, type FileQuery } from '../lib/files/raw-query';
import { isSpecialFile, statThroughLink } from '../lib/files/regular-file';
import type { DeleteAnswer, ManifestAnswer, UploadAnswer } from '../lib/files/wire-schema';
import { resolveWriteTarget } from '../lib/files/write-target';
import { DEFAULTS } from '../lib/defaults';
import { SyncError } from '../lib/sync-error';
import { lingerOnClose } from '../middleware/lingering-close';
import { fileSentAsTextField, textFieldNamedFile } from '../middleware/no-file';
import { discardGuardedUpload, saveSyncedUpload } from '../middleware/upload-commit';
import { uploadGuard, uploadTargetOf } from '../middleware/upload-guard';
import { serveFile } from './download';
import type { FileRoutesConfig } from './files-config';
import { checkPrecondition, headerPrecondition, readPrecondition, samePrecondition, type FilePrecondition } from './file-state';
import { abandonWhenStalled } from '../middleware/stall';

const SHA256_HEX = /^[0-9a-f]{64}$/;

/** The query parameters each file route takes; any other is refused (400), never ignored. */
const CHECKSUMS_PARAMETERS = ['path'] as const;
const UPLOAD_PARAMETERS = ['path', 'sha256', 'if_match'] as const;
const DELETE_PARAMETERS = ['path', 'if_match'] as const;
/** The multipart fields the upload route takes besides the file; any other is refused (400), never ignored. */
const UPLOAD_FIELDS: readonly string[] = ['sha256', 'if_match'];

/** `GET /files/checksums?path=<root>[/<folder>]`: the manifest of a root or of a folder in it. */
async function listChecksums(config: FileRoutesConfig, req: Request, res: Response): Promise<void> {
  const query = readFileQuery(req.originalUrl, CHECKSUMS_PARAMETERS);
  const target = await resolveSyncPathOrDatabaseName(config.roots, config.policy, query.path, false);
  const clientPath = target.relative === '' ? target.root : `${target.root}/${target.relative}`;
  if (target.relative !== '' && config.policy.isDatabaseName(target.relative)) throw nameRefusal(config.policy, target.relative, clientPath);
  if (target.relative !== '' && (await databaseSideFolderOn(target.rootDir, target.relative, true)) !== undefined) throw databaseContentRefused(clientPath); // never entered, as by the root's scan
  const stats = await stat(target.absolute).catch(() => undefined);
  if (stats === undefined) throw new SyncError('NOT_FOUND', 404, `${clientPath} does not exist`);
  if (!stats.isDirectory()) throw new SyncError('NOT_A_FOLDER', 400, `${clientPath} is a file; ask for the checksums of its folder`);
  const { files, leftOut } = await listManifest(target.rootDir, target.relative, { policy: config.policy, cache: config.cache, rootName: target.root });
  abandonWhenStalled(req, res, config.sendStallMs ?? DEFAULTS.sendStallMs, config.logger); // armed after the scan, which may be long: a large root's manifest is MBs
  res.json({ root: target.root, path: target.relative, files, ...(leftOut.length > 0 ? { leftOut } : {}) } satisfies ManifestAnswer);
}

/**
 * The upload's `if_match`: query parameter or multipart field (either, as
 * `sha256`), or the headers `If-Match: "<sha256>"` / `If-None-Match: *`, validated;
 * two of them given and different is 400.
 */
function uploadPrecondition(req: Request, query: FileQuery): FilePrecondition | undefined {
  const field = (req.body as Record<string, unknown> | undefined)?.if_match;
  const given = query.if_match;
  if (Array.isArray(field)) throw new SyncError('BAD_PRECONDITION', 400, 'the multipart field `if_match` is given more than once: give it once');
  if (field !== undefined && given !== undefined && field !== given) {
    throw new SyncError('BAD_PRECONDITION', 400, '`if_match` is given twice (query and field) with different values');
  }
  return samePrecondition(readPrecondition(given ?? field), headerPrecondition(req.headers, true), '`if_match` and an HTTP header');
}

/**
 * The client's expected digest: multipart field `sha256` or query `sha256` (both given and different is 400), validated.
 * @throws SyncError `BAD_SHA256` (400)
 */
function expectedDigest(req: Request, query: FileQuery): string | undefined {
  const field = (req.body as Record<string, unknown> | undefined)?.sha256;
  const given = query.sha256;
  if (Array.isArray(field)) throw new SyncError('BAD_SHA256', 400, 'the multipart field `sha256` is given more than once: give it once');
  if (field !== undefined && given !== undefined && field !== given) {
    throw new SyncError('BAD_SHA256', 400, '`sha256` is given twice (query and field) with different values');
  }
  const value = field ?? given;
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || !SHA256_HEX.test(value.toLowerCase())) {
    throw new SyncError('BAD_SHA256', 400, '`sha256` must be 64 hexadecimal characters');
  }
  return value.toLowerCase();
}

/**
 * Refuses a multipart field the upload route does not take: a misspelling
 * such as `if-match` (the HTTP header's spelling) or `sha-256`, ignored, would
 * drop the client's precondition or digest and overwrite the file.
 * A text field named `file` is refused as no file, which it is.
 * @throws SyncError `BAD_REQUEST` (400) naming the field
 */
function refuseUnknownFields(req: Request): void {
  if (textFieldNamedFile(req)) throw fileSentAsTextField(); // not "unknown field \"file\"": the route asks for file, as the file part
  const body = req.body as Record<string, unknown> | undefined;
  const unknown = Object.keys(body ?? {}).find((name) => !UPLOAD_FIELDS.includes(name));
  if (unknown === undefined) return;
  throw new SyncError('BAD_REQUEST', 400, `unknown multipart field ${JSON.stringify(unknown)}: this route takes the fields file, ${UPLOAD_FIELDS.join(', ')} (nothing was written)`);
}

/** `POST /files/upload`: commits the temp file written by the upload guard (after the digest and `if_match` checks), or removes it. */
async function commitUpload(config: FileRoutesConfig, req: Request, res: Response): Promise<void> {
  const target = req.file === undefined ? undefined : uploadTargetOf(req);
  const clientPath = target === undefined ? '' : `${target.root}/${target.relative}`;
  let expectedSha256: string | undefined;
  let precondition: FilePrecondition | undefined;
  try {
    const query = readFileQuery(req.originalUrl, UPLOAD_PARAMETERS);
    refuseUnknownFields(req);
    expectedSha256 = expectedDigest(req, query);
    precondition = uploadPrecondition(req, query);
  } catch (error) {
    await discardGuardedUpload(req);
    throw error;
  }
  const saved = await saveSyncedUpload(req, {
    expectedSha256,
    beforeCommit: (_stored, destination) => checkPrecondition(config.cache, destination, clientPath, precondition),
  }).catch((error: unknown) => {
    throw describeStoreError(error, clientPath); // a file there this server may not read or replace, its folder gone meanwhile, a full disk
  });
  res.status(saved.replaced ? 200 : 201).json({ path: clientPath, size: saved.size, sha256: saved.sha256, replaced: saved.replaced } satisfies UploadAnswer);
}

/** `DELETE /files?path=<root>/<file>[&if_match=<sha256>]`: removes one file, optionally only if unchanged. */
async function deleteFile(config: FileRoutesConfig, req: Request, res: Response): Promise<void> {
  const query = readFileQuery(req.originalUrl, DELETE_PARAMETERS);
  const target = await resolveWriteTarget(config.roots, config.policy, query.path, 'deleted');
  const clientPath = `${target.root}/${target.relative}`;
  if (config.policy.isDatabaseName(target.relative)) {
    throw nameRefusal(config.policy, target.relative, clientPath);
  }
  if ((await databaseSideFolderOn(target.rootDir, target.relative)) !== undefined) throw databaseContentRefused(clientPath);
  const precondition = samePrecondition(readPrecondition(query.if_match), headerPrecondition(req.headers, false), '`if_match` and If-Match');
  await withFileLock(target.absolute, async () => {
    const existing = await statThroughLink(target.absolute); // a symlink to a folder is a folder
    if (existing === undefined) throw new SyncError('NOT_FOUND', 404, `${clientPath} does not exist`);
    if (existing.isDirectory()) throw new SyncError('PATH_CONFLICT', 409, `${clientPath} is a folder (or a symlink to one); only files are deleted`);
    if (isSpecialFile(existing)) {
      throw new SyncError('PATH_CONFLICT', 409, `${clientPath} is a pipe, socket or device here, not a file; only files are deleted (remove it on the server if it must go)`);
    }
    if (await isDatabaseOnDisk(target.absolute)) throw databaseContentRefused(clientPath); // 403 before any precondition
    await checkPrecondition(config.cache, target.absolute, clientPath, precondition, 'deleted');
    await removeSyncedFile(target.absolute, target.rootDir).catch((error: unknown) => {
      throw describeNotWritable(error, clientPath, 'deleted');
    });
  });
  res.json({ path: clientPath, deleted: true } satisfies DeleteAnswer);
}

/**
 * Refuses an upload whose query holds a parameter the route does not take, a
 * `path` that is not UTF-8, or a `sha256` or `if_match` that is not one, before the upload guard reads any of the body:
 * answered at once with `Connection: close` and a bounded drain, as the
 * guard's own refusals are.
 */
function refuseBadUploadQuery(config: FileRoutesConfig) {
  return function uploadQueryCheck(req: Request, res: Response, next: NextFunction): void {
    try {
      const query = readFileQuery(req.originalUrl, UPLOAD_PARAMETERS);
      expectedDigest(req, query); // a bad `sha256` or `if_match` in the query: refused before the file is written, not after
      uploadPrecondition(req, query);
    } catch (error) {
      res.setHeader('Connection', 'close');
      lingerOnClose(req.socket, config);
      next(error);
      return;
    }
    next();
  };
}

/** The file half of the sync router: checksums, upload and download. */
export function createFilesRouter(config: FileRoutesConfig): Router {
  const router = Router();
  router.get('/checksums', (req, res) => listChecksums(config, req, res));
  router.post(
    '/upload',
    refuseBadUploadQuery(config),
    uploadGuard({
      roots: config.roots,
      uploadRoot: config.uploadRoot,
      policy: config.policy,
      maxUploadBytes: config.maxUploadBytes,
      refusedBodyDrainBytes: config.refusedBodyDrainBytes,
      refusedBodyDrainMs: config.refusedBodyDrainMs,
      passErrors: true, // the router's error middleware answers and logs refusals
      logger: config.logger,
    }),
    (req, res) => commitUpload(config, req, res),
  );
  router.get('/download', (req, res) => serveFile(config, req, res));
  router.delete('/', (req, res) => deleteFile(config, req, res));
  return router;
}
