import type { Static } from '@sinclair/typebox';
import { confirmAnswerCheck, type ConfirmAnswerSchema } from '../../lib/peers/status-schema';
import { oneLine, printableLines, remoteServer, type RemoteOptions } from './remote';

/** Options of `confirm-deletions`. */
export interface ConfirmOptions extends RemoteOptions {
  /** Only this peer's held deletions (its URL as `status` shows it). */
  readonly peer?: string;
  /** Only this root's held deletions. */
  readonly root?: string;
  readonly json?: boolean;
}

/**
 * Formats a `/deletions/confirm` answer for a terminal: what was confirmed, then each sync, one line each;
 * the server's text (roots, peer URLs) with its control characters and line breaks replaced.
 */
export function formatConfirmed(answer: Static<typeof ConfirmAnswerSchema>): string {
  const confirmed = answer.confirmed.map((held) => {
    const where = held.side === 'here' ? 'on this server' : `on ${held.peer}`;
    return `confirmed: ${held.count} deletion(s) of ${held.files} file(s) in ${held.root} ${where}`;
  });
  const synced = answer.results.map((result) => {
    const again = result.heldDeletions ?? [];
    // A failed sync says why, as `sync` does: the code and the message (a server that sent none: the line alone).
    if (!result.ok) return `✘ synced with ${result.peer}${result.error === undefined ? '' : `: ${result.error.code}: ${result.error.message}`}`;
    if (again.length === 0) return `✔ synced with ${result.peer}`;
    const more = again.map((held) => `${held.count} files in ${held.root} ${held.side === 'here' ? 'on this server' : `on ${held.peer}`}`).join(' and ');
    return `✘ synced with ${result.peer}, but it would now delete more (${more}): held back again, nothing of it deleted; see status`;
  });
  return [...confirmed, ...synced].map((line) => `${printableLines(oneLine(line))}\n`).join('');
}

/**
 * `confirm-deletions`: confirms the deletions the server's mass-delete guard
 * holds back (all, one peer's or one root's); the server syncs those peers
 * at once. Exit code 1 when nothing was held, 2 when a sync then failed or held them back again.
 */
export async function confirmCommand(options: ConfirmOptions): Promise<void> {
  const server = remoteServer(options);
  try {
    const answer = await server.json('POST', 'deletions/confirm', confirmAnswerCheck, {}, { kind: 'json', value: { peer: options.peer, root: options.root } });
    if (options.json === true) process.stdout.write(`${JSON.stringify(answer, null, 2)}\n`);
    else process.stdout.write(formatConfirmed(answer));
    if (answer.results.some((result) => !result.ok || (result.heldDeletions ?? []).length > 0)) process.exitCode = 2; // not deleted: a script must notice
  } finally {
    server.close();
  }
}
