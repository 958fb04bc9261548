/**
 * The worker thread that builds a snapshot (see `SnapshotSource`): it copies,
 * trims, folds and hashes through its own connection, so the server's event
 * loop keeps answering. Posts `{ ok: true, facts }` or `{ ok: false, message, code }`.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { buildSnapshotFile, type SnapshotJob } from './snapshot-file';

buildSnapshotFile(workerData as SnapshotJob).then(
  (facts) => parentPort?.postMessage({ ok: true, facts }),
  (error: unknown) => {
    const code = typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined;
    parentPort?.postMessage({ ok: false, message: error instanceof Error ? error.message : String(error), code: typeof code === 'string' ? code : undefined });
  },
);
