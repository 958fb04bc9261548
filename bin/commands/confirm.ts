import { confirmAnswerCheck } from '../../lib/peers/status-schema';
import { remoteServer, type RemoteOptions } from './remote';

/** Options of `confirm-deletions`. */
export interface ConfirmOptions extends RemoteOptions {
  /** Only this peer's held deletions (its URL as `status` shows it). */
  readonly peer?: string;
  /** Only this root's held deletions. */
  readonly root?: string;
  readonly json?: boolean;
}

/**
 * `confirm-deletions`: confirms the deletions the server's mass-delete guard
 * holds back (all, one peer's or one root's); the server syncs those peers
 * at once. Exit code 1 when nothing was held, 2 when a sync then failed.
 */
export async function confirmCommand(options: ConfirmOptions): Promise<void> {
  const server = remoteServer(options);
  try {
    const answer = await server.json('POST', 'deletions/confirm', confirmAnswerCheck, {}, { kind: 'json', value: { peer: options.peer, root: options.root } });
    if (options.json === true) process.stdout.write(`${JSON.stringify(answer, null, 2)}\n`);
    else {
      for (const held of answer.confirmed) {
        const where = held.side === 'here' ? 'on this server' : `on ${held.peer}`;
        process.stdout.write(`confirmed: ${held.count} deletion(s) of ${held.files} file(s) in ${held.root} ${where}\n`);
      }
      for (const result of answer.results) process.stdout.write(`${result.ok ? '✔' : '✘'} synced with ${result.peer}\n`);
    }
    if (answer.results.some((result) => !result.ok)) process.exitCode = 2;
  } finally {
    server.close();
  }
}
