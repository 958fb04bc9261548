import type { ChildProcess } from 'node:child_process';
import { chmodSync, mkdirSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { CAN_RUN_UNPRIVILEGED, startAppUnprivileged, stopUnprivileged } from '../helpers/h4-unprivileged-app';
import { tempDir } from '../helpers/temp';
import { APP_PROCESS_TIMEOUT_MS } from '../helpers/k2-app-process';

const JPEG = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00, 0x01]);

/** `npm start` without root's rights on a free port; resolves with its URL once it listens. */
function startApp(dataDir: string): { child: ChildProcess; url: Promise<string> } {
  return startAppUnprivileged({ DATA_DIR: dataDir, SYNC_TOKEN: 'test-token-0123456789abcdef', LOG_LEVEL: 'silent' });
}

/**
 * A scout uploads a pit photo to a laptop whose photos folder it cannot write
 * (a read-only disk, a folder made by an earlier start with sudo): the page
 * said "Something went wrong. The server could not finish this request; try
 * again.", which no retry fixes. Now it says nothing was saved and what to ask
 * for, with the code.
 */
(CAN_RUN_UNPRIVILEGED ? describe : describe.skip)('the photo page on a read-only photos folder', () => {
  let temp: ReturnType<typeof tempDir>;
  let child: ChildProcess | undefined;
  let pit: string;

  beforeEach(() => {
    temp = tempDir('ess-h4-ro-photos-');
    chmodSync(temp.dir, 0o777);
    pit = path.join(temp.dir, 'data', 'uploads', 'pit');
  });
  afterEach(async () => {
    await stopUnprivileged(child);
    chmodSync(pit, 0o755);
    temp.cleanup();
  });

  it('answers 507 with a page saying nothing was saved and to make it writable; no file is left', async () => {
    const started = startApp(path.join(temp.dir, 'data'));
    child = started.child;
    const url = await started.url;
    mkdirSync(pit, { recursive: true });
    chmodSync(pit, 0o555);
    const form = new FormData();
    form.append('file', new Blob([JPEG], { type: 'image/jpeg' }), 'robot.jpg');
    const response = await fetch(`${url}/photos`, { method: 'POST', body: form, redirect: 'manual' });
    const page = await response.text();
    expect(response.status).toBe(507);
    expect(page).toContain('<title>Not saved');
    expect(page).toContain('Ask whoever runs it to make it writable');
    expect(page).toContain('507 STORAGE_NOT_WRITABLE');
    expect(page).not.toContain('try again');
    expect(page).not.toContain(temp.dir);
    expect(readdirSync(pit)).toEqual([]);
  }, APP_PROCESS_TIMEOUT_MS);
});
