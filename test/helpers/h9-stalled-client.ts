import { readdirSync, readlinkSync } from 'node:fs';
import type { Server } from 'node:http';
import net from 'node:net';
import type { SyncLogger } from '../../lib/logger';

/** A raw HTTP/1.1 client on 127.0.0.1 that reads the first bytes of the answer, then never reads again. */
export async function stalledClient(port: number, target: string): Promise<net.Socket> {
  const socket = net.connect(port, '127.0.0.1', () => socket.write(`GET ${target} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`));
  socket.on('error', () => {}); // a reset when the server cuts it is expected
  await new Promise<void>((resolve, reject) => {
    socket.once('data', () => {
      socket.pause(); // and never reads again
      resolve();
    });
    socket.once('close', () => reject(new Error('closed before any answer byte')));
  });
  return socket;
}

/** A raw HTTP/1.1 client that reads the whole answer (closing after it), pausing `pauseMs` after every `burstBytes` read: slow, but always moving. */
export async function slowClient(port: number, target: string, burstBytes: number, pauseMs: number): Promise<Buffer> {
  const socket = net.connect(port, '127.0.0.1', () => socket.write(`GET ${target} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`));
  const chunks: Buffer[] = [];
  let sinceBreak = 0;
  socket.on('data', (chunk: Buffer) => {
    chunks.push(chunk);
    sinceBreak += chunk.length;
    if (sinceBreak < burstBytes) return;
    sinceBreak = 0;
    socket.pause();
    setTimeout(() => socket.resume(), pauseMs);
  });
  await new Promise<void>((resolve, reject) => {
    socket.once('end', () => resolve());
    socket.once('error', reject);
  });
  return Buffer.concat(chunks);
}

/**
 * The connections `server` accepts from now on, and whether it has closed
 * them all: seen from the server, since a client that stopped reading never
 * reads the close either.
 */
export function serverSockets(server: Server): { readonly sockets: net.Socket[]; allClosed(): boolean } {
  const sockets: net.Socket[] = [];
  server.on('connection', (socket: net.Socket) => sockets.push(socket));
  return { sockets, allClosed: () => sockets.length > 0 && sockets.every((socket) => socket.destroyed) };
}

/** Polls `check` every 20 ms until true, for at most `ms`. */
export async function eventually(ms: number, check: () => boolean, what: string): Promise<void> {
  const until = Date.now() + ms;
  while (!check()) {
    if (Date.now() > until) throw new Error(`${what}: not within ${ms} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** The files this process holds open (Linux: /proc/self/fd). */
export function openFiles(): string[] {
  const links: string[] = [];
  for (const fd of readdirSync('/proc/self/fd')) {
    try {
      links.push(readlinkSync(`/proc/self/fd/${fd}`));
    } catch {
      // closed meanwhile
    }
  }
  return links;
}

/** A logger that keeps its warnings. */
export function warningsLogger(): { readonly logger: SyncLogger; readonly warnings: string[] } {
  const warnings: string[] = [];
  return { warnings, logger: { info() {}, error() {}, warn: (_detail, message) => void warnings.push(message) } };
}
