import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Server as HttpsServer } from 'node:https';

/** Marks a server {@link continueOnlyWhenRead} was called on, so a second call adds nothing. */
const INSTALLED = Symbol.for('express-sqlite-sync.continueOnlyWhenRead');

/** Sends `100 Continue` the first time something reads the request's body ('data' or 'readable' listened to), if no answer started before. */
function continueOnFirstRead(req: IncomingMessage, res: ServerResponse): void {
  const onListener = (event: string | symbol): void => {
    if (event !== 'data' && event !== 'readable') return;
    req.off('newListener', onListener);
    if (!res.headersSent && !res.writableEnded) res.writeContinue();
  };
  req.on('newListener', onListener);
}

/**
 * Makes `server` send `100 Continue` to a request that asks for it
 * (`Expect: 100-continue`) only when the app starts reading its body, not at
 * once as Node does by default. A request refused before its body is read
 * (the sync router's 401 for a missing token, the upload guard's 403 for a
 * database path or 413 for a declared size, any 4xx of the app's own) is
 * then answered without `100 Continue`, so a client that waits for it (curl,
 * .NET, many HTTP libraries) never sends the body at all. Node closes such a
 * connection after the answer. Call it once on the server your app listens
 * with, before it listens; calling it again does nothing. It installs a
 * `checkContinue` listener: do not add another.
 * @throws TypeError when `server` is not an HTTP(S) server
 */
export function continueOnlyWhenRead(server: Server | HttpsServer): void {
  if (typeof (server as Partial<Server> | null)?.on !== 'function' || typeof (server as Partial<Server>).emit !== 'function') {
    throw new TypeError('express-sqlite-sync: continueOnlyWhenRead(server): `server` must be the http.Server or https.Server your app listens with');
  }
  const marked = server as (Server | HttpsServer) & { [INSTALLED]?: true };
  if (marked[INSTALLED] === true) return;
  marked[INSTALLED] = true;
  server.on('checkContinue', (req: IncomingMessage, res: ServerResponse) => {
    continueOnFirstRead(req, res);
    server.emit('request', req, res);
  });
}
