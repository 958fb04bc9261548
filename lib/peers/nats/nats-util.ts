import { SyncError } from '../../sync-error';

/** A failure as `/status` shows it: a SyncError's code, an errno code, or `NATS_ERROR`. */
export function errorOf(error: unknown): { code: string; message: string } {
  if (error instanceof SyncError) return { code: error.code, message: error.message };
  const code = (error as { code?: unknown } | undefined)?.code;
  return { code: typeof code === 'string' ? code : 'NATS_ERROR', message: error instanceof Error ? error.message : String(error) };
}

/** A NATS URL without its user and password, for `/status`. */
export function withoutCredentials(server: string): string {
  return server.replace(/^([a-z]+:\/\/)?[^@/]*@/i, '$1');
}

/** A wait of `ms` that `wake()` ends early. */
export function wakeableSleep(ms: number): { readonly done: Promise<void>; readonly wake: () => void } {
  let wake: () => void = () => undefined;
  const done = new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, ms);
    wake = () => {
      clearTimeout(timer);
      resolve();
    };
  });
  return { done, wake };
}
