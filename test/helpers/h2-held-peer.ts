import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** A peer that holds every request until `release()`, then answers 503 `BUSY` to them and to every later one. */
export interface HeldPeer {
  /** Its sync API, `http://127.0.0.1:<port>/api/sync`. */
  readonly url: string;
  /** Resolves when the first request arrived (and is held). */
  readonly firstRequest: Promise<void>;
  release(): void;
  close(): Promise<void>;
}

/** Starts a {@link HeldPeer} on 127.0.0.1. */
export async function heldPeer(): Promise<HeldPeer> {
  const held: http.ServerResponse[] = [];
  let released = false;
  let noteFirst: () => void = () => undefined;
  const firstRequest = new Promise<void>((resolve) => (noteFirst = resolve));
  const answer = (res: http.ServerResponse): void => {
    res.writeHead(503, { 'content-type': 'application/json' }).end('{"error":{"code":"BUSY","message":"busy"}}');
  };
  const server = http.createServer((_req, res) => {
    noteFirst();
    if (released) answer(res);
    else held.push(res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/sync`,
    firstRequest,
    release: () => {
      released = true;
      for (const res of held.splice(0)) answer(res);
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

