import { closeSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { writeFileAtomically } from '../files/atomic-file';
import { openRegularFileSync } from '../files/regular-file';

/** What a handshake taught about a peer, kept across restarts. */
export interface KnownPeer {
  /** The peer's site id. */
  readonly site: string;
  /** The peer's name, from its `/data/info`. */
  readonly name: string | undefined;
}

interface StoredPeers {
  readonly version: 1;
  readonly peers: Record<string, KnownPeer>;
  /** Per peer URL (or transport name), when its last sync ended well (ms since the epoch). */
  readonly lastSuccess?: Record<string, number>;
}

interface Stored {
  readonly peers: Map<string, KnownPeer>;
  readonly lastSuccess: Map<string, number>;
}

/**
 * What the file holds; empty when it is missing, unreadable, not JSON, or no regular file (a named pipe, a link to
 * a device: never opened so that it blocks, since the constructor runs at start and a pipe would hold it for good).
 */
function readStored(file: string | undefined): Stored {
  const empty = { peers: new Map<string, KnownPeer>(), lastSuccess: new Map<string, number>() };
  if (file === undefined) return empty;
  let fd: number | undefined;
  try {
    fd = openRegularFileSync(file);
    if (fd === undefined) return empty;
    const stored = JSON.parse(readFileSync(fd, 'utf8')) as Partial<StoredPeers>;
    const entries = Object.entries(stored.peers ?? {}).filter(([, peer]) => typeof peer.site === 'string' && /^[0-9a-f]{32}$/.test(peer.site));
    const successes = Object.entries(stored.lastSuccess ?? {}).filter(([, at]) => Number.isSafeInteger(at) && at > 0);
    return {
      peers: new Map(entries.map(([url, peer]) => [url, { site: peer.site, name: typeof peer.name === 'string' ? peer.name : undefined }])),
      lastSuccess: new Map(successes),
    };
  } catch {
    return empty; // missing or unreadable: learnt again at the next handshake
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/**
 * Each peer URL's site id and name as its last handshake told them, and when
 * its last sync ended well, kept in `<stateDir>/peers.json` when there is a
 * state folder: after a restart with a peer down, `/status` still names it,
 * still counts the changes not yet delivered to it, and still shows its last success.
 */
export class KnownPeers {
  readonly #file: string | undefined;
  readonly #peers: Map<string, KnownPeer>;
  readonly #lastSuccess: Map<string, number>;
  /** Writes of the file, one after the other (the last one written holds the latest state). */
  #writing: Promise<void> = Promise.resolve();

  /** @param stateDir - where to keep them; none keeps them in memory only */
  constructor(stateDir: string | undefined) {
    this.#file = stateDir === undefined ? undefined : path.join(stateDir, 'peers.json');
    const stored = readStored(this.#file);
    this.#peers = stored.peers;
    this.#lastSuccess = stored.lastSuccess;
  }

  /** When the last sync with a peer (or transport) ended well, as remembered (ms since the epoch). */
  lastSuccessAt(url: string): number | undefined {
    return this.#lastSuccess.get(url);
  }

  /** Records a sync that ended well, and writes the file. */
  async noteSuccess(url: string, at: number): Promise<void> {
    if (this.#lastSuccess.get(url) === at) return;
    this.#lastSuccess.set(url, at);
    await this.#write();
  }

  /** What is known of a peer URL. */
  get(url: string): KnownPeer | undefined {
    return this.#peers.get(url);
  }

  /** Records what a handshake told; writes the file (atomically) only when something changed. */
  async remember(url: string, peer: KnownPeer): Promise<void> {
    const before = this.#peers.get(url);
    if (before?.site === peer.site && before.name === peer.name) return;
    this.#peers.set(url, peer);
    await this.#write();
  }

  /** Resolves when every write asked for so far has ended. */
  async flush(): Promise<void> {
    await this.#writing;
  }

  #write(): Promise<void> {
    const file = this.#file;
    if (file === undefined) return Promise.resolve();
    const run = this.#writing.then(async () => {
      const stored: StoredPeers = { version: 1, peers: Object.fromEntries(this.#peers), lastSuccess: Object.fromEntries(this.#lastSuccess) };
      await writeFileAtomically(file, JSON.stringify(stored));
    });
    this.#writing = run.catch(() => undefined);
    return run;
  }
}
