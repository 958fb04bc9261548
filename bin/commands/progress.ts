import { Presets, SingleBar } from 'cli-progress';
import type { BackupProgress } from '../../lib/data/backup';

/**
 * Runs `work` with a page progress bar that starts on the first report and
 * is always stopped, whatever `work` does.
 */
export async function withPageBar<T>(label: string, work: (onProgress: BackupProgress) => Promise<T>): Promise<T> {
  const bar = new SingleBar({ format: ` ${label} {bar} {value}/{total} pages`, hideCursor: true }, Presets.shades_classic);
  let started = false;
  try {
    return await work((copied, total) => {
      if (!started) bar.start(total, 0);
      started = true;
      bar.update(copied);
    });
  } finally {
    if (started) bar.stop();
  }
}
