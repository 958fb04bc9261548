import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { parseSyncPath, SyncError, type FilePolicy } from '../../index';

/** Extensions a pit photo may have, lower case. SVG is left out: it can carry script. */
export const PHOTO_EXTENSIONS: ReadonlySet<string> = new Set(['.jpg', '.jpeg', '.png', '.gif', '.webp', '.avif', '.heic']);

/** Longest stem kept in a photo's stored name. */
const MAX_STEM_LENGTH = 80;

/** One photo in the pit folder. */
export interface PhotoFile {
  readonly name: string;
  readonly size: number;
  readonly modified: Date;
}

/** True when `name` has a photo extension. */
export function isPhotoName(name: string): boolean {
  return PHOTO_EXTENSIONS.has(path.extname(name).toLowerCase());
}

/**
 * The name a photo is stored under: the uploaded file's base name reduced
 * to letters, digits, `_` and `-` (anything else becomes `-`), with its
 * photo extension in lower case, e.g. `Robot arm (2).JPG` → `Robot-arm-2.jpg`; a stem
 * that is a Windows device name gets `-photo` (`aux.jpg` → `aux-photo.jpg`).
 * @throws SyncError `NOT_A_PHOTO` (415) when the extension is not a photo's
 */
export function photoStoredName(originalName: string): string {
  const base = path.posix.basename(originalName.replace(/\\/g, '/'));
  const extension = path.extname(base).toLowerCase();
  if (!PHOTO_EXTENSIONS.has(extension)) {
    throw new SyncError('NOT_A_PHOTO', 415, `"${base}" is not a photo; pit photos are ${[...PHOTO_EXTENSIONS].join(', ')} files`);
  }
  const stem = base
    .slice(0, base.length - extension.length)
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .replace(/[^A-Za-z0-9_-]+/g, '-')
    .replace(/^[-_]+|[-_]+$/g, '')
    .slice(0, MAX_STEM_LENGTH);
  const name = `${stem === '' ? 'photo' : stem}${extension}`;
  return isPathName(name) ? name : `${stem}-photo${extension}`; // `aux.jpg`: a Windows device name, no path
}

/** True when `name` can be a file's name in a sync root (not a Windows device name such as `aux.jpg`, `COM1.png`). */
function isPathName(name: string): boolean {
  try {
    parseSyncPath(`pit/${name}`);
    return true;
  } catch {
    return false;
  }
}

/** The photos directly in `directory`, by name; temp files, hidden files and database files are left out. */
export async function listPhotos(directory: string, policy: FilePolicy): Promise<PhotoFile[]> {
  const entries = await readdir(directory, { withFileTypes: true }).catch((error: unknown) => {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  });
  const names = entries
    .filter((entry) => entry.isFile() && !entry.name.startsWith('.') && !policy.isDatabaseName(entry.name)) // temp files are hidden (a leading dot)
    .map((entry) => entry.name)
    .sort();
  const photos: PhotoFile[] = [];
  for (const name of names) {
    const stats = await stat(path.join(directory, name)).catch(() => undefined);
    if (stats !== undefined) photos.push({ name, size: stats.size, modified: stats.mtime });
  }
  return photos;
}
