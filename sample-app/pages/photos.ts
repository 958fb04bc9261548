import { createHash } from 'node:crypto';
import { constants, createReadStream, realpathSync, statSync } from 'node:fs';
import { lstat, mkdir, open, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { Request, RequestHandler, Response, Router } from 'express';
import { createFilePolicy, discardGuardedUpload, isLiveDatabaseFile, resolveSyncPath, resolveSyncRoots, saveGuardedUpload, SyncError, uploadGuard, type FilePolicy, type StoredUpload } from '../../index';
import { html } from './html';
import { layout } from './layout';
import { isPhotoName, listPhotos, photoStoredName, type PhotoFile } from './photo-files';
import { refuseLinkedPit } from './pit-link';

/** Largest pit photo accepted, in bytes. */
export const MAX_PHOTO_BYTES = 20 * 1024 * 1024;

/** The pit-photo pages' settings, resolved once. */
interface PhotoConfig {
  /** One root, `pit`: the `uploads` root's `pit/` folder. */
  readonly roots: ReadonlyMap<string, string>;
  readonly directory: string;
  readonly policy: FilePolicy;
  /** The photo being saved now: the next waits for it (see `savePhoto`). */
  saving: Promise<void>;
}

function sizeText(bytes: number): string {
  return bytes < 1024 * 1024 ? `${Math.ceil(bytes / 1024)} KiB` : `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}

function photoLine(photo: PhotoFile): ReturnType<typeof html> {
  const name = isPhotoName(photo.name) ? html`<a href="/photos/file/${encodeURIComponent(photo.name)}">${photo.name}</a>` : html`${photo.name}`;
  return html`<tr><td>${name}</td><td class="num">${sizeText(photo.size)}</td><td>${photo.modified.toISOString().slice(0, 16).replace('T', ' ')} UTC</td></tr>`;
}

/** The photo page: what was just saved, the upload form, the list. */
export function renderPhotoPage(photos: readonly PhotoFile[], saved: string | undefined): string {
  const notice = saved === undefined ? '' : html`<p class="notice" role="status">Saved uploads/pit/${saved}.</p>`;
  const list =
    photos.length === 0
      ? html`<p>No pit photos yet.</p>`
      : html`<table><thead><tr><th>Photo</th><th class="num">Size</th><th>Changed</th></tr></thead><tbody>${photos.map(photoLine)}</tbody></table>`;
  return layout(
    'Pit photos',
    html`${notice}<form method="post" action="/photos" enctype="multipart/form-data">
<label for="photo-file">Photo</label> <input id="photo-file" name="file" type="file" accept="image/*" required>
<button type="submit">Upload</button>
</form>
<p class="muted">Photos are kept in uploads/pit/ and sync to every server. Database files are refused.</p>
${list}`,
  );
}

/** The SHA-256 of a file, or undefined when it cannot be read. */
async function sha256Of(file: string): Promise<string | undefined> {
  if (await isLiveDatabaseFile(file)) return undefined; // never opened: closing it would drop SQLite's locks
  const hash = createHash('sha256');
  try {
    await pipeline(createReadStream(file), hash);
  } catch {
    return undefined;
  }
  return hash.digest('hex');
}

/**
 * Makes `uploads/pit/` again when it is gone: a sync removes a folder it
 * emptied (the last photo deleted on a peer). A missing `uploads/` is left
 * as it is, for the guard to say so (`ROOT_MISSING`).
 */
async function remakePitFolder(directory: string): Promise<void> {
  try {
    await mkdir(directory);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'EEXIST' && code !== 'ENOENT') throw error;
  }
}

/** Whether a name in the pit folder is free for these bytes: nothing there, or the very same photo (a folder or another photo is not). */
async function freeFor(absolute: string, upload: StoredUpload): Promise<boolean> {
  const stats = await lstat(absolute).catch(() => undefined);
  if (stats === undefined) return true;
  if (!stats.isFile() || stats.size !== upload.size) return false;
  return (await sha256Of(absolute)) === upload.sha256;
}

/** Most photos kept under one name (`image.jpg`, `image-2.jpg`, …). */
const MAX_SAME_NAME = 1000;

/**
 * The name to keep a photo under: its safe name, or, when another photo
 * holds it (every phone calls its pictures `image.jpg`), `<stem>-2`, `-3`, …;
 * the same bytes uploaded again keep their name.
 * @throws SyncError `TOO_MANY_PHOTOS` (409) past {@link MAX_SAME_NAME}
 */
async function freePhotoName(directory: string, name: string, upload: StoredUpload): Promise<string> {
  const extension = path.extname(name);
  const stem = name.slice(0, name.length - extension.length);
  for (let n = 1; n <= MAX_SAME_NAME; n += 1) {
    const candidate = n === 1 ? name : `${stem}-${n}${extension}`;
    if (await freeFor(path.join(directory, candidate), upload)) return candidate;
  }
  throw new SyncError('TOO_MANY_PHOTOS', 409, `${MAX_SAME_NAME} photos are named like ${name} already; rename the photo`);
}

/**
 * Moves the guard's temp file to `uploads/pit/<safe name>` (a free one:
 * another photo is never replaced) with the library's helper, or removes it.
 * Photos are saved one at a time here, so two phones sending `image.jpg` at
 * once get `image.jpg` and `image-2.jpg`; a photo a sync brings under the
 * chosen name meanwhile is kept (409 `PHOTO_NAME_TAKEN`).
 */
async function savePhoto(config: PhotoConfig, req: Request, res: Response): Promise<void> {
  if (req.file === undefined) throw new SyncError('NO_FILE', 400, 'choose a photo to upload');
  const upload = req.file as Express.Multer.File & StoredUpload;
  const saving = config.saving.then(async () => {
    let name: string;
    try {
      name = await freePhotoName(config.directory, photoStoredName(upload.originalname), upload);
    } catch (error) {
      await discardGuardedUpload(req);
      throw error;
    }
    await saveGuardedUpload(req, {
      destination: path.join(config.directory, name),
      beforeCommit: async (stored, destination) => {
        if (!(await freeFor(destination, stored))) throw new SyncError('PHOTO_NAME_TAKEN', 409, `another photo was saved as ${name} just now; upload yours again`);
      },
    });
    return name;
  });
  config.saving = saving.then(
    () => undefined,
    () => undefined,
  );
  res.redirect(303, `/photos?saved=${encodeURIComponent(await saving)}`);
}

/**
 * Read-only and non-blocking: a pipe named like a photo (`mkfifo uploads/pit/x.jpg`) opens at once
 * instead of holding a thread until a writer comes, and is then refused as no regular file.
 */
const READ_NONBLOCK = constants.O_RDONLY | (constants.O_NONBLOCK ?? 0);

/** Opens a photo for reading; undefined when it is missing or not a regular file (a folder, a pipe, a socket). */
async function openPhoto(absolute: string): Promise<{ readonly handle: FileHandle; readonly size: number } | undefined> {
  if (await isLiveDatabaseFile(absolute)) {
    // A link to app.db: refused unopened (closing any descriptor of it would drop SQLite's locks).
    throw new SyncError('DB_CONTENT_REFUSED', 403, `${path.basename(absolute)} is the server's database (a link to it); databases are never served as files`);
  }
  const handle = await open(absolute, READ_NONBLOCK).catch(() => undefined);
  if (handle === undefined) return undefined;
  const stats = await handle.stat().catch(() => undefined);
  if (stats?.isFile() === true) return { handle, size: stats.size };
  await handle.close();
  return undefined;
}

/**
 * `GET /photos/file/:name`: one photo, inside the pit folder only. Like the
 * sync API's download, the bytes are checked on the open file: a database
 * (a hard link to `app.db` named `x.jpg`, say) is refused with 403.
 */
async function servePhoto(config: PhotoConfig, req: Request, res: Response): Promise<void> {
  const name = String(req.params.name);
  const target = await resolveSyncPath(config.roots, `pit/${name}`, true);
  // A link in the folder is judged by the name it leads to too (`robot.jpg -> robot.db`), as the sync API judges it.
  if (target.relative.includes('/') || !isPhotoName(name) || config.policy.isDatabaseName(target.linked ?? name)) {
    throw new SyncError('NOT_FOUND', 404, `no photo ${name}`);
  }
  const photo = await openPhoto(target.absolute);
  if (photo === undefined) throw new SyncError('NOT_FOUND', 404, `no photo ${name}`);
  try {
    const header = Buffer.alloc(16);
    const { bytesRead } = await photo.handle.read(header, 0, header.length, 0);
    if (config.policy.isDatabaseContent(header.subarray(0, bytesRead))) {
      throw new SyncError('DB_CONTENT_REFUSED', 403, `${name} is an SQLite database by its content; databases are never served as files`);
    }
  } catch (error) {
    await photo.handle.close();
    throw error;
  }
  res.type(path.extname(name)).set({ 'Content-Disposition': 'inline', 'Content-Length': String(photo.size) });
  await pipeline(createReadStream('', { fd: photo.handle, start: 0 }), res).catch(() => undefined); // a client gone mid-photo
}

/**
 * The photo pages' one root, `pit`: resolved (and made when missing) as any root, unless a file stands there. A
 * peer's file named `uploads/pit` (uploaded there through the sync API, which replaces an empty folder, then
 * synced to every server) must not stop the start, the app's sync included: the root is then its path as it
 * is, and the photo pages say what to do (409 `ROOT_MISSING`), as for a file that arrives while the app runs.
 */
function pitRoots(directory: string): ReadonlyMap<string, string> {
  const found = statSync(directory, { throwIfNoEntry: false });
  if (found === undefined || found.isDirectory()) return resolveSyncRoots({ pit: directory });
  return new Map([['pit', path.join(realpathSync(path.dirname(directory)), path.basename(directory))]]);
}

/**
 * `GET /photos`, `POST /photos` (multipart, field `file`) and
 * `GET /photos/file/:name`. Uploads pass the library's upload guard, which
 * refuses a database file (by name or content) with 403 before writing.
 */
export function addPhotoPages(router: Router, uploadsDir: string, guard: RequestHandler): void {
  const roots = pitRoots(path.join(uploadsDir, 'pit'));
  const notLinked = refuseLinkedPit(path.join(uploadsDir, 'pit'));
  const config: PhotoConfig = { roots, directory: roots.get('pit') ?? '', policy: createFilePolicy(), saving: Promise.resolve() };
  // Checked under the name it is kept as (a name only the phone's file has, `Pit 10:15.jpg`, is no refusal); the app's error page answers.
  const upload = uploadGuard({ roots, uploadRoot: 'pit', policy: config.policy, maxUploadBytes: MAX_PHOTO_BYTES, passErrors: true, fileName: photoStoredName });
  router.get('/photos', guard, notLinked, async (req, res) => {
    const photos = await listPhotos(config.directory, config.policy).catch(async (error: unknown) => {
      // A file where the folder should be: the library's words for it (409 ROOT_MISSING, what to do), as an upload gets.
      if ((error as NodeJS.ErrnoException).code === 'ENOTDIR') await resolveSyncPath(config.roots, 'pit', false);
      throw error;
    });
    // Only a photo that is there is announced, so a crafted link cannot make the page say anything else.
    const saved = photos.find((photo) => photo.name === req.query.saved)?.name;
    res.type('html').send(renderPhotoPage(photos, saved));
  });
  router.post('/photos', guard, notLinked, (_req, _res, next) => void remakePitFolder(config.directory).then(() => next(), next), upload, (req, res) => savePhoto(config, req, res));
  router.get('/photos/file/:name', guard, notLinked, (req, res) => servePhoto(config, req, res));
}
