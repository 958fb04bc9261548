import { readFileSync } from 'node:fs';
import path from 'node:path';
import { commitTempFile, openTempFile } from '../files/atomic-file';

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
}

function readStored(file: string | undefined): Map<string, KnownPeer> {
  if (file === undefined) return new Map();
  try {
    const stored = JSON.parse(readFileSync(file, 'utf8')) as Partial<StoredPeers>;
    const entries = Object.entries(stored.peers ?? {}).filter(([, peer]) => typeof peer.site === 'string' && /^[0-9a-f]{32}$/.test(peer.site));
    return new Map(entries.map(([url, peer]) => [url, { site: peer.site, name: typeof peer.name === 'string' ? peer.name : undefined }]));
  } catch {
    return new Map(); // missing or unreadable: learnt again at the next handshake
  }
}

/**
 * Each peer URL's site id and name as its last handshake told them, kept in
 * `<stateDir>/peers.json` when there is a state folder: after a restart
 * with a peer down, `/status` still names it and still counts the changes
 * not yet delivered to it.
 */
export class KnownPeers {
  readonly #file: string | undefined;
  readonly #peers: Map<string, KnownPeer>;

  /** @param stateDir - where to keep them; none keeps them in memory only */
  constructor(stateDir: string | undefined) {
    this.#file = stateDir === undefined ? undefined : path.join(stateDir, 'peers.json');
    this.#peers = readStored(this.#file);
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
    if (this.#file === undefined) return;
    const stored: StoredPeers = { version: 1, peers: Object.fromEntries(this.#peers) };
    const { tempPath, handle } = await openTempFile(this.#file);
    try {
      await handle.writeFile(JSON.stringify(stored));
      await handle.sync();
    } finally {
      await handle.close();
    }
    await commitTempFile(tempPath, this.#file);
  }
}
