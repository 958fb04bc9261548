import { Presets, SingleBar } from 'cli-progress';
import type { BackupProgress } from '../../lib/data/backup';
import { cleanUpOnSignal, type Interruptible } from './interrupt';

/**
 * Runs `work` with a page progress bar that starts on the first report and
 * is always stopped, whatever `work` does. Given `interrupt` (the file `work`
 * writes through a temp file beside it), Ctrl-C or SIGTERM meanwhile stops the
 * bar (the terminal gets its cursor back), removes this process's temp file
 * and the folders made for it while empty, and exits (see {@link cleanUpOnSignal}).
 */
export async function withPageBar<T>(label: string, work: (onProgress: BackupProgress) => Promise<T>, interrupt?: Omit<Interruptible, 'command' | 'before'>): Promise<T> {
  const bar = new SingleBar({ format: ` ${label} {bar} {value}/{total} pages`, hideCursor: true }, Presets.shades_classic);
  let started = false;
  const stopBar = (): void => {
    if (started) bar.stop();
    started = false;
  };
  const stopListening = interrupt === undefined ? undefined : cleanUpOnSignal({ ...interrupt, command: label, before: stopBar });
  try {
    return await work((copied, total) => {
      if (!started) bar.start(total, 0);
      started = true;
      bar.update(copied);
    });
  } finally {
    stopListening?.();
    stopBar();
  }
}
