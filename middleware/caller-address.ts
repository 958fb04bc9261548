import type { IncomingMessage } from 'node:http';

/**
 * The caller's address as the log and `/status` name it: Express's `req.ip` (which honours the
 * app's `trust proxy`), else the socket's; an IPv4 caller of a dual-stack listener as its IPv4
 * address (`127.0.0.1`, not `::ffff:127.0.0.1`), so one caller reads the same in `request.refused`,
 * `answer.abandoned` and `upload.abandoned`.
 * @param req - the request (an Express request, or a bare `IncomingMessage`)
 */
export function callerAddress(req: IncomingMessage): string | undefined {
  const address = (req as { readonly ip?: string }).ip ?? req.socket.remoteAddress;
  return address?.replace(/^::ffff:(?=\d{1,3}(?:\.\d{1,3}){3}$)/i, '');
}
