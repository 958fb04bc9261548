import { SyncError } from '../../sync-error';

/** JetStream's error codes for storage the NATS server or the account has no more of. */
const SERVER_FULL = new Set([
  10023, // "insufficient resources": the server's max_file_store / max_mem_store, or its disk
  10047, // "insufficient storage resources available": a stream made (or raised) beyond what is left
  10028, // "insufficient memory resources available"
]);
/** "resource limits exceeded for account": the account's jetstream max_file / max_mem. */
const ACCOUNT_FULL = 10002;

/**
 * JetStream's answer when its storage is used up (a publish refused, a stream
 * that cannot be made): the NATS server's own limit (`max_file_store`,
 * `max_mem_store` in its `jetstream` block, or its disk) or the account's
 * (`max_file`, `max_mem`), as `NATS_STORAGE_FULL` (507) naming that limit and
 * the fix; undefined for any other failure. Nothing more is published until an
 * operator raises the limit or caps the stream below it, so it is no passing
 * NATS error: the bare answer ("insufficient resources") named neither.
 * @param where - the NATS servers, without credentials
 */
export function storageFullFailure(stream: string, where: string, error: unknown): SyncError | undefined {
  if (error instanceof SyncError) return undefined;
  const code = (error as { code?: unknown } | null)?.code;
  const message = error instanceof Error ? error.message : String(error);
  const cap = `or cap the stream below it, so that it drops its oldest messages (\`nats stream edit ${stream} --max-bytes <size>\`: a server that had not read them catches up over HTTP)`;
  const waits = "so nothing more is published into it and this server's changes wait";
  if (code === ACCOUNT_FULL || /resource limits exceeded for account/i.test(message)) {
    return new SyncError(
      'NATS_STORAGE_FULL',
      507,
      `the NATS account this server connects as (${where}) has used up its JetStream storage for stream ${stream} (${message}), ${waits}; raise the account's limit (\`jetstream { max_file: … }\` of the account in nats-server's configuration, \`max_mem\` for memory storage) and reload it (\`nats-server --signal reload\`), ${cap}`,
      { cause: error },
    );
  }
  if ((typeof code === 'number' && SERVER_FULL.has(code)) || /insufficient (storage |memory )?resources/i.test(message)) {
    // "insufficient storage resources available" refuses a stream made: the account's limit may be the one (max_file 0 turns its file storage off).
    const made = /available/i.test(message);
    const which = made ? "its `max_file_store` (or the `max_file` of the account this server connects as) leaves no room for it" : 'its `max_file_store`, or its disk, is full';
    const account = made ? " (or the account's `max_file`, then `nats-server --signal reload`)" : '';
    return new SyncError(
      'NATS_STORAGE_FULL',
      507,
      `the NATS server at ${where} has no JetStream storage left for stream ${stream} (${message}: ${which}), ${waits}; raise \`max_file_store\` in the \`jetstream\` block of its configuration (\`max_mem_store\` for memory storage)${account} or free its store's disk, and restart it, ${cap}`,
      { cause: error },
    );
  }
  return undefined;
}
