import type { Request } from 'express';
import { SyncError } from '../lib/sync-error';

/** What a text field named `file` is told: the words of both refusals below. */
const NOT_A_FILE = 'the multipart field "file" came as a text field (a part without filename="…"): "file" must be the file part, sent once, with a file name; a text field named file is not a file (nothing was written)';

/** True when the multipart body held a text field named `file` (multer keeps a part without `filename=` in `req.body`). */
export function textFieldNamedFile(req: Request): boolean {
  const body = req.body as Record<string, unknown> | undefined;
  return typeof body === 'object' && body !== null && Object.hasOwn(body, 'file');
}

/**
 * The refusal of an upload that brought no file part: 400 `NO_FILE`, saying,
 * when a text field named `file` came instead, that it is no file.
 */
export function noFileError(req: Request): SyncError {
  if (textFieldNamedFile(req)) return new SyncError('NO_FILE', 400, `no file: ${NOT_A_FILE}`);
  return new SyncError('NO_FILE', 400, 'no file: send it as multipart/form-data in the field "file", with a file name (filename="…"; an empty name, "." or ".." is none)');
}

/**
 * The refusal of a text field named `file` beside the file part (before or
 * after it): 400 `BAD_REQUEST`. Refused as an unknown field, it read
 * "unknown multipart field "file": this route takes the fields file, …".
 */
export function fileSentAsTextField(): SyncError {
  return new SyncError('BAD_REQUEST', 400, NOT_A_FILE);
}
